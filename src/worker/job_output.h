// What a running job prints, on its way to the store: its logs, and its result stream
// (Windmill's result streaming: a line `WM_STREAM: <text>` is a piece of the result, not a log
// line; the Python and Node.js wrappers print such lines for a returned generator).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "worker/secret_mask.h"

namespace millrace::queue {
class JobQueue;
}

namespace millrace::worker {

// Splits output into logs and stream pieces. A line `WM_STREAM: <text>` gives <text> to the
// stream (its `\n` escapes made newlines); everything else is logs, as it comes, except the
// start of a line that may still turn out to be a stream line, held until it is clear.
class OutputSplitter {
 public:
  struct Parts {
    std::string logs;
    std::string stream;
  };
  Parts add(std::string_view chunk);
  // What was held, once the output is over.
  Parts finish();

 private:
  void end_line(Parts& out);
  std::string line_;  // the start of the current line, held
  bool holding_ = false;
  bool at_line_start_ = true;
};

// A job's output, written to its logs and result stream in the store at most every 50 ms (and at
// once for the first output), so a chatty job costs a handful of writes per second. Logs over
// 16 MiB are cut with a marker; so is a longer stream.
class JobOutput {
 public:
  JobOutput(queue::JobQueue& q, std::string job_id) : queue_(q), job_id_(std::move(job_id)) {}
  // These values are written as *** in the logs and the stream (secret_mask.h).
  void mask(std::vector<std::string> secrets) { mask_ = SecretMask(std::move(secrets)); }
  void add(std::string_view chunk);
  // The logs not yet written (for the job's outcome, written with it); the stream's rest is
  // written now.
  std::string take_rest();
  // The whole stream so far (for the result of a job that streamed).
  const std::string& stream() const { return stream_; }

 private:
  void add_logs(std::string_view text);
  void add_stream(std::string_view text);
  void flush_stream();

  queue::JobQueue& queue_;
  std::string job_id_;
  SecretMask mask_{{}};
  OutputSplitter splitter_;
  std::string pending_logs_;
  size_t logs_kept_ = 0;
  bool logs_truncated_ = false;
  std::string stream_;  // all of it
  size_t stream_written_ = 0;
  int64_t stream_idx_ = 0;
  bool stream_truncated_ = false;
  std::chrono::steady_clock::time_point last_flush_{};
};

// A successful result with the job's stream merged in, as Windmill does: a null result becomes
// the stream (a JSON string), an object gets it as `wm_stream`, anything else stays as it is.
std::string merge_result_stream(const std::string& result_json, const std::string& stream);

}  // namespace millrace::worker
