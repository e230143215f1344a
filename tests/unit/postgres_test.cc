// The PostgreSQL backend's rewriting of the store's statements (store/postgres.h); the backend
// itself is exercised by the whole end-to-end suite run on PostgreSQL (e2e_postgres_*).
#include "store/postgres.h"

#include <gtest/gtest.h>

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
