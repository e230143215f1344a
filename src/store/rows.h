// Helpers shared by the store's .cc files (not part of the store's public surface).
#pragma once

#include <string>
#include <string_view>

#include "store/connection.h"

namespace millrace::store {

// Calls fn(stmt) for every row; stops at the first error.
template <typename F>
Status for_each_row(Statement& stmt, F&& fn) {
  while (true) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) return Status::ok();
    fn(stmt);
  }
}

// SQL that is true when `column` starts with one of the `count` text parameters numbered from
// `first` (`0 = 1` when there are none), for the paths a caller may read.
inline std::string any_prefix_sql(std::string_view column, int first, size_t count) {
  if (count == 0) return "0 = 1";
  std::string sql;
  for (size_t i = 0; i < count; ++i) {
    std::string p = "?" + std::to_string(first + static_cast<int>(i));
    sql += (i ? " OR " : "") + std::string("substr(coalesce(") + std::string(column) +
           ", ''), 1, length(CAST(" + p + " AS TEXT))) = " + p;
  }
  return sql;
}

}  // namespace millrace::store
