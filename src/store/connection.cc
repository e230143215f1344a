#include "store/connection.h"

#include "common/log.h"
#include "store/postgres.h"
#include "store/sqlite.h"

namespace millrace::store {

Error conflict_error(const std::string& database_message) {
  log::info("a write was refused by a constraint: " + database_message);
  return Error::bad_request("this conflicts with something that already exists");
}

Status PreparedStatement::run() {
  while (true) {
    auto r = step();
    if (!r) return r.error();
    if (!*r) return Status::ok();
  }
}

Status Statement::run() {
  return p_->run();
}

bool Connection::is_postgres_url(std::string_view location) {
  return location.starts_with("postgres://") || location.starts_with("postgresql://");
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& location, bool read_only) {
  if (is_postgres_url(location)) return PostgresConnection::open(location);
  return SqliteConnection::open(location, read_only);
}

}  // namespace millrace::store
