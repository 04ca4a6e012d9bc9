package feedsearch.testing;

import feedsearch.cli.FeedsearchCommand;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** A command run in process, as its launcher would run it, with what it printed. */
public record CommandRun(int exitCode, String out, String err) {

    public static CommandRun of(FeedsearchCommand command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = FeedsearchCommand.commandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CommandRun(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
