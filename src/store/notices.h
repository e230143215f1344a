// Listens for the queue's notices (store/claims.h) on a PostgreSQL session of its own.
// `wait` blocks until notices arrive, the timeout passes, or `interrupt` is called from another
// thread. A lost session is opened again (with a pause between tries); whatever was sent
// meanwhile is lost, so `wait` then reports `reconnected` and the caller checks everything.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"

struct pg_conn;

namespace millrace::store {

class NoticeListener {
 public:
  static Result<std::unique_ptr<NoticeListener>> open(const std::string& url);
  ~NoticeListener();
  NoticeListener(const NoticeListener&) = delete;
  NoticeListener& operator=(const NoticeListener&) = delete;

  enum class Wake { kNotices, kTimeout, kReconnected, kInterrupted };
  Wake wait(int timeout_ms, std::vector<std::string>& notices);
  void interrupt();

 private:
  NoticeListener(std::string url, pg_conn* conn, int wake_read, int wake_write)
      : url_(std::move(url)), conn_(conn), wake_read_(wake_read), wake_write_(wake_write) {}
  bool reconnect();

  std::string url_;
  pg_conn* conn_;
  int wake_read_;
  int wake_write_;
};

}  // namespace millrace::store
