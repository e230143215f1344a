#include "flow/js_evaluator.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "flow/evaluator_script.h"
#include "sandbox/isolation.h"
#include "sandbox/root_template.h"

namespace millrace::flow {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

// Writes everything, or false when the evaluator is gone. SIGPIPE is held back on this
// thread meanwhile: a dead evaluator must fail one evaluation, not kill the server.
bool write_all(int fd, const std::string& data) {
  sigset_t pipe_signal, previous;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  size_t done = 0;
  bool ok = true;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (!ok) {
    struct timespec now = {0, 0};
    sigtimedwait(&pipe_signal, nullptr, &now);  // the SIGPIPE this write raised, if any
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return ok;
}

}  // namespace

JsEvaluator::JsEvaluator(JsEvaluatorOptions options) : options_(std::move(options)) {
  for (size_t i = 0; i < std::max<size_t>(1, options_.processes); ++i) {
    slots_.push_back(std::make_unique<Slot>());
  }
}

JsEvaluator::~JsEvaluator() {
  for (auto& slot : slots_) runtime::stop_piped(slot->process);
}

int64_t JsEvaluator::started_processes() const {
  std::lock_guard lock(mutex_);
  return started_;
}

JsEvaluator::Slot::Slot() = default;
JsEvaluator::Slot::~Slot() = default;

bool JsEvaluator::ensure_started(Slot& slot, std::string& error) {
  if (slot.process.child.pid > 0) return true;
  runtime::ProcessSpec spec;
  spec.argv = {options_.node, "--max-old-space-size=" + std::to_string(options_.heap_mb),
               "--input-type=module", "-e", kEvaluatorScript};
  if (options_.isolation) {
    if (!slot.cell) {
      // A little room: the heap limit is V8's; the cell's covers the whole process.
      sandbox::JobLimits limits;
      limits.memory_bytes = (options_.heap_mb + 192) << 20;
      limits.max_processes = 32;
      limits.disk_bytes = 16 << 20;
      size_t index = 0;  // slots_ does not change after construction
      while (index < slots_.size() && slots_[index].get() != &slot) ++index;
      slot.cell = options_.isolation->new_cell("eval-" + std::to_string(index + 1), limits, error);
      if (!slot.cell) return false;
      auto folder = slot.cell->new_folder(error);
      if (!folder) return false;
      slot.folder = std::make_unique<sandbox::CellFolder>(std::move(*folder));
    }
    auto jail = slot.cell->jail(*slot.folder, false, {}, error);
    if (!jail) return false;
    spec.jail = std::move(*jail);
    spec.cwd = sandbox::kJobFolderInside;
  } else {
    spec.user = options_.user;
    spec.cwd = options_.work_dir.empty() ? "/" : options_.work_dir;
  }
  // A clean environment: nothing of the server's (its secrets) reaches the evaluator.
  spec.env = {"PATH=/usr/bin:/bin", "NODE_OPTIONS=", "HOME=" + spec.cwd};
  spec.limits.open_files = 64;
  // The pool is used from any thread; an evaluator ends when its stdin closes instead.
  spec.die_with_parent = false;
  auto p = runtime::spawn_piped(spec, error);
  if (!p) return false;
  slot.process = std::move(*p);
  slot.pending.clear();
  if (!await_ready(slot, error)) {
    runtime::stop_piped(slot.process);
    return false;
  }
  std::lock_guard lock(mutex_);
  ++started_;
  return true;
}

namespace {

enum class LineWait { kLine, kTimedOut, kEnded };

// Reads from the evaluator until `pending` holds a whole line, the deadline passes or its
// output ends.
LineWait wait_for_line(int from_child, std::string& pending,
                       std::chrono::steady_clock::time_point deadline) {
  char buf[65536];
  while (pending.find('\n') == std::string::npos) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return LineWait::kTimedOut;
    struct pollfd pfd = {from_child, POLLIN, 0};
    int n = poll(&pfd, 1, static_cast<int>(left.count()));
    if (n <= 0) continue;
    ssize_t r = read(from_child, buf, sizeof buf);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (r <= 0) return LineWait::kEnded;
    pending.append(buf, static_cast<size_t>(r));
  }
  return LineWait::kLine;
}

// The first line of the pending output, taken out of it.
std::string take_line(std::string& pending) {
  size_t nl = pending.find('\n');
  std::string line = pending.substr(0, nl);
  pending.erase(0, nl + 1);
  return line;
}

}  // namespace

bool JsEvaluator::await_ready(Slot& slot, std::string& error) {
  // Generous: a loaded machine may take seconds to start Node; expressions get their own time.
  switch (wait_for_line(slot.process.from_child, slot.pending,
                        SteadyClock::now() + std::chrono::seconds(30))) {
    case LineWait::kTimedOut:
      error = "it did not start within 30 s";
      return false;
    case LineWait::kEnded:
      error = "it ended before it was ready";
      return false;
    case LineWait::kLine:
      break;
  }
  if (take_line(slot.pending) != R"({"ready":true})") {
    error = "it said something unexpected as it started";
    return false;
  }
  return true;
}

EvalOutcome JsEvaluator::exchange(Slot& slot, const std::string& line) {
  EvalOutcome out;
  std::string error;
  if (!ensure_started(slot, error)) {
    out.error = "cannot start the expression evaluator (" + options_.node + "): " + error;
    return out;
  }
  if (!write_all(slot.process.to_child, line)) {
    runtime::stop_piped(slot.process);
    out.error = "the expression evaluator stopped unexpectedly";
    return out;
  }
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(options_.timeout_ms);
  switch (wait_for_line(slot.process.from_child, slot.pending, deadline)) {
    case LineWait::kTimedOut:
      // A runaway (a loop, a huge computation): the process is replaced, the pool goes on.
      runtime::stop_piped(slot.process);
      out.error = "did not finish within " + std::to_string(options_.timeout_ms) + " ms";
      return out;
    case LineWait::kEnded:
      runtime::stop_piped(slot.process);
      out.error = "the expression evaluator stopped unexpectedly (out of memory?)";
      return out;
    case LineWait::kLine:
      break;
  }
  json a = json::parse(take_line(slot.pending), nullptr, false);
  if (a.is_discarded() || !a.is_object()) {
    runtime::stop_piped(slot.process);
    out.error = "the expression evaluator answered something unreadable";
    return out;
  }
  out.ok = a.value("ok", false);
  if (out.ok) {
    out.value_json = a.contains("value") ? a["value"].dump() : "null";
  } else {
    out.error = a.value("error", std::string("evaluation failed"));
  }
  return out;
}

EvalOutcome JsEvaluator::evaluate(const std::string& expr, const std::string& context_json,
                                  const std::string& workspace) {
  Slot* slot = nullptr;
  int64_t id = 0;
  {
    std::unique_lock lock(mutex_);
    free_.wait(lock, [&] {
      for (auto& s : slots_) {
        if (!s->busy) {
          slot = s.get();
          return true;
        }
      }
      return false;
    });
    slot->busy = true;
    id = next_id_++;
  }
  // The context goes as it is (no re-parse): stored args and results keep every digit. JSON
  // text holds no raw tab or newline, so a tab ends the header and a newline the request.
  std::string line = "{\"id\":" + std::to_string(id) + ",\"ws\":" + json(workspace).dump() +
                     ",\"expr\":" + json(expr).dump() + "}\t" +
                     (context_json.empty() ? "{}" : context_json) + "\n";
  EvalOutcome out = exchange(*slot, line);
  {
    std::lock_guard lock(mutex_);
    slot->busy = false;
  }
  free_.notify_one();
  return out;
}

}  // namespace millrace::flow
