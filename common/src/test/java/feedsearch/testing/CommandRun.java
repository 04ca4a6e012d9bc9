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

    /** A run on the local store at {@code storePath}, as {@code --store-path storePath ARGS}. */
    public static CommandRun inStore(FeedsearchCommand command, String storePath, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--store-path";
        all[1] = storePath;
        System.arraycopy(args, 0, all, 2, args.length);
        return of(command, all);
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
