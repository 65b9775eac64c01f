package dev.upsert.sample;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/** The command line, read once. A mistake in it is an {@link IllegalArgumentException} whose message is for the user. */
record Options(String jdbcUrl, String user, String password, int rows, boolean help) {

    static final String USAGE = """
            Usage: sample-app [--jdbc-url URL] [--user NAME] [--password SECRET] [--rows N] [--help]

            Runs every upsert-hibernate scenario against PostgreSQL and prints what happened.

              --jdbc-url URL     jdbc:postgresql://host:port/db (or postgres://user:secret@host/db).
                                 Default: $DATABASE_URL, else an embedded PostgreSQL started for the run.
              --user NAME        database user (default: from the URL, else postgres)
              --password SECRET  database password (default: from the URL, else empty)
              --rows N           rows in the bulk import (default 50000)
              --help             this text

            The demo creates its tables with db/V*.sql and empties them before it runs.
            Exit codes: 0 every scenario ran, 1 a scenario failed, 2 bad arguments or no database.
            """;

    static final int DEFAULT_ROWS = 50_000;

    /** True when the demo should start its own embedded PostgreSQL. */
    boolean embedded() {
        return jdbcUrl == null;
    }

    static Options parse(String[] args, Map<String, String> env) {
        String url = blankToNull(env.get("DATABASE_URL"));
        String user = null;
        String password = null;
        int rows = DEFAULT_ROWS;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> help = true;
                case "--jdbc-url" -> url = value(args, ++i, "--jdbc-url");
                case "--user" -> user = value(args, ++i, "--user");
                case "--password" -> password = value(args, ++i, "--password");
                case "--rows" -> rows = positive(value(args, ++i, "--rows"));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (help || url == null) {
            return new Options(null, user, password, rows, help);
        }
        return withCredentials(url, user, password, rows);
    }

    /**
     * Accepts the JDBC form, and the {@code postgres://user:secret@host:port/db} form that platforms put in
     * {@code DATABASE_URL}; explicit --user / --password win over credentials in the URL.
     */
    private static Options withCredentials(String url, String user, String password, int rows) {
        if (url.startsWith("jdbc:postgresql:")) {
            return new Options(url, user == null ? "postgres" : user, password == null ? "" : password, rows, false);
        }
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            throw new IllegalArgumentException("--jdbc-url must start with jdbc:postgresql:// or postgres://, got '"
                    + Redaction.url(url) + "'");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--jdbc-url is not a valid URL: '" + Redaction.url(url) + "'");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("--jdbc-url names no host: '" + Redaction.url(url) + "'");
        }
        String[] userInfo = uri.getRawUserInfo() == null ? new String[0] : uri.getUserInfo().split(":", 2);
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new Options(jdbc,
                user != null ? user : userInfo.length > 0 ? userInfo[0] : "postgres",
                password != null ? password : userInfo.length > 1 ? userInfo[1] : "",
                rows, false);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String text) {
        try {
            int n = Integer.parseInt(text.replace("_", "").replace(",", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the one message below
        }
        throw new IllegalArgumentException("--rows must be a positive whole number, got '" + text + "'");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
