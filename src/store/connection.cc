#include "store/connection.h"

#include "store/postgres.h"
#include "store/sqlite.h"

namespace millrace::store {

Status Statement::run() {
  while (true) {
    auto r = step();
    if (!r) return r.error();
    if (!*r) return Status::ok();
  }
}

bool Connection::is_postgres_url(std::string_view location) {
  return location.starts_with("postgres://") || location.starts_with("postgresql://");
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& location, bool read_only) {
  if (is_postgres_url(location)) return PostgresConnection::open(location);
  return SqliteConnection::open(location, read_only);
}

}  // namespace millrace::store
