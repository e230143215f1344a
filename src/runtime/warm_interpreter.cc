#include "runtime/warm_interpreter.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "sandbox/isolation.h"

namespace millrace::runtime {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kTickMs = 50;
// After the interpreter closes its reply pipe without a reply, how long it has to exit by
// itself before it is killed.
constexpr auto kExitGrace = std::chrono::seconds(1);

// The reply so far: a header line, then `size` bytes.
struct Reply {
  std::string bytes;
  bool header_read = false;
  bool ok = false;
  uint64_t size = 0;
  size_t body_start = 0;
  bool malformed = false;

  void add(std::string_view chunk) {
    bytes.append(chunk);
    if (header_read) return;
    auto nl = bytes.find('\n');
    if (nl == std::string::npos) {
      malformed = bytes.size() > 64;
      return;
    }
    std::string_view header(bytes.data(), nl);
    auto space = header.find(' ');
    std::string_view kind = header.substr(0, space);
    int64_t n = -1;
    if (space != std::string_view::npos) n = parse_int64(header.substr(space + 1)).value_or(-1);
    if ((kind != "ok" && kind != "err") || n < 0) {
      malformed = true;
      return;
    }
    header_read = true;
    ok = kind == "ok";
    size = static_cast<uint64_t>(n);
    body_start = nl + 1;
  }
  bool complete() const { return header_read && bytes.size() - body_start >= size; }
  std::string body() const { return bytes.substr(body_start, size); }
};

ProcessOutcome outcome_of(int status) {
  ProcessOutcome p;
  p.started = true;
  if (WIFEXITED(status)) p.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) p.term_signal = WTERMSIG(status);
  return p;
}

}  // namespace

std::unique_ptr<WarmInterpreter> WarmInterpreter::start(const ProcessSpec& spec,
                                                        std::string program, std::string& error) {
  auto p = spawn_interpreter(spec, error);
  if (!p) return nullptr;
  return std::unique_ptr<WarmInterpreter>(new WarmInterpreter(std::move(*p), std::move(program)));
}

WarmInterpreter::~WarmInterpreter() {
  stop_interpreter(process_);
}

bool WarmInterpreter::alive() {
  if (process_.child.pid <= 0) return false;
  return !reap_if_exited(process_);
}

std::string warm_request(const std::string& folder, const std::vector<std::string>& env,
                         bool preprocess, const std::string& args_json) {
  nlohmann::json head;
  head["cwd"] = folder;
  if (preprocess) head["preprocess"] = true;
  nlohmann::json vars = nlohmann::json::object();
  for (const auto& e : env) {
    auto eq = e.find('=');
    if (eq != std::string::npos) vars[e.substr(0, eq)] = e.substr(eq + 1);
  }
  head["env"] = std::move(vars);
  std::string text = head.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.pop_back();  // the closing brace: the arguments go in as stored
  return text + ",\"args\":" + args_json + "}";
}

JobRunOutcome WarmInterpreter::died(const LogTail& tail, const std::string& limit) {
  // Its replies ended without a whole reply: it crashed or exited (os._exit, a fatal signal,
  // a full heap). Give it a moment to be gone, then make sure it is.
  auto until = Clock::now() + kExitGrace;
  std::optional<int> status;
  while (!(status = reap_if_exited(process_)) && Clock::now() < until) {
    struct pollfd pfd = {process_.pidfd, POLLIN, 0};
    poll(&pfd, 1, process_.pidfd >= 0 ? 50 : 10);
  }
  if (!status) {
    stop_interpreter(process_);
    if (!limit.empty()) return limit_failure(limit);
    return {false, error_object("ExecutionErr", program_ + " stopped answering (protocol broken)"),
            false};
  }
  if (!limit.empty()) return limit_failure(limit);
  return {false, crash_error(program_, outcome_of(*status), tail.text()), false};
}

JobRunOutcome WarmInterpreter::run(const std::string& folder, const JobRunRequest& req,
                                   const OutputSink& logs, const CancelSignal* cancel,
                                   const sandbox::Cell* cell) {
  char buf[16384];
  // What an earlier job's leftovers (a thread, a child) printed between jobs is nobody's.
  while (read(process_.output, buf, sizeof buf) > 0) {
  }

  std::vector<std::string> env = base_environment(folder, cell ? "/tmp" : folder);
  env.insert(env.end(), req.job_env.begin(), req.job_env.end());
  std::string request = warm_request(folder, env, req.preprocess, req.args_json);
  std::string frame = std::to_string(request.size()) + "\n" + request;
  size_t written = 0;
  Reply reply;
  LogTail tail;
  bool output_open = true;
  auto print = [&](std::string_view chunk) {
    tail.add(chunk);
    logs(chunk);
  };
  auto drain_output = [&] {
    ssize_t r;
    while (output_open && (r = read(process_.output, buf, sizeof buf)) > 0) {
      print(std::string_view(buf, static_cast<size_t>(r)));
    }
  };
  const auto deadline = req.timeout_ms > 0
                            ? Clock::now() + std::chrono::milliseconds(req.timeout_ms)
                            : Clock::time_point::max();
  // The interpreter's cell counts it and what it starts: over a limit, the job stops.
  const sandbox::CgroupUsage before = cell ? cell->usage() : sandbox::CgroupUsage{};
  auto next_watch = Clock::now() + std::chrono::milliseconds(kTickMs);
  auto over_limit = [&](bool failed) {
    if (!cell) return std::string();
    std::string reason = cell->limit_reached(before);
    if (reason.empty() && failed && cell->scratch_full()) reason = cell->disk_limit_message();
    return reason;
  };
  while (true) {
    struct pollfd pfds[5] = {{written < frame.size() ? process_.requests : -1, POLLOUT, 0},
                             {output_open ? process_.output : -1, POLLIN, 0},
                             {process_.replies, POLLIN, 0},
                             {cancel ? cancel->fd() : -1, POLLIN, 0},
                             {process_.pidfd, POLLIN, 0}};
    int wait_ms = kTickMs;
    if (deadline != Clock::time_point::max()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      wait_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, kTickMs));
    }
    int n = poll(pfds, 5, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (cancel && cancel->canceled()) {
      stop_interpreter(process_);
      return {false, "", true};
    }
    if (Clock::now() >= deadline) {
      drain_output();
      stop_interpreter(process_);
      return {false, timeout_error(req.timeout_ms), false};
    }
    if (cell && Clock::now() >= next_watch) {
      next_watch = Clock::now() + std::chrono::milliseconds(kTickMs);
      if (auto reason = over_limit(false); !reason.empty()) {
        drain_output();
        stop_interpreter(process_);
        return limit_failure(reason);
      }
    }
    if (n == 0) {
      logs({});  // a tick: lets the caller flush what it has gathered
      continue;
    }
    if (pfds[0].revents & POLLOUT) {
      // SIGPIPE is ignored by the server: a dead reader shows as EPIPE, then as its exit.
      ssize_t w = write(process_.requests, frame.data() + written, frame.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) written = frame.size();
    }
    if (pfds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(process_.output, buf, sizeof buf);
      if (r > 0) {
        print(std::string_view(buf, static_cast<size_t>(r)));
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        output_open = false;
      }
    }
    if (pfds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(process_.replies, buf, sizeof buf);
      if (r > 0) {
        reply.add(std::string_view(buf, static_cast<size_t>(r)));
        if (reply.malformed) {
          drain_output();
          stop_interpreter(process_);
          return {false, error_object("ExecutionErr", program_ + " broke the job protocol"), false};
        }
        if (reply.header_read && reply.size > req.max_result_bytes) {
          stop_interpreter(process_);
          return {false,
                  result_too_large(
                      Error::of(ErrorKind::Internal,
                                "the result is larger than " +
                                    std::to_string(req.max_result_bytes / (1024 * 1024)) + " MiB")),
                  false};
        }
        if (reply.complete()) break;
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        drain_output();
        return died(tail, over_limit(true));
      }
    }
    if (pfds[4].revents & POLLIN) {
      drain_output();
      return died(tail, over_limit(true));
    }
  }
  // Everything the job printed was written before its reply: it is in the pipe now.
  drain_output();
  // As in a cold run, what the job started in the background ends with it.
  kill_leftovers(process_);
  std::string body = reply.body();
  if (!reply.ok) {
    if (auto reason = over_limit(true); !reason.empty()) return limit_failure(reason);
    return {false, std::move(body), false};
  }
  if (auto problem = result_json_problem(body); !problem.empty()) {
    return {false, error_object("ExecutionErr", problem), false};
  }
  return {true, std::move(body), false};
}

}  // namespace millrace::runtime
