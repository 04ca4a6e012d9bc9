package feedsearch.fetch;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Recognises bodies that are not text whatever their Content-Type says, by common file
 * signatures; and, for bodies not labelled as markup, by NUL bytes in their first kilobyte, which
 * text in a byte encoding does not hold (a page labelled HTML may carry a stray one).
 */
public final class BinarySniffer {
    private static final Map<String, byte[]> SIGNATURES = Map.ofEntries(
            Map.entry("a PDF document", ascii("%PDF-")),
            Map.entry("a PNG image", new byte[]{(byte) 0x89, 'P', 'N', 'G'}),
            Map.entry("a JPEG image", new byte[]{(byte) 0xff, (byte) 0xd8, (byte) 0xff}),
            Map.entry("a GIF image", ascii("GIF8")),
            Map.entry("a ZIP archive or office document", new byte[]{'P', 'K', 3, 4}),
            Map.entry("gzip data", new byte[]{0x1f, (byte) 0x8b}),
            Map.entry("a RIFF file (WebP, WAV, AVI)", ascii("RIFF")),
            Map.entry("an Ogg file", ascii("OggS")),
            Map.entry("an MP3 file", ascii("ID3")),
            Map.entry("a PostScript document", ascii("%!PS")));
    private static final int SNIFFED_BYTES = 1024;

    private BinarySniffer() {
    }

    /**
     * What the body is when it is not text, e.g. "a PDF document"; null when it may be text.
     *
     * @param mediaType the declared media type, lower case; null when none
     */
    public static String binaryKind(byte[] body, String mediaType) {
        int start = 0;
        // Only the whitespace text may start with: Character.isWhitespace would take gzip's 0x1f too.
        while (start < body.length && start < 16 && (body[start] == ' ' || body[start] == '\t' || body[start] == '\n' || body[start] == '\r')) {
            start++;
        }
        for (Map.Entry<String, byte[]> signature : SIGNATURES.entrySet()) {
            byte[] magic = signature.getValue();
            if (body.length - start >= magic.length
                    && Arrays.equals(body, start, start + magic.length, magic, 0, magic.length)) {
                return signature.getKey();
            }
        }
        if (body.length >= 12 && body[4] == 'f' && body[5] == 't' && body[6] == 'y' && body[7] == 'p') {
            return "an MP4 or HEIF file";
        }
        boolean markup = mediaType != null && (mediaType.contains("html") || mediaType.contains("xml"));
        boolean utf16 = body.length >= 2 && ((body[0] == (byte) 0xfe && body[1] == (byte) 0xff)
                || (body[0] == (byte) 0xff && body[1] == (byte) 0xfe));
        if (!markup && !utf16) {
            for (int i = 0; i < Math.min(body.length, SNIFFED_BYTES); i++) {
                if (body[i] == 0) {
                    return "binary data";
                }
            }
        }
        return null;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
