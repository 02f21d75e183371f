// Drives the Trino JDBC driver for test/trino: runs statements and prints what came back, one line per
// fact, so the test can compare results through Junction with results straight from a coordinator.
// Run as a single-file program: java -cp trino-jdbc-<v>.jar JdbcClient.java <jdbc-url> <mode> <sql>...
//
//   run <sql>...     executes each statement in order; prints "#query <id>", then one line per row
//                    (columns as getString, tab-separated) or "#update <count>"
//   cancel <sql>     executes the statement on another thread; prints "#query <id>" as soon as the
//                    driver knows it, waits for a line "cancel" on stdin, calls Statement.cancel() and
//                    prints "#cancelled <SQLException message>"
//
// User, source and client tags travel in the URL (?user=…&source=…&clientTags=…).
import io.trino.jdbc.TrinoResultSet;
import io.trino.jdbc.TrinoStatement;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

public class JdbcClient {
  private static final PrintStream OUT = new PrintStream(System.out, false, StandardCharsets.UTF_8);

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: JdbcClient <jdbc-url> run|cancel <sql>...");
      System.exit(2);
    }
    String url = args[0];
    String mode = args[1];
    try (Connection connection = DriverManager.getConnection(url)) {
      switch (mode) {
        case "run" -> {
          for (String sql : Arrays.copyOfRange(args, 2, args.length)) run(connection, sql);
        }
        case "cancel" -> cancel(connection, args[2]);
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
    }
    OUT.flush();
  }

  private static void run(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      // The progress monitor is the driver's only way to name the query of an update.
      AtomicReference<String> queryId = new AtomicReference<>("?");
      statement.unwrap(TrinoStatement.class).setProgressMonitor(stats -> queryId.set(stats.getQueryId()));
      boolean hasRows = statement.execute(sql);
      if (!hasRows) {
        OUT.println("#query " + queryId.get());
        OUT.println("#update " + statement.getUpdateCount());
        return;
      }
      try (ResultSet rows = statement.getResultSet()) {
        OUT.println("#query " + rows.unwrap(TrinoResultSet.class).getQueryId());
        int columns = rows.getMetaData().getColumnCount();
        StringBuilder line = new StringBuilder();
        while (rows.next()) {
          line.setLength(0);
          for (int i = 1; i <= columns; i++) {
            if (i > 1) line.append('\t');
            line.append(rows.getString(i));
          }
          OUT.println(line);
        }
      }
    }
  }

  private static void cancel(Connection connection, String sql) throws Exception {
    Statement statement = connection.createStatement();
    AtomicBoolean announced = new AtomicBoolean();
    statement.unwrap(TrinoStatement.class).setProgressMonitor(stats -> {
      if (announced.compareAndSet(false, true)) {
        OUT.println("#query " + stats.getQueryId());
        OUT.flush();
      }
    });
    CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
      try (ResultSet rows = statement.executeQuery(sql)) {
        while (rows.next()) {
          // Drain whatever arrives until the cancel interrupts us.
        }
        return "#finished";
      } catch (SQLException e) {
        return "#cancelled " + e.getMessage();
      }
    });
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = stdin.readLine();
    if (!"cancel".equals(line)) throw new IllegalStateException("expected 'cancel' on stdin, got " + line);
    statement.cancel();
    OUT.println(outcome.get(60, TimeUnit.SECONDS).replace('\n', ' '));
    OUT.flush();
  }
}
