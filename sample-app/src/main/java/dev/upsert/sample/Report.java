package dev.upsert.sample;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.sql.DataSource;

/**
 * The demo's output: one block per scenario with the steps, the SQL Hibernate ran, the outcomes and what the table
 * holds afterwards, laid out for a person to scan.
 */
final class Report {

    private static final int MAX_ROWS = 8;
    // Where a long upsert statement reads best when broken.
    private static final Pattern CLAUSE = Pattern.compile(" (?=on conflict|do update|do nothing|returning |from unnest|upsert\\d*_ins as |select upsert\\d*_p\\.upsert\\d*_ord|left join )");
    /** {@code VALUES} followed by one or more parameter rows; group 1 is the first row. */
    private static final Pattern VALUE_ROWS = Pattern.compile("(\\([?,]+\\))(?:,\\([?,]+\\))+");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final PrintStream out;
    private final DataSource dataSource;

    Report(PrintStream out, DataSource dataSource) {
        this.out = out;
        this.dataSource = dataSource;
    }

    void title(String text) {
        out.println(text);
    }

    void scenario(int number, String title, String point) {
        out.println();
        String heading = "== " + number + ". " + title + " ";
        out.println(heading + "=".repeat(Math.max(3, 78 - heading.length())));
        out.println(point);
    }

    void step(String text) {
        out.println("  " + text);
    }

    void sql(Map<String, Integer> statements) {
        out.println("SQL (as Hibernate prepared it):");
        if (statements.isEmpty()) {
            out.println("  (none)");
        }
        statements.forEach((sql, times) -> {
            String text = CLAUSE.matcher(shortenValues(sql)).replaceAll("\n      ");
            out.println("  " + text + (times > 1 ? "    [x" + times + "]" : ""));
        });
    }

    /** A multi-row {@code VALUES (?,?),(?,?),...} shown as its first row and the number of rows. */
    static String shortenValues(String sql) {
        Matcher rows = VALUE_ROWS.matcher(sql);
        if (!rows.find()) {
            return sql;
        }
        int count = rows.group(0).split("\\),\\(", -1).length;
        return count < 3 ? sql : sql.substring(0, rows.start()) + rows.group(1) + ", ... (" + count + " rows)" + sql.substring(rows.end());
    }

    void outcomes(List<String> outcomes) {
        out.println("Outcomes: " + String.join(", ", outcomes));
    }

    /** Runs a query outside Hibernate and prints the result as a small table. */
    void table(String select) throws SQLException {
        out.println("Table afterwards: " + select);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(select)) {
            ResultSetMetaData meta = rs.getMetaData();
            int columns = meta.getColumnCount();
            List<String[]> rows = new ArrayList<>();
            String[] header = new String[columns];
            for (int i = 0; i < columns; i++) {
                header[i] = meta.getColumnLabel(i + 1);
            }
            int total = 0;
            while (rs.next()) {
                if (++total > MAX_ROWS) {
                    continue;
                }
                String[] row = new String[columns];
                for (int i = 0; i < columns; i++) {
                    row[i] = "timestamptz".equals(meta.getColumnTypeName(i + 1))
                            ? time(rs.getObject(i + 1, OffsetDateTime.class))
                            : String.valueOf(rs.getObject(i + 1));
                }
                rows.add(row);
            }
            print(header, rows);
            if (total > MAX_ROWS) {
                out.println("  ... " + (total - MAX_ROWS) + " more rows");
            }
        }
    }

    void line(String text) {
        out.println(text);
    }

    private void print(String[] header, List<String[]> rows) {
        int[] widths = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            widths[i] = header[i].length();
            for (String[] row : rows) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        out.println(format(header, widths));
        out.println("  " + Arrays.stream(widths).mapToObj("-"::repeat).collect(Collectors.joining("-+-")));
        for (String[] row : rows) {
            out.println(format(row, widths));
        }
    }

    private static String format(String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder("  ");
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append(" | ");
            }
            line.append(cells[i]).append(" ".repeat(widths[i] - cells[i].length()));
        }
        return line.toString().stripTrailing();
    }

    private static String time(OffsetDateTime value) {
        return value == null ? "null" : TIME.format(value);
    }
}
