package feedsearch.extract;

import feedsearch.BlankText;
import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.Printable;
import feedsearch.feed.FeedEntry;
import feedsearch.feed.FeedReader;
import feedsearch.fetch.Access;
import feedsearch.fetch.BinarySniffer;
import feedsearch.fetch.Expect;
import feedsearch.fetch.FetchException;
import feedsearch.fetch.FetchedResource;
import feedsearch.fetch.Fetcher;
import feedsearch.fetch.TextDecoding;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.jsoup.select.Selector;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Gets a post's text: the feed's full content when it is a whole article, otherwise the post's
 * page, fetched and reduced to its article body (the {@code --selector}, else a common article
 * container, else the block with the most paragraph text).
 */
public final class ArticleExtractor {
    /** Fewer words than this in the feed's content: treat it as a teaser and read the page. */
    static final int MIN_FULL_CONTENT_WORDS = 120;
    /** A container with fewer words is probably a byline or a teaser, not the article. */
    private static final int MIN_CONTAINER_WORDS = 25;
    private static final List<String> ARTICLE_CONTAINERS = List.of(
            "[itemprop=articleBody]", ".entry-content", ".post-content", ".article-content", ".article_content",
            ".post-body", "article", "main", "[role=main]", "#content");
    private static final String NOT_ARTICLE =
            "script, style, noscript, template, iframe, svg, canvas, form, button, nav, header, footer, aside";
    private static final Pattern TEASER_ENDING = Pattern.compile(
            "(?is).*(\\.\\.\\.|…|\\[…]|\\[\\.\\.\\.]|read more|continue reading|read the rest)\\W*$");

    private final Fetcher fetcher;
    private final String selector;

    /**
     * @param selector CSS selector for the article body, or null to find it
     */
    public ArticleExtractor(Fetcher fetcher, String selector) {
        if (selector != null) {
            try {
                Selector.evaluatorOf(selector);
            } catch (Selector.SelectorParseException e) {
                throw new FeedsearchException(ExitCode.USAGE, "invalid CSS selector '" + selector + "': " + e.getMessage(), e);
            }
        }
        this.fetcher = fetcher;
        this.selector = selector;
    }

    /**
     * @param entry an entry with a link
     * @param links what the entry's feed may reach
     */
    public Article extract(FeedEntry entry, Access links) throws ExtractException {
        String fromFeed = entry.contentHtml().isBlank() ? ""
                : HtmlText.of(Jsoup.parseBodyFragment(entry.contentHtml()).body());
        if (isWholeArticle(fromFeed)) {
            return new Article(entry.link(), entry.title(), entry.published(), fromFeed, Article.Source.FEED_CONTENT);
        }
        Document page = fetch(entry.link(), links);
        String text = articleText(page);
        if (BlankText.isBlank(text)) {
            // Blank, or only characters nobody sees (a page of zero-width spaces): nothing to embed.
            throw new ExtractException(entry.link() + ": no article text found"
                    + (selector != null ? " (selector '" + selector + "' matched nothing with text)" : ""));
        }
        String title = !entry.title().isBlank() ? entry.title() : Printable.line(page.title(), FeedReader.MAX_TITLE_CHARS);
        return new Article(entry.link(), title, entry.published(), text, Article.Source.PAGE);
    }

    static boolean isWholeArticle(String text) {
        return HtmlText.words(text) >= MIN_FULL_CONTENT_WORDS && !TEASER_ENDING.matcher(text).matches();
    }

    private Document fetch(URI link, Access links) throws ExtractException {
        FetchedResource resource;
        try {
            resource = fetcher.get(link, links, Expect.PAGE);
        } catch (FetchException e) {
            throw new ExtractException(e.getMessage(), e);
        }
        byte[] body = resource.body();
        String binary = BinarySniffer.binaryKind(body, resource.mediaType());
        if (binary != null) {
            throw new ExtractException(resource.uri() + ": got " + binary + ", not an HTML page");
        }
        String base = resource.uri().toString();
        try {
            // With no charset in the headers jsoup reads the BOM or <meta charset>, else assumes UTF-8.
            Charset declared = resource.declaredCharset().map(TextDecoding::forLabel).orElse(null);
            Document page = Jsoup.parse(new ByteArrayInputStream(body), declared == null ? null : declared.name(), base);
            if (page.charset().equals(StandardCharsets.UTF_8) && !TextDecoding.isUtf8(body)) {
                return Jsoup.parse(TextDecoding.utf8OrWindows1252(body), base);
            }
            if (declared == null && !page.charset().equals(TextDecoding.forLabel(page.charset()))) {
                return Jsoup.parse(new ByteArrayInputStream(body), TextDecoding.WINDOWS_1252.name(), base);
            }
            return page;
        } catch (IOException e) {
            throw new ExtractException(link + ": page could not be parsed: " + e.getMessage(), e);
        }
    }

    private String articleText(Document page) {
        page.select(NOT_ARTICLE).remove();
        if (selector != null) {
            return textOfLargest(page.select(selector));
        }
        for (String container : ARTICLE_CONTAINERS) {
            String text = textOfLargest(page.select(container));
            if (HtmlText.words(text) >= MIN_CONTAINER_WORDS) {
                return text;
            }
        }
        return HtmlText.of(largestTextBlock(page));
    }

    private static String textOfLargest(Elements elements) {
        String best = "";
        for (Element e : elements) {
            String text = HtmlText.of(e);
            if (text.length() > best.length()) {
                best = text;
            }
        }
        return best;
    }

    /** The element whose own paragraphs hold the most text: where the article is on most pages. */
    private static Element largestTextBlock(Document page) {
        Element best = page.body();
        int bestScore = 0;
        for (Element candidate : page.body().select("div, section, td, article, main")) {
            int score = 0;
            for (Element child : candidate.children()) {
                String name = child.normalName().toLowerCase(Locale.ROOT);
                if (name.equals("p") || name.equals("pre") || name.equals("blockquote")
                        || name.equals("ul") || name.equals("ol")) {
                    score += child.text().length();
                }
            }
            if (score > bestScore) {
                bestScore = score;
                best = candidate;
            }
        }
        return best;
    }
}
