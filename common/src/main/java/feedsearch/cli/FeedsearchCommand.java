package feedsearch.cli;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.Printable;
import feedsearch.config.Settings;
import feedsearch.embed.LocalEmbedder;
import feedsearch.openai.OpenAiException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Base of every command: runs it and turns failures into one line on stderr and the documented
 * exit code. A stack trace is printed only for bugs, and only with FEEDSEARCH_DEBUG set.
 */
public abstract class FeedsearchCommand implements Callable<Integer> {
    public static final String EXIT_CODES = """
            Exit codes:
              0  success
              1  finished, but some feeds or posts failed (they are listed)
              2  usage error
              3  store or provider unreachable, or no index yet
              4  index incompatible with the embedder or model
              5  another ingest holds the index lock
              130, 143  stopped by Ctrl-C or SIGTERM""";

    public static final String CONFIG = """
            Defaults for any option can go in ~/.config/feedsearch/config.properties
            ($XDG_CONFIG_HOME, or $FEEDSEARCH_CONFIG for another file): long option names
            without dashes, e.g. index=blog or redis=redis://cache:6379. Flags win.""";

    /** Messages can quote what servers sent; one line of a terminal is what they get. */
    protected static final int MAX_MESSAGE_CHARS = 1000;

    @Spec
    protected CommandSpec spec;

    /** Environment of this process; tests replace it on the top command. */
    protected Map<String, String> env = System.getenv();

    /** Standard input of this process; tests replace it on the top command, like {@link #env}. */
    protected InputStream stdin = System.in;

    protected abstract int execute();

    @Override
    public final Integer call() {
        try {
            adoptParentOptions();
            return execute();
        } catch (FeedsearchException e) {
            err().println(name() + ": " + Printable.line(e.getMessage(), MAX_MESSAGE_CHARS));
            return e.exitCode().code();
        } catch (OpenAiException e) {
            // The API kept failing or answered nonsense: a provider problem, exit 3.
            err().println(name() + ": " + Printable.line(e.getMessage(), MAX_MESSAGE_CHARS));
            return ExitCode.UNREACHABLE.code();
        } catch (CommandLine.ParameterException e) {
            throw e; // picocli prints these with the usage hint
        } catch (RuntimeException e) {
            err().println(name() + ": unexpected error: " + Printable.line(e.toString(), MAX_MESSAGE_CHARS)
                    + (env().containsKey("FEEDSEARCH_DEBUG") ? "" : " (set FEEDSEARCH_DEBUG=1 for the stack trace)"));
            if (env().containsKey("FEEDSEARCH_DEBUG")) {
                e.printStackTrace(err());
            }
            return ExitCode.PARTIAL_FAILURE.code();
        } finally {
            out().flush();
            err().flush();
        }
    }

    /**
     * Options typed before a subcommand's name ({@code ingest --store-path DIR drop}) are parsed
     * as the parent's. The subcommand takes over each one it has too and refuses the rest, so it
     * never quietly acts on another index than the one the user named.
     */
    private void adoptParentOptions() {
        CommandSpec parent = spec.parent();
        if (parent == null) {
            return;
        }
        CommandLine.ParseResult own = spec.commandLine().getParseResult();
        for (OptionSpec given : parent.commandLine().getParseResult().matchedOptions()) {
            OptionSpec mine = spec.findOption(given.longestName());
            if (mine == null) {
                throw usage(given.longestName() + " does not apply to '" + name() + "' (see " + name() + " --help)");
            }
            if (own != null && own.hasMatchedOption(mine)) {
                if (!Objects.equals(given.getValue(), mine.getValue())) {
                    throw usage(given.longestName() + " is given twice, before and after '" + spec.name() + "', with different values");
                }
            } else {
                mine.setValue(given.getValue());
            }
        }
    }

    protected Settings baseSettings() {
        return Settings.defaults(env(), VersionProvider.version());
    }

    /** The top command's environment, so subcommands see what it was given. */
    private Map<String, String> env() {
        return top().userObject() instanceof FeedsearchCommand root ? root.env : env;
    }

    /** The top command's standard input. */
    protected InputStream in() {
        return top().userObject() instanceof FeedsearchCommand root ? root.stdin : stdin;
    }

    private CommandSpec top() {
        CommandSpec top = spec;
        while (top.parent() != null) {
            top = top.parent();
        }
        return top;
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    protected String name() {
        return spec.qualifiedName();
    }

    protected FeedsearchException usage(String message) {
        return new FeedsearchException(ExitCode.USAGE, message);
    }

    /** Runs a command the way both launchers do; picocli's own usage errors exit 2, like ours. */
    public static int run(FeedsearchCommand command, String... args) {
        return commandLine(command).execute(args);
    }

    /**
     * A launcher's main: runs the command and exits with its code, once a load of the local model
     * under way has ended (both commands load it while they read, and onnxruntime aborts a JVM
     * that exits mid-load, as a command that stops early on a mistake would).
     */
    public static void runAndExit(FeedsearchCommand command, String... args) {
        int exitCode = run(command, args);
        LocalEmbedder.awaitPreload();
        System.exit(exitCode);
    }

    /**
     * The command's picocli model, with option defaults from the config file when there is one:
     * {@code $FEEDSEARCH_CONFIG}, else {@code $XDG_CONFIG_HOME/feedsearch/config.properties}
     * (default {@code ~/.config/feedsearch/config.properties}); keys are long option names
     * without dashes, e.g. {@code index=blog} or {@code redis=redis://cache:6379}.
     */
    public static CommandLine commandLine(FeedsearchCommand command) {
        CommandLine cl = new CommandLine(command);
        cl.setParameterExceptionHandler(new UsageMistakes());
        Path config = configFile(command.env);
        if (Files.isRegularFile(config)) {
            cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(config.toFile()));
        }
        return cl;
    }

    /**
     * A mistake in the arguments, said in one line and a pointer to --help, as our own usage
     * errors are; picocli's default prints the whole help (110-150 lines) after the message, and
     * echoes the value given as it is, escape sequences included. A class, not a method
     * reference: as one, JDK 17's dump of the start-up archive crashed (SIGSEGV in
     * adjust_lambda_proxy_class_dictionary), and the launchers ran without an archive.
     */
    private static final class UsageMistakes implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException mistake, String[] args) {
            CommandLine command = mistake.getCommandLine();
            PrintWriter err = command.getErr();
            String name = command.getCommandSpec().qualifiedName();
            err.println(name + ": " + Printable.line(mistake.getMessage(), MAX_MESSAGE_CHARS));
            CommandLine.UnmatchedArgumentException.printSuggestions(mistake, err);
            err.println("Try '" + name + " --help' for the options and examples.");
            err.flush();
            return command.getCommandSpec().exitCodeOnInvalidInput();
        }
    }

    static Path configFile(Map<String, String> env) {
        String explicit = env.get("FEEDSEARCH_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return base.resolve("feedsearch").resolve("config.properties");
    }
}
