// The PostgreSQL backend's rewriting of the store's statements (store/postgres.h); the backend
// itself is exercised by the whole end-to-end suite run on PostgreSQL (e2e_postgres_*).
#include "store/postgres.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

namespace millrace::store {
namespace {

std::string rewrite(const std::string& sql, int expected_count) {
  int count = -1;
  std::string out = postgres_parameters(sql, count);
  EXPECT_EQ(count, expected_count) << sql;
  return out;
}

TEST(PostgresParametersTest, NumbersBareAndNumberedParametersAsSqliteDoes) {
  EXPECT_EQ(rewrite("SELECT 1 FROM t WHERE a = ? AND b = ?", 2),
            "SELECT 1 FROM t WHERE a = $1 AND b = $2");
  EXPECT_EQ(rewrite("WHERE a = ?1 AND (?2 IS NULL OR b = ?2) AND c = ?12", 12),
            "WHERE a = $1 AND ($2 IS NULL OR b = $2) AND c = $12");
  // A bare `?` after `?N` is the one after the highest so far.
  EXPECT_EQ(rewrite("VALUES (?3, ?)", 4), "VALUES ($3, $4)");
  EXPECT_EQ(rewrite("SELECT 1", 0), "SELECT 1");
}

TEST(PostgresParametersTest, LeavesQuestionMarksInQuotesAlone) {
  EXPECT_EQ(rewrite("SELECT '?', \"a?b\" FROM t WHERE x = ? AND y = 'it''s ?'", 1),
            "SELECT '?', \"a?b\" FROM t WHERE x = $1 AND y = 'it''s ?'");
}

}  // namespace
}  // namespace millrace::store

namespace millrace::store {
namespace {

// Against a real PostgreSQL: the CTest entry `unit_postgres_connection` runs these with
// MILLRACE_E2E_POSTGRES set (on the tests' throwaway cluster); elsewhere they are skipped.
class PostgresConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("MILLRACE_E2E_POSTGRES");
    if (!url) GTEST_SKIP() << "needs the tests' PostgreSQL cluster (MILLRACE_E2E_POSTGRES)";
    url_ = url;
  }
  std::unique_ptr<Connection> open() {
    auto c = Connection::open(url_, false);
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? std::move(*c) : nullptr;
  }
  // Runs a one-row SELECT; its first column.
  static int64_t first_value(Statement& s) {
    auto row = s.step();
    EXPECT_TRUE(row && *row) << (row ? "no row" : row.error().message);
    return row && *row ? s.int64(0) : -1;
  }
  int64_t count(Connection& c) {
    auto s = c.prepare("SELECT count(*) FROM unit_lost_session");
    return first_value(s);
  }
  std::string url_;
};

TEST_F(PostgresConnectionTest, ASessionLostInATransactionCommitsNothingThenWorksAgain) {
  auto conn = open();
  auto other = open();
  ASSERT_TRUE(conn && other);
  ASSERT_TRUE(
      conn->exec("DROP TABLE IF EXISTS unit_lost_session; "
                 "CREATE TABLE unit_lost_session (v TEXT)"));
  auto pid_of = conn->prepare("SELECT pg_backend_pid()");
  int64_t pid = first_value(pid_of);
  const std::string insert = "INSERT INTO unit_lost_session VALUES (?)";

  ASSERT_TRUE(conn->begin());
  ASSERT_TRUE(conn->prepare(insert).bind(1, "before").run());
  // What a database restart does to the session, in the middle of the transaction.
  ASSERT_TRUE(other->prepare("SELECT pg_terminate_backend(CAST(? AS INTEGER))").bind(1, pid).run());
  EXPECT_FALSE(conn->prepare(insert).bind(1, "after").run());
  EXPECT_FALSE(conn->prepare(insert).bind(1, "later").run()) << "nothing runs outside it";
  EXPECT_FALSE(conn->exec("COMMIT")) << "a transaction that was lost cannot commit";
  EXPECT_EQ(count(*other), 0);

  // The connection was opened again: the next transaction is whole.
  ASSERT_TRUE(conn->begin());
  ASSERT_TRUE(conn->prepare(insert).bind(1, "next").run());
  ASSERT_TRUE(conn->exec("COMMIT"));
  EXPECT_EQ(count(*other), 1);
  ASSERT_TRUE(other->exec("DROP TABLE unit_lost_session"));
}

TEST_F(PostgresConnectionTest, APipelinedTransactionSendsWritesAndReadsWhatItAsks) {
  auto conn = open();
  auto other = open();
  ASSERT_TRUE(conn && other);
  ASSERT_TRUE(conn->exec(
      "DROP TABLE IF EXISTS unit_pipeline; CREATE TABLE unit_pipeline (k TEXT PRIMARY KEY, n "
      "BIGINT)"));
  ASSERT_TRUE(conn->begin());
  conn->begin_pipeline();
  // More than one round of unread answers (the pipeline reads them every so often).
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(conn->prepare("INSERT INTO unit_pipeline VALUES (?, ?)")
                    .bind(1, "k" + std::to_string(i))
                    .bind(2, int64_t{i})
                    .run());
  }
  ASSERT_TRUE(conn->prepare("UPDATE unit_pipeline SET n = n + 1 WHERE n < 10").run());
  EXPECT_EQ(conn->changes(), 10) << "changes() waits for the answers";
  {
    auto sum = conn->prepare("SELECT sum(n) FROM unit_pipeline");
    EXPECT_EQ(first_value(sum), 600 * 599 / 2 + 10) << "a read sees the writes sent before it";
  }
  {
    // A statement stepped for its first row, then run to its end, runs once.
    auto returning = conn->prepare("INSERT INTO unit_pipeline VALUES ('last', 0) RETURNING n");
    EXPECT_EQ(first_value(returning), 0);
    ASSERT_TRUE(returning.run());
  }
  ASSERT_TRUE(conn->exec("SAVEPOINT x"));
  ASSERT_TRUE(conn->end_pipeline());
  ASSERT_TRUE(conn->exec("COMMIT"));
  auto rows = other->prepare("SELECT count(*) FROM unit_pipeline");
  EXPECT_EQ(first_value(rows), 601);
  ASSERT_TRUE(other->exec("DROP TABLE unit_pipeline"));
}

TEST_F(PostgresConnectionTest, AnErrorInThePipelineIsReportedAtItsEndAndNothingAfterItRuns) {
  auto conn = open();
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->exec(
      "DROP TABLE IF EXISTS unit_pipeline_error; CREATE TABLE unit_pipeline_error (k TEXT "
      "PRIMARY KEY)"));
  ASSERT_TRUE(conn->begin());
  conn->begin_pipeline();
  const std::string insert = "INSERT INTO unit_pipeline_error VALUES (?)";
  EXPECT_TRUE(conn->prepare(insert).bind(1, "a").run());
  EXPECT_TRUE(conn->prepare(insert).bind(1, "a").run()) << "sent: its error comes later";
  EXPECT_TRUE(conn->prepare(insert).bind(1, "b").run());
  auto ended = conn->end_pipeline();
  ASSERT_FALSE(ended);
  EXPECT_NE(ended.error().message.find("already exists"), std::string::npos)
      << ended.error().message;
  ASSERT_TRUE(conn->exec("ROLLBACK"));
  // The connection is whole again, out of the pipeline.
  auto rows = conn->prepare("SELECT count(*) FROM unit_pipeline_error");
  EXPECT_EQ(first_value(rows), 0);
  ASSERT_TRUE(conn->exec("DROP TABLE unit_pipeline_error"));
}

TEST_F(PostgresConnectionTest, AnIdleSessionThatWasCutIsOpenedAgainUnnoticed) {
  auto conn = open();
  auto other = open();
  ASSERT_TRUE(conn && other);
  int64_t pid = 0;
  {
    auto pid_of = conn->prepare("SELECT pg_backend_pid()");
    pid = first_value(pid_of);
  }
  ASSERT_TRUE(other->prepare("SELECT pg_terminate_backend(CAST(? AS INTEGER))").bind(1, pid).run());
  auto again = conn->prepare("SELECT pg_backend_pid()");
  int64_t now = first_value(again);
  EXPECT_GT(now, 0);
  EXPECT_NE(now, pid);
}

}  // namespace
}  // namespace millrace::store
