package feedsearch.feed;

import com.rometools.opml.feed.opml.Opml;
import com.rometools.opml.feed.opml.Outline;
import com.rometools.opml.io.impl.OPML10Parser;
import com.rometools.opml.io.impl.OPML20Parser;
import com.rometools.rome.io.WireFeedParser;
import feedsearch.Printable;
import org.jdom2.Document;
import org.jdom2.Element;
import org.jdom2.JDOMException;
import org.jdom2.input.JDOMParseException;
import org.jdom2.input.SAXBuilder;
import org.jdom2.input.sax.XMLReaders;
import org.xml.sax.SAXException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The feeds of an OPML file, the list every feed reader exports: each {@code <outline>} with an
 * {@code xmlUrl} is a feed, named by its {@code title} (else its {@code text}); outlines without
 * one are folders, nested to any depth, and are descended into. A feed listed twice (in two
 * folders, say) comes back once, where it first appears.
 *
 * <p>Rome's OPML module reads the outlines; the XML under it is parsed here, hardened, because an
 * OPML file comes from anywhere: a DOCTYPE is refused outright (so no DTD, external entity or
 * entity expansion is ever processed) and nothing outside the file is read.
 */
public final class OpmlFeedList {
    /**
     * Elements nested deeper than this are refused while parsing: feed readers nest folders a few
     * levels, and a deep tree costs JDOM quadratic time (a 50,000-deep one takes seconds).
     */
    public static final int MAX_DEPTH = 200;

    /**
     * One feed of the list.
     *
     * @param title the outline's title, else its text, made printable; null when it has neither
     */
    public record Entry(URI url, String title) {
    }

    private OpmlFeedList() {
    }

    public static List<Entry> read(Path file) throws FeedListException {
        return parse(FeedListFile.bytesOf(file, "an OPML file"));
    }

    /** The feeds of an OPML document, in document order, each URL once. */
    public static List<Entry> parse(byte[] bytes) throws FeedListException {
        Document document = xml(bytes);
        Element root = document.getRootElement();
        if (!root.getName().equals("opml")) {
            throw new FeedListException("not an OPML file: its root element is <" + Printable.line(root.getName(), 40)
                    + ">, not <opml>");
        }
        if (root.getChild("body", root.getNamespace()) == null) {
            throw new FeedListException("not an OPML file: it has no <body>");
        }
        Map<URI, Entry> feeds = new LinkedHashMap<>();
        try {
            // The 2.0 parser knows 2.0's extra attributes; the 1.0 one reads every other version (1.0, 1.1, none).
            WireFeedParser parser = "2.0".equals(root.getAttributeValue("version")) ? new OPML20Parser() : new OPML10Parser();
            Opml opml = (Opml) parser.parse(document, false, Locale.ROOT);
            collect(opml.getOutlines(), feeds);
        } catch (com.rometools.rome.io.FeedException | RuntimeException e) {
            throw new FeedListException("not a valid OPML file: " + Printable.line(String.valueOf(e.getMessage()), 200));
        } catch (StackOverflowError e) {
            throw new FeedListException("not a valid OPML file: outlines nested too deeply");
        }
        if (feeds.isEmpty()) {
            throw new FeedListException("lists no feed (no <outline> has an xmlUrl)");
        }
        return List.copyOf(feeds.values());
    }

    private static void collect(List<Outline> outlines, Map<URI, Entry> feeds) throws FeedListException {
        for (Outline outline : outlines) {
            String xmlUrl = outline.getXmlUrl();
            if (xmlUrl != null && !xmlUrl.isBlank()) {
                String title = Printable.line(outline.getTitle(), FeedReader.MAX_TITLE_CHARS);
                if (title.isEmpty()) {
                    title = Printable.line(outline.getText(), FeedReader.MAX_TITLE_CHARS);
                }
                URI url = feedUrl(xmlUrl, title);
                feeds.putIfAbsent(url, new Entry(url, title.isEmpty() ? null : title));
            }
            collect(outline.getChildren(), feeds);
        }
    }

    /** Only web feeds: a list from elsewhere must not make the command read local files. */
    private static URI feedUrl(String xmlUrl, String title) throws FeedListException {
        String where = title.isEmpty() ? "" : " ('" + title + "')";
        try {
            URI url = new URI(xmlUrl.strip());
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && url.getHost() != null) {
                return url;
            }
        } catch (URISyntaxException e) {
            // Reported below.
        }
        throw new FeedListException("the xmlUrl of an outline" + where + " is not an http(s) URL: "
                + Printable.line(xmlUrl, 200));
    }

    private static Document xml(byte[] bytes) throws FeedListException {
        SAXBuilder builder = new SAXBuilder(XMLReaders.NONVALIDATING);
        builder.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        builder.setFeature("http://xml.org/sax/features/external-general-entities", false);
        builder.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        builder.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        builder.setExpandEntities(false);
        // The JDK's own SAX parser (the only one on the class path) enforces this limit as it reads.
        builder.setProperty("http://www.oracle.com/xml/jaxp/properties/maxElementDepth", String.valueOf(MAX_DEPTH));
        builder.setEntityResolver((publicId, systemId) -> {
            throw new SAXException("external entity refused: " + systemId);
        });
        try {
            return builder.build(new ByteArrayInputStream(bytes));
        } catch (JDOMParseException e) {
            String reason = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            if (reason != null && reason.contains("DOCTYPE")) {
                throw new FeedListException("refused: it declares a DOCTYPE, which OPML does not use "
                        + "(DTDs and entities are never read from a feed list)");
            }
            if (reason != null && reason.contains("maxElementDepth")) {
                throw new FeedListException("not a valid OPML file: elements nested deeper than " + MAX_DEPTH);
            }
            throw new FeedListException("not well-formed XML (line " + e.getLineNumber() + "): "
                    + Printable.line(reason, 200));
        } catch (JDOMException | IOException e) {
            throw new FeedListException("not well-formed XML: " + Printable.line(String.valueOf(e.getMessage()), 200));
        } catch (RuntimeException e) {
            // JDOM refuses, unchecked, what its XML parser let through: a control character in an XML 1.1 attribute.
            throw new FeedListException("not a valid OPML file: " + Printable.line(String.valueOf(e.getMessage()), 200));
        }
    }
}
