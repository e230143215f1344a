// The jobs this process's workers run now, and what a cancel must reach: each one's cancel
// handler and, once it is canceled, by whom and why. Thread-safe; no handler is called under
// its lock (the callers call the handlers it answers).
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace millrace::queue {

using CancelMark = std::pair<std::string, std::string>;  // canceler, reason

class RunningJobs {
 public:
  // `id` runs here now (already known: kept as it is).
  void add(const std::string& id);
  // `id` runs here no more; answers its cancel mark, if it was canceled.
  std::optional<CancelMark> remove(const std::string& id);
  // Registers the handler of a job that runs here; answers whether it is canceled already
  // (the caller then calls it), or nullopt when it does not run here.
  std::optional<bool> set_cancel_handler(const std::string& id, std::function<void()> on_cancel);

  struct Marked {
    bool runs = false;   // the job runs here
    bool first = false;  // and this is the first cancel of this run
    std::function<void()> on_cancel;
  };
  // Marks a job that runs here canceled (the first mark is kept).
  Marked mark_canceled(const std::string& id, const std::string& canceler,
                       const std::string& reason);
  std::optional<CancelMark> cancel_mark(const std::string& id) const;
  bool runs(const std::string& id) const;

  std::vector<std::string> ids() const;
  std::vector<std::function<void()>> handlers() const;

 private:
  struct Entry {
    std::function<void()> on_cancel;
    std::optional<CancelMark> canceled;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> jobs_;
};

}  // namespace millrace::queue
