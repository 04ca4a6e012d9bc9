package feedsearch.feed;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class PostIdTest {
    private static String id(String url) {
        return PostId.of(URI.create(url)).value();
    }

    @Test
    void spellingsOfTheSameUrlShareAnId() {
        String canonical = id("https://blog.example.org/2024/01/post/");
        assertEquals(canonical, id("HTTPS://Blog.Example.ORG/2024/01/post/"));
        assertEquals(canonical, id("https://blog.example.org:443/2024/01/post/#comments"));
        assertEquals(canonical, id("https://blog.example.org/2024/01/post/?utm_source=rss&utm_medium=feed"));
        assertEquals(canonical, id("https://blog.example.org/2024/01/./post/"));
    }

    @Test
    void meaningfulDifferencesKeepIdsApart() {
        assertNotEquals(id("https://blog.example.org/a"), id("https://blog.example.org/b"));
        assertNotEquals(id("https://blog.example.org/post?id=1"), id("https://blog.example.org/post?id=2"));
        assertEquals("https://blog.example.org/post?id=1",
                PostId.of(URI.create("https://blog.example.org/post?id=1&fbclid=abc")).canonicalUrl());
    }

    @Test
    void idIsSixteenHexCharactersOfSha256() {
        // sha256("https://example.org/") = 8198d1bac40a1033653a78e48800cefc9e6b974ff075c66e5548b5c1e145a2b0
        assertEquals("8198d1bac40a1033", id("https://example.org"));
    }
}
