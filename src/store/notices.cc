#include "store/notices.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>

#include "common/log.h"
#include "store/claims.h"

namespace millrace::store {
namespace {

// A session dropped by the server is opened again this often until it works.
constexpr int kRetryMs = 200;

bool listen(PGconn* conn, const std::vector<std::string>& setup) {
  PQsetnonblocking(conn, 0);
  for (const auto& sql : setup) {
    PGresult* r = PQexec(conn, sql.c_str());
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) return false;
  }
  std::string sql = std::string("LISTEN ") + kNoticeChannel;
  PGresult* r = PQexec(conn, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  return ok && PQsetnonblocking(conn, 1) == 0;
}

}  // namespace

Result<std::unique_ptr<NoticeListener>> NoticeListener::open(
    const std::string& url, std::vector<std::string> session_setup) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK || !listen(conn, session_setup)) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    return Error::internal("cannot listen for notices on PostgreSQL: " + msg);
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    PQfinish(conn);
    return Error::internal("cannot create a pipe");
  }
  return std::unique_ptr<NoticeListener>(
      new NoticeListener(url, std::move(session_setup), conn, fds[0], fds[1]));
}

NoticeListener::~NoticeListener() {
  PQfinish(conn_);
  close(wake_read_);
  close(wake_write_);
}

void NoticeListener::interrupt() {
  char c = 1;
  [[maybe_unused]] auto n = write(wake_write_, &c, 1);
}

bool NoticeListener::reconnect() {
  PQreset(conn_);
  return PQstatus(conn_) == CONNECTION_OK && listen(conn_, setup_);
}

NoticeListener::Wake NoticeListener::wait(int timeout_ms, std::vector<std::string>& notices) {
  notices.clear();
  if (PQstatus(conn_) != CONNECTION_OK) {
    // Lost earlier: try again shortly.
    pollfd wake{wake_read_, POLLIN, 0};
    if (poll(&wake, 1, std::min(timeout_ms, kRetryMs)) > 0) {
      char buf[64];
      while (read(wake_read_, buf, sizeof buf) > 0) {
      }
      return Wake::kInterrupted;
    }
    if (!reconnect()) return Wake::kTimeout;
    log::info("listening for queue notices again");
    return Wake::kReconnected;
  }
  pollfd fds[2] = {{PQsocket(conn_), POLLIN, 0}, {wake_read_, POLLIN, 0}};
  int n = poll(fds, 2, timeout_ms);
  if (n > 0 && (fds[1].revents & POLLIN)) {
    char buf[64];
    while (read(wake_read_, buf, sizeof buf) > 0) {
    }
    return Wake::kInterrupted;
  }
  // A session ended by the server may still hand over its last words: check it is alive.
  if (n > 0 && (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK)) {
    log::warn("the PostgreSQL session for queue notices was lost: connecting again");
    if (!reconnect()) return Wake::kTimeout;
    return Wake::kReconnected;
  }
  while (PGnotify* note = PQnotifies(conn_)) {
    notices.emplace_back(note->extra);
    PQfreemem(note);
  }
  return notices.empty() ? Wake::kTimeout : Wake::kNotices;
}

}  // namespace millrace::store
