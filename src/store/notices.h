// Listens for the queue's notices (store/claims.h) on a PostgreSQL session of its own.
// `wait` blocks until notices arrive, the timeout passes, or `interrupt` is called from another
// thread. A lost session is opened again at once (then every 200 ms until it works), with its
// `session_setup` statements run again (the node's lock: the node lives as long as it listens);
// whatever was sent meanwhile is lost, so `wait` then reports `reconnected` and the caller
// checks everything.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"

struct pg_conn;

namespace millrace::store {

class NoticeListener {
 public:
  static Result<std::unique_ptr<NoticeListener>> open(const std::string& url,
                                                      std::vector<std::string> session_setup);
  ~NoticeListener();
  NoticeListener(const NoticeListener&) = delete;
  NoticeListener& operator=(const NoticeListener&) = delete;

  enum class Wake { kNotices, kTimeout, kReconnected, kInterrupted };
  Wake wait(int timeout_ms, std::vector<std::string>& notices);
  void interrupt();

 private:
  NoticeListener(std::string url, std::vector<std::string> setup, pg_conn* conn, int wake_read,
                 int wake_write)
      : url_(std::move(url)),
        setup_(std::move(setup)),
        conn_(conn),
        wake_read_(wake_read),
        wake_write_(wake_write) {}
  bool reconnect();

  std::string url_;
  std::vector<std::string> setup_;
  pg_conn* conn_;
  int wake_read_;
  int wake_write_;
};

}  // namespace millrace::store
