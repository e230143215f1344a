// Helpers shared by the store's .cc files (not part of the store's public surface).
#pragma once

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

}  // namespace millrace::store
