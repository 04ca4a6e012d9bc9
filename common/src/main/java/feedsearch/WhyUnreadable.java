package feedsearch;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Why a file the user named could not be read, in words and on one line, without its path: the caller names it already. */
public final class WhyUnreadable {
    private WhyUnreadable() {
    }

    public static String of(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        // A file system's message starts with the path; its reason is the rest.
        String why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        return Printable.line(String.valueOf(why), 200);
    }
}
