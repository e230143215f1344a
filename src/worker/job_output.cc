#include "worker/job_output.h"

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "queue/job_queue.h"

namespace millrace::worker {
namespace {

constexpr std::string_view kStreamPrefix = "WM_STREAM: ";
constexpr auto kFlushInterval = std::chrono::milliseconds(50);
// Logs and stream are each kept up to this size (the store holds logs in one row).
constexpr size_t kMaxBytes = 16 * 1024 * 1024;

// Could the line that starts with `text` be a stream line?
bool may_be_stream_line(std::string_view text) {
  return text.size() <= kStreamPrefix.size() ? kStreamPrefix.starts_with(text)
                                             : text.starts_with(kStreamPrefix);
}

}  // namespace

OutputSplitter::Parts OutputSplitter::add(std::string_view chunk) {
  Parts out;
  size_t pos = 0;
  while (pos < chunk.size()) {
    if (!holding_ && at_line_start_) holding_ = true;
    size_t nl = chunk.find('\n', pos);
    std::string_view piece = chunk.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    if (holding_) {
      line_.append(piece);
      if (nl != std::string_view::npos) {
        end_line(out);
      } else if (!may_be_stream_line(line_)) {
        out.logs += line_;  // an ordinary line, not over yet: it goes out as it comes
        line_.clear();
        holding_ = false;
        at_line_start_ = false;
      }
    } else {
      out.logs.append(piece);
      if (nl != std::string_view::npos) {
        out.logs += '\n';
        at_line_start_ = true;
      }
    }
    pos = nl == std::string_view::npos ? chunk.size() : nl + 1;
  }
  return out;
}

void OutputSplitter::end_line(Parts& out) {
  std::string_view line = line_;
  if (line.size() > kStreamPrefix.size() && line.starts_with(kStreamPrefix)) {
    std::string_view text = line.substr(kStreamPrefix.size());
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
        out.stream += '\n';
        ++i;
      } else {
        out.stream += text[i];
      }
    }
  } else {
    out.logs += line_;
    out.logs += '\n';
  }
  line_.clear();
  holding_ = false;
  at_line_start_ = true;
}

OutputSplitter::Parts OutputSplitter::finish() {
  Parts out;
  if (!holding_) return out;
  line_ += '\n';
  std::string held = std::move(line_);
  line_.clear();
  holding_ = false;
  Parts last = add(held);
  // A stream line that never ended still counts; an unfinished log line keeps no added newline.
  if (!last.logs.empty() && last.logs.back() == '\n') last.logs.pop_back();
  return last;
}

void JobOutput::add(std::string_view chunk) {
  OutputSplitter::Parts parts;
  if (mask_.empty()) {
    parts = splitter_.add(chunk);
  } else {
    parts = splitter_.add(mask_.add(chunk));
  }
  add_logs(parts.logs);
  add_stream(parts.stream);
  auto now = std::chrono::steady_clock::now();
  if (now - last_flush_ < kFlushInterval) return;
  if (!pending_logs_.empty()) {
    queue_.append_logs(job_id_, std::move(pending_logs_));
    pending_logs_.clear();
    last_flush_ = now;
  }
  if (stream_written_ < stream_.size()) {
    flush_stream();
    last_flush_ = now;
  }
}

void JobOutput::add_logs(std::string_view text) {
  if (logs_kept_ + text.size() > kMaxBytes) {
    if (!logs_truncated_) {
      pending_logs_.append(text.substr(0, kMaxBytes - logs_kept_));
      pending_logs_.append("\n[millrace] logs truncated: the job printed more than " +
                           std::to_string(kMaxBytes / (1024 * 1024)) + " MiB\n");
      logs_truncated_ = true;
      logs_kept_ = kMaxBytes;
    }
    return;
  }
  logs_kept_ += text.size();
  pending_logs_.append(text);
}

void JobOutput::add_stream(std::string_view text) {
  if (stream_.size() + text.size() > kMaxBytes) {
    if (!stream_truncated_) {
      add_logs("\n[millrace] result stream truncated: the job streamed more than " +
               std::to_string(kMaxBytes / (1024 * 1024)) + " MiB\n");
      stream_truncated_ = true;
    }
    return;
  }
  stream_.append(text);
}

void JobOutput::flush_stream() {
  queue_.append_result_stream(job_id_, stream_idx_++, stream_.substr(stream_written_));
  stream_written_ = stream_.size();
}

std::string JobOutput::take_rest() {
  if (!mask_.empty()) {
    auto held = splitter_.add(mask_.finish());
    add_logs(held.logs);
    add_stream(held.stream);
  }
  auto parts = splitter_.finish();
  add_logs(parts.logs);
  add_stream(parts.stream);
  if (stream_written_ < stream_.size()) flush_stream();
  return std::move(pending_logs_);
}

std::string merge_result_stream(const std::string& result_json, const std::string& stream) {
  if (stream.empty()) return result_json;
  std::string quoted =
      nlohmann::json(stream).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string_view result = trim(result_json);
  if (result == "null") return quoted;
  if (result.empty() || result.front() != '{' || result.back() != '}') return result_json;
  // Added last, so it wins over a `wm_stream` of the job's own; the rest is kept as it is.
  std::string_view inside = trim(result.substr(1, result.size() - 2));
  return "{" + std::string(inside) + (inside.empty() ? "" : ",") + "\"wm_stream\":" + quoted + "}";
}

}  // namespace millrace::worker
