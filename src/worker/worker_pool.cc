#include "worker/worker_pool.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "auth/authenticator.h"
#include "common/clock.h"
#include "common/log.h"
#include "flow/flow_engine.h"
#include "metrics/registry.h"
#include "queue/job_results.h"
#include "runtime/warm_interpreters.h"
#include "sandbox/isolation.h"
#include "worker/job_output.h"
#include "worker/job_packages.h"

namespace millrace::worker {
namespace {

// Without a package cache, lock jobs resolve nothing (scripts use what the machine has
// installed): a script's lock is empty and a flow's value comes back as it was sent.
std::string empty_lock_job_result(const store::JobRecord& job) {
  if (job.kind == JobKind::Dependencies) return R"({"lock":""})";
  auto args = nlohmann::json::parse(job.args_json, nullptr, false);
  nlohmann::json value = args.is_object() && args.contains("flow_value") ? args["flow_value"]
                                                                         : nlohmann::json::object();
  return nlohmann::json{{"updated_flow_value", value}}.dump();
}

// A boolean script setting (Windmill's dedicated_worker, our no_network), kept with the
// script's other fields as it was sent.
bool script_flag(const store::ScriptRecord& script, const char* name) {
  if (!script.extra_json) return false;
  auto extra = nlohmann::json::parse(*script.extra_json, nullptr, false);
  auto it = extra.is_object() ? extra.find(name) : extra.end();
  return it != extra.end() && it->is_boolean() && it->get<bool>();
}

// A whole number the script was saved with (its extra NewScript fields), 0 when absent.
int64_t script_number(const store::ScriptRecord& script, const char* name) {
  if (!script.extra_json) return 0;
  auto extra = nlohmann::json::parse(*script.extra_json, nullptr, false);
  auto it = extra.is_object() ? extra.find(name) : extra.end();
  return it != extra.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

metrics::Family& worker_states() {
  return metrics::registry().gauges("millrace_workers",
                                    "Workers of this process, by state (busy: running a job)");
}

// The flow a step belongs to, when the step's path tells it (an inline step's path is
// <flow path>/<step id>).
std::string flow_path_of_step(const store::JobRecord& job) {
  if (!job.parent_job || !job.flow_step_id || !job.script_path) return "";
  const std::string tail = "/" + *job.flow_step_id;
  const std::string& path = *job.script_path;
  if (path.size() <= tail.size() || path.compare(path.size() - tail.size(), tail.size(), tail)) {
    return "";
  }
  return path.substr(0, path.size() - tail.size());
}

// Windmill's contextual variables, as a job sees them in its environment. The state path is
// unique to a script (or a flow's step) and its trigger, as Windmill names it.
std::vector<std::string> job_environment(const store::JobRecord& job, const std::string& username,
                                         const std::string& token, const WorkerOptions& o) {
  const std::string flow_path = flow_path_of_step(job);
  std::string state_path;
  if (!flow_path.empty()) {
    state_path = flow_path + "/" + *job.flow_step_id + "_user";
  } else if (job.script_path && !job.script_path->empty()) {
    state_path = *job.script_path + "/user";
  } else {
    state_path = "u/" + username + "/tmp_state";
  }
  std::vector<std::string> env = {
      "WM_WORKSPACE=" + job.workspace_id,
      "WM_JOB_ID=" + job.id,
      "WM_BASE_URL=" + o.base_url,
      "BASE_URL=" + o.base_url,
      "BASE_INTERNAL_URL=" + (o.internal_url.empty() ? o.base_url : o.internal_url),
      "WM_TOKEN=" + token,
      "WM_EMAIL=" + job.email,
      "WM_USERNAME=" + username,
      "WM_PERMISSIONED_AS=" + job.permissioned_as,
      "WM_JOB_PATH=" + job.script_path.value_or(""),
      "WM_FLOW_JOB_ID=" + (job.flow_step_id ? job.parent_job.value_or("") : ""),
      "WM_ROOT_FLOW_JOB_ID=" + job.root_job.value_or(""),
      "WM_FLOW_PATH=" + flow_path,
      "WM_FLOW_STEP_ID=" + job.flow_step_id.value_or(""),
      "WM_STATE_PATH=" + state_path,
      "WM_STATE_PATH_NEW=" + state_path};
  return env;
}

}  // namespace

WorkerPool::WorkerPool(queue::JobQueue& queue, ScriptCache& scripts, runtime::JobRunner& runtimes,
                       const auth::Authenticator& auth, flow::FlowEngine& flows, JobInputs& inputs,
                       WorkerOptions options, JobPackages* packages)
    : queue_(queue),
      scripts_(scripts),
      runtimes_(runtimes),
      auth_(auth),
      flows_(flows),
      inputs_(inputs),
      options_(std::move(options)),
      packages_(packages) {}

WorkerPool::~WorkerPool() {
  join();
}

std::string WorkerPool::start() {
  std::vector<std::string> names;
  for (int i = 0; i < options_.count; ++i) {
    names.push_back(options_.name_prefix + "-" + std::to_string(i + 1));
    if (auto* iso = runtimes_.sandbox().isolation) {
      std::string error;
      auto cell = iso->new_cell(names.back(), iso->options().limits, error);
      if (!cell) return "cannot make the sandbox of worker " + names.back() + ": " + error;
      cells_.push_back(std::move(cell));
    }
  }
  worker_states().gauge({{"state", "idle"}}).add(static_cast<int64_t>(names.size()));
  worker_states().gauge({{"state", "busy"}}).add(0);
  for (size_t i = 0; i < names.size(); ++i) {
    sandbox::Cell* cell = cells_.empty() ? nullptr : cells_[i].get();
    threads_.emplace_back([this, name = names[i], cell] { work(name, cell); });
  }
  return "";
}

void WorkerPool::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::work(const std::string& name, sandbox::Cell* cell) {
  // This slot's warm interpreters: started by this thread, so they live as long as it does.
  runtime::WarmInterpreters warm(static_cast<size_t>(std::max(1, options_.warm_per_worker)),
                                 runtimes_.sandbox(), name);
  auto& busy = worker_states().gauge({{"state", "busy"}});
  auto& idle = worker_states().gauge({{"state", "idle"}});
  while (auto claimed = queue_.claim_next(name)) {
    busy.add(1);
    idle.add(-1);
    if (queue::is_flow_job(claimed->job)) {
      // A flow job runs no code: the engine moves it on, then it ends or waits for its steps.
      flows_.advance_claimed(*claimed, queue_, runtimes_, name);
    } else {
      run_one(*claimed, name, warm, cell);
    }
    busy.add(-1);
    idle.add(1);
  }
  idle.add(-1);  // this worker stops
}

void WorkerPool::run_one(const queue::ClaimedJob& claimed, const std::string& name,
                         runtime::WarmInterpreters& warm, sandbox::Cell* cell) {
  const auto& job = claimed.job;
  JobOutput logs(queue_, job.id);
  auto fail = [&](const std::string& message) {
    logs.add(message + "\n");
    queue_.complete(
        claimed,
        {JobStatus::Failure, queue::wrap_error(runtime::error_object("ExecutionErr", message)),
         logs.take_rest(), std::nullopt},
        name);
  };
  if (is_lock_kind(job.kind)) return run_lock_job(claimed, name, cell);
  runtime::JobRunRequest req;
  int64_t timeout_s = job.timeout_s.value_or(options_.default_timeout_s);
  bool run_warm = options_.warm == "all";
  bool network = options_.network;
  std::shared_ptr<const store::ScriptRecord> version;  // a saved version's job: what it runs
  if (job.raw_code) {
    // An inline step of a flow carries its code.
    req.language = job.language.value_or("");
    req.content = *job.raw_code;
  } else {
    if (!job.script_hash) return fail("the job has no script to run");
    auto script = scripts_.by_hash(job.workspace_id, *job.script_hash);
    if (!script) return fail(script.error().message);
    version = *script;
    timeout_s = job.timeout_s.value_or((*script)->timeout_s.value_or(options_.default_timeout_s));
    req.language = (*script)->language;
    req.content = (*script)->content;
    run_warm =
        run_warm || (options_.warm == "dedicated" && script_flag(**script, "dedicated_worker"));
    network = network && !script_flag(**script, "no_network");
    if (int64_t limit = script_number(**script, "concurrency_limit"); limit > 0) {
      // Above its limit, the job waits its turn in the queue: this worker takes another.
      auto admitted = queue_.admit(
          claimed, {(*script)->path, limit,
                    std::max<int64_t>(0, script_number(**script, "concurrency_time_window_s"))});
      if (!admitted) return fail(admitted.error().message);
      if (!*admitted) return;
    }
  }
  // A same_worker step's ./shared is mounted for its run alone: such steps run cold.
  if (run_warm && !(job.same_worker && job.root_job)) req.warm = &warm;
  req.cell = cell;
  req.network = network;
  req.identity = job.permissioned_as + "\n" + job.email;
  req.job_id = job.id;
  req.workspace_id = job.workspace_id;
  if (job.same_worker && job.root_job) req.shared_folder_id = *job.root_job;
  auto inputs = inputs_.prepare(job);
  if (!inputs) return fail(inputs.error().message);
  logs.mask(std::move(inputs->secrets));
  req.args_json = std::move(inputs->args_json);
  req.preprocess = job.preprocess;
  req.timeout_ms = timeout_s * 1000;
  req.memory_limit_mb = options_.memory_limit_mb;
  req.max_result_bytes = static_cast<uint64_t>(std::max<int64_t>(1, options_.max_result_mb)) << 20;
  std::string username = job.permissioned_as.substr(job.permissioned_as.find('/') + 1);
  std::string token = auth_.issue_job_token(
      {job.id, job.workspace_id, job.email, username, now_ms() + (timeout_s + 60) * 1000});
  req.job_env = job_environment(job, username, token, options_);

  // Shared: a cancel may still hold the handler after this job is over.
  auto cancel = std::make_shared<runtime::CancelSignal>();
  queue_.set_cancel_handler(job.id, [cancel] { cancel->cancel(); });
  auto sink = [&](std::string_view chunk) { logs.add(chunk); };
  runtime::JobRunOutcome outcome;
  // Its packages first (installed into the cache when missing, their output in its logs).
  auto import_path =
      packages_ ? packages_->prepare(job, version.get(), req.language, req.content,
                                     {cell, job.id, sink, cancel.get(), options_.memory_limit_mb})
                : Result<std::vector<std::string>>(std::vector<std::string>{});
  if (import_path) {
    req.import_path = std::move(*import_path);
    outcome = runtimes_.run(req, sink, cancel.get());
  } else {
    outcome = {false, runtime::error_object("ExecutionErr", import_path.error().message),
               cancel->canceled()};
  }
  queue_.set_cancel_handler(job.id, [] {});
  finish(claimed, name, logs, outcome);
}

void WorkerPool::finish(const queue::ClaimedJob& claimed, const std::string& name, JobOutput& logs,
                        const runtime::JobRunOutcome& outcome) {
  const auto& job = claimed.job;
  std::string rest_of_logs = logs.take_rest();  // also ends the stream
  if (outcome.canceled && !queue_.cancel_reason(job.id) && queue_.stopping()) {
    // Interrupted by a shutdown, not canceled by anyone: queued again for the next start.
    return queue_.release_interrupted(job.id, std::move(rest_of_logs));
  }
  queue::JobOutcome done;
  if (outcome.canceled) {
    done.status = JobStatus::Canceled;
    done.result_json = queue::canceled_result("", "");  // replaced with the real reason
  } else if (outcome.success) {
    done.status = JobStatus::Success;
    done.result_json = merge_result_stream(outcome.result_json, logs.stream());
  } else {
    done.status = JobStatus::Failure;
    done.result_json = queue::wrap_error(outcome.result_json);
  }
  done.remaining_logs = std::move(rest_of_logs);
  queue_.complete(claimed, std::move(done), name);
  sandbox::remove_folders_left();  // the job's folder, now that its outcome is out
}

void WorkerPool::run_lock_job(const queue::ClaimedJob& claimed, const std::string& name,
                              sandbox::Cell* cell) {
  const auto& job = claimed.job;
  JobOutput logs(queue_, job.id);
  if (!packages_) {
    return queue_.complete(
        claimed, {JobStatus::Success, empty_lock_job_result(job), logs.take_rest(), std::nullopt},
        name);
  }
  auto cancel = std::make_shared<runtime::CancelSignal>();
  queue_.set_cancel_handler(job.id, [cancel] { cancel->cancel(); });
  auto result =
      packages_->run_lock_job(job, {cell, job.id, [&](std::string_view chunk) { logs.add(chunk); },
                                    cancel.get(), options_.memory_limit_mb});
  queue_.set_cancel_handler(job.id, [] {});
  finish(claimed, name, logs,
         result ? runtime::JobRunOutcome{true, std::move(*result), false}
                : runtime::JobRunOutcome{
                      false, runtime::error_object("ExecutionErr", result.error().message),
                      cancel->canceled()});
}

}  // namespace millrace::worker
