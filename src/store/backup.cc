#include "store/backup.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

namespace millrace::store {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

Result<Db> open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return Error::internal("cannot open " + path + ": " +
                           (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

// "ok" from SQLite's own consistency check of the copy, or what it found.
std::string integrity(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  std::string out = "cannot check";
  if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  return out;
}

}  // namespace

Result<int64_t> backup_sqlite(const std::string& source, const std::string& target) {
  std::error_code ec;
  if (!std::filesystem::exists(source, ec)) {
    return Error::not_found("no database at " + source + " (is --data / MILLRACE_DATA right?)");
  }
  if (std::filesystem::exists(target, ec)) {
    return Error::of(ErrorKind::Conflict, target + " already exists: choose a new file name");
  }
  // Read-write without create: a WAL database is read through its shared-memory file, which a
  // read-only handle could not make when no server has it open.
  auto from = open(source, SQLITE_OPEN_READWRITE);
  if (!from) return from.error();
  const std::string partial = target + ".partial-" + std::to_string(getpid());
  std::filesystem::remove(partial, ec);
  auto to = open(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!to) return to.error();
  auto fail = [&](const std::string& why) -> Result<int64_t> {
    to->reset();
    std::filesystem::remove(partial, ec);
    return Error::internal("backup of " + source + " failed: " + why);
  };
  sqlite3_backup* b = sqlite3_backup_init(to->get(), "main", from->get(), "main");
  if (!b) return fail(sqlite3_errmsg(to->get()));
  // All pages in one step: one read transaction, hence one consistent moment. A writer busy
  // with a checkpoint can hold the file briefly; the step is retried then.
  int rc;
  int tries = 0;
  while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    if (++tries > 200) break;
    sqlite3_sleep(25);
  }
  int64_t pages = sqlite3_backup_pagecount(b);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return fail(sqlite3_errstr(rc));
  if (std::string check = integrity(to->get()); check != "ok") return fail(check);
  to->reset();
  // A hard link, not a rename: it fails, rather than replaces, a file made at `target` meanwhile.
  if (link(partial.c_str(), target.c_str()) != 0) return fail(target + ": " + std::strerror(errno));
  std::filesystem::remove(partial, ec);
  return pages;
}

}  // namespace millrace::store
