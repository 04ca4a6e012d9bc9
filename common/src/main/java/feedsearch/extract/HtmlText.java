package feedsearch.extract;

import feedsearch.BlankText;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

import java.util.Set;

/**
 * Renders an HTML element as plain text that keeps paragraph breaks (blank lines between
 * blocks), which the chunker uses as its preferred split points. jsoup's {@code text()} would
 * run every paragraph into one line.
 */
final class HtmlText {
    private static final Set<String> BLOCKS = Set.of(
            "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
            "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre",
            "section", "table", "tr", "ul");

    private HtmlText() {
    }

    static String of(Element root) {
        StringBuilder out = new StringBuilder();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode text) {
                    boolean preformatted = text.parent() != null && inPre(text.parent());
                    out.append(preformatted ? text.getWholeText() : text.text());
                } else if (node instanceof Element element) {
                    if (element.normalName().equals("br")) {
                        out.append('\n');
                    } else if (BLOCKS.contains(element.normalName())) {
                        out.append("\n\n");
                    } else if (element.normalName().equals("td") || element.normalName().equals("th")) {
                        out.append(' ');
                    }
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element element && BLOCKS.contains(element.normalName())) {
                    out.append("\n\n");
                }
            }
        }, root);
        return tidy(out.toString());
    }

    private static boolean inPre(Element e) {
        for (Element p = e; p != null; p = p.parent()) {
            if (p.normalName().equals("pre")) {
                return true;
            }
        }
        return false;
    }

    /** Trims each line and folds runs of blank lines into one paragraph break. */
    private static String tidy(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        int blank = 0;
        for (String line : text.split("\n", -1)) {
            String t = line.strip().replace('\u00a0', ' ');
            if (t.isEmpty()) {
                blank++;
                continue;
            }
            if (sb.length() > 0) {
                sb.append(blank > 0 ? "\n\n" : "\n");
            }
            sb.append(t);
            blank = 0;
        }
        return sb.toString();
    }

    /**
     * Words as a reader counts them: runs of characters between spaces, except that Chinese and
     * Japanese, written without spaces, count each ideograph or kana as one (a post of 3,000
     * Chinese characters was one "word", so its full content was taken for a teaser). What
     * directly follows one, punctuation or a Latin name, adds nothing; nor do invisible characters.
     */
    static int words(String text) {
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (BlankText.isSpace(c)) {
                inWord = false;
            } else if (BlankText.carriesNothing(c)) {
                // Zero-width, control and the like: nothing a reader sees, neither word nor space.
                continue;
            } else if (isWrittenWithoutSpaces(c)) {
                words++;
                inWord = true;
            } else if (!inWord) {
                words++;
                inWord = true;
            }
        }
        return words;
    }

    private static boolean isWrittenWithoutSpaces(int c) {
        if (c < 0x2E80) {
            return false; // below the CJK blocks: spares most text the script look-up, a search per character
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA;
    }
}
