#include "flow/flow_engine.h"

#include <cmath>
#include <unordered_map>

#include "common/log.h"
#include "flow/expressions.h"
#include "flow/step_jobs.h"
#include "queue/job_results.h"
#include "store/database.h"
#include "store/jobs.h"

namespace millrace::flow {
namespace {

// The states of a module in `flow_status.modules` (Windmill's names; `wmill flow run` reads them).
constexpr const char* kWaiting = "WaitingForPriorSteps";
constexpr const char* kInProgress = "InProgress";
constexpr const char* kSuccess = "Success";
constexpr const char* kFailure = "Failure";
constexpr const char* kWaitingForEvents = "WaitingForEvents";
// How long an approval step waits when its suspend gives no timeout (Windmill's default).
constexpr int64_t kDefaultSuspendTimeoutS = 30 * 60;

std::string text_of(const ojson& v) {
  return v.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

ojson parse_or_null(const std::string& text) {
  auto v = ojson::parse(text, nullptr, false);
  return v.is_discarded() ? ojson() : v;
}

std::string str(const ojson& o, const char* key) {
  if (!o.is_object()) return "";
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

bool flag(const ojson& o, const char* key) {
  if (!o.is_object()) return false;
  auto it = o.find(key);
  return it != o.end() && it->is_boolean() && it->get<bool>();
}

const ojson* field(const ojson& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it != o.end() && !it->is_null() ? &*it : nullptr;
}

ojson error_result(const std::string& name, const std::string& message) {
  return {{"error", {{"name", name}, {"message", message}}}};
}

// A failure as the flow reports it: the error object, with the step it happened in.
ojson with_step_id(const ojson& failure, const std::string& step_id) {
  ojson out = failure;
  if (!out.is_object() || !out.contains("error") || !out["error"].is_object()) {
    out = error_result("ExecutionErr", text_of(failure));
  }
  out["error"]["step_id"] = step_id;
  return out;
}

// A read of the store failed: the advance is tried again shortly; the flow is not failed.
struct StoreUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool is_loop(const std::string& type) {
  return type == "forloopflow" || type == "whileloopflow";
}

// How a module ended, or that it is waiting for its jobs.
struct StepEnd {
  enum Kind { kWaits, kSucceeded, kFailed } kind = kWaits;
  ojson value;               // the result, or the {"error": ...} object
  bool kept_inline = false;  // not a job's result: kept in flow_status
};
StepEnd waits() {
  return {};
}
StepEnd succeeded(ojson v, bool kept_inline = false) {
  return {StepEnd::kSucceeded, std::move(v), kept_inline};
}
StepEnd failed(ojson error) {
  return {StepEnd::kFailed, std::move(error), false};
}

// One advance of one flow job.
class Advancer {
 public:
  Advancer(store::Database& db, const Expressions& ex, EpochMs now,
           const queue::ClaimedJob& claimed)
      : db_(db), ex_(ex), now_(now), claimed_(claimed), job_(claimed.job) {
    value_ = parse_or_null(job_.raw_flow.value_or("{}"));
    args_ = parse_or_null(job_.args_json);
    if (!args_.is_object()) args_ = ojson::object();
    if (const ojson* env = field(value_, "flow_env")) env_ = *env;
    const ojson* modules = field(value_, "modules");
    modules_ = modules && modules->is_array() ? *modules : ojson::array();
    status_ = job_.flow_status ? parse_or_null(*job_.flow_status) : ojson();
    if (!status_.is_object() || !status_.contains("modules")) {
      status_ = initial_status(modules_);
    }
  }

  Advance run() {
    if (claimed_.canceled_by) return cancel();
    while (true) {
      // Asleep after a step: an early wake (an answer, a stray completion) changes nothing.
      if (auto it = status_.find("sleep_until"); it != status_.end()) {
        EpochMs until = it->get<EpochMs>();
        if (now_ < until) {
          due_ = until;
          return wait();
        }
        status_.erase("sleep_until");
      }
      if (status_.contains("suspended")) {
        if (!resumed()) return wait();
      }
      if (status_.contains("failed")) return after_failure();
      size_t i = status_["step"].get<size_t>();
      if (i >= modules_.size()) return finish(JobStatus::Success, previous_result(i));
      const ojson& m = modules_[i];
      ojson& ms = status_["modules"][i];
      const std::string id = str(m, "id");
      ojson prev = previous_result(i);
      StepEnd end = ms["type"] == kWaiting ? start(m, ms, prev) : poll(m, ms, prev);
      if (end.kind == StepEnd::kWaits) {
        ms["type"] = kInProgress;
        return wait();
      }
      if (end.kind == StepEnd::kFailed && !flag(m, "continue_on_error")) {
        ms["type"] = kFailure;
        status_["failed"] = with_step_id(end.value, id);
        continue;
      }
      // Succeeded, or failed with continue_on_error (shown as failed, as Windmill does): its
      // result is its error, and on we go.
      ms["type"] = end.kind == StepEnd::kSucceeded ? kSuccess : kFailure;
      if (end.kept_inline) ms["result"] = end.value;
      status_.erase("resumed");  // what an approval gave is for the step right after it
      if (str(value_, "early_return") == id && job_.kind == JobKind::Flow) {
        out_.early_result = text_of(end.value);
      }
      const char* stop_key =
          is_loop(str(m["value"], "type")) ? "stop_after_all_iters_if" : "stop_after_if";
      if (const ojson* stop = field(m, stop_key); stop && stop->is_object()) {
        ojson yes, error;
        if (!eval(str(*stop, "expr"), stop_key, id, scope(prev, &end.value, nullptr), yes, error)) {
          status_["failed"] = with_step_id(error, id);
          continue;
        }
        if (Expressions::truthy(yes)) {
          status_["step"] = i + 1;
          status_["stopped_early"] = true;
          if (const ojson* message = field(*stop, "error_message")) {
            std::string text = message->is_string() ? message->get<std::string>() : "";
            if (text.empty()) text = "stop after if: " + str(*stop, "expr");
            status_["failed"] = with_step_id(error_result("EarlyStopError", text), id);
            continue;
          }
          return finish(JobStatus::Success, end.value);
        }
      }
      status_["step"] = i + 1;
      if (const ojson* suspend = field(m, "suspend"); suspend && end.kind == StepEnd::kSucceeded &&
                                                      suspend->is_object() &&
                                                      suspend->value("required_events", 0) > 0) {
        suspend_after(i, m, ms, *suspend);
        continue;
      }
      if (const ojson* sleep = field(m, "sleep")) {
        ojson seconds, error;
        if (!eval_input(*sleep, "sleep", id, scope(end.value, nullptr, nullptr), seconds, error)) {
          status_["failed"] = with_step_id(error, id);
          continue;
        }
        if (seconds.is_number() && seconds.get<double>() > 0) {
          status_["sleep_until"] = now_ + static_cast<EpochMs>(seconds.get<double>() * 1000);
          continue;
        }
      }
    }
  }

 private:
  // --- outcomes and results of steps -------------------------------------------------------

  void fetch(const std::vector<std::string>& ids) {
    std::vector<std::string> missing;
    for (const auto& id : ids) {
      if (!outcomes_.count(id)) missing.push_back(id);
    }
    if (missing.empty()) return;
    auto found =
        db_.read([&](store::Connection& c) { return store::completed_outcomes(c, missing); });
    if (!found) throw StoreUnavailable("cannot read the steps' outcomes: " + found.error().message);
    for (auto& [id, o] : *found) outcomes_.emplace(id, std::move(o));
  }

  const store::StepOutcome* outcome(const std::string& id) {
    fetch({id});
    auto it = outcomes_.find(id);
    return it == outcomes_.end() ? nullptr : &it->second;
  }

  ojson job_result(const ojson& job_id) {
    const store::StepOutcome* o = job_id.is_string() ? outcome(job_id.get<std::string>()) : nullptr;
    return o ? parse_or_null(o->result_json) : ojson();
  }

  // A finished module's result: kept inline, or its job's, or its loop's or branches' array.
  ojson module_result(const ojson& ms) {
    if (auto it = ms.find("result"); it != ms.end()) return *it;
    if (auto jobs = ms.find("flow_jobs"); jobs != ms.end() && jobs->is_array()) {
      std::vector<std::string> ids;
      for (const auto& j : *jobs) ids.push_back(j.get<std::string>());
      fetch(ids);
      ojson all = ojson::array();
      for (const auto& j : *jobs) all.push_back(job_result(j));
      return all;
    }
    if (auto job = ms.find("job"); job != ms.end()) return job_result(*job);
    return ojson();
  }

  ojson previous_result(size_t i) {
    if (i == 0) return args_;
    return module_result(status_["modules"][i - 1]);
  }

  void add_results(const ojson& status, const std::string& expr, ojson& out) {
    if (!status.is_object() || !status.contains("modules")) return;
    for (const auto& ms : status["modules"]) {
      std::string id = str(ms, "id");
      // Failed steps count too: a continue_on_error step's result is its error.
      if (id.empty() || (ms["type"] != kSuccess && ms["type"] != kFailure) || out.contains(id)) {
        continue;
      }
      if (expr.find(id) == std::string::npos) continue;  // the text cannot name it
      out[id] = module_result(ms);
    }
  }

  // `results`: this flow's finished steps, then, for the body of a loop or branch, those of
  // the flows around it.
  ojson results_named_in(const std::string& expr) {
    ojson out = ojson::object();
    add_results(status_, expr, out);
    JobKind kind = job_.kind;
    std::optional<std::string> parent = job_.parent_job;
    while (kind == JobKind::FlowNode && parent) {
      auto view = db_.read([&](store::Connection& c) { return store::get_job_by_id(c, *parent); });
      if (!view) throw StoreUnavailable("cannot read a flow around: " + view.error().message);
      if (!*view) break;
      add_results(parse_or_null((*view)->job.flow_status.value_or("{}")), expr, out);
      kind = (*view)->job.kind;
      parent = (*view)->job.parent_job;
    }
    return out;
  }

  // --- expressions ---------------------------------------------------------------------------

  Scope scope(const ojson& prev, const ojson* result, const ojson* params) {
    Scope s;
    if (auto it = status_.find("resumed"); it != status_.end()) {
      s.resume = &(*it)["resume"];
      s.resumes = &(*it)["resumes"];
      s.approvers = &(*it)["approvers"];
    }
    s.flow_input = &args_;
    s.previous_result = &prev;
    s.result = result;
    s.params = params;
    s.error = error_ctx_;
    s.flow_env = &env_;
    s.flow_job_id = job_.id;
    s.workspace = job_.workspace_id;
    s.results = [this](const std::string& expr) { return results_named_in(expr); };
    return s;
  }

  // A failing expression fails its step, with the step, the input and the text named.
  bool eval(const std::string& expr, const std::string& what, const std::string& step_id,
            const Scope& s, ojson& value, ojson& error) {
    std::string why;
    if (ex_.evaluate(expr, s, value, why)) return true;
    error = error_result("ExecutionErr", "step `" + step_id + "`: the " + what + " expression `" +
                                             expr + "` failed: " + why);
    return false;
  }

  // An InputTransform ({type: static, value} or {type: javascript, expr}) or a plain value.
  bool eval_input(const ojson& t, const std::string& what, const std::string& step_id,
                  const Scope& s, ojson& value, ojson& error) {
    if (!t.is_object() || !t.contains("type")) {
      value = t;
      return true;
    }
    std::string type = str(t, "type");
    if (type == "static") {
      value = t.contains("value") ? t["value"] : ojson();
      return true;
    }
    if (type == "javascript") return eval(str(t, "expr"), what, step_id, s, value, error);
    error = error_result("ExecutionErr", "step `" + step_id + "`: the " + what + " is of type `" +
                                             type + "`, which Millrace does not evaluate");
    return false;
  }

  bool transforms(const ojson& m, const ojson& prev, ojson& args, ojson& error) {
    const std::string id = str(m, "id");
    args = ojson::object();
    ojson params = ojson::object();
    const ojson* list = field(m["value"], "input_transforms");
    if (!list || !list->is_object()) return true;
    for (const auto& [name, t] : list->items()) {
      ojson v;
      if (!eval_input(t, "input `" + name + "`", id, scope(prev, nullptr, &params), v, error)) {
        return false;
      }
      args[name] = v;
      params[name] = std::move(v);
    }
    return true;
  }

  // --- starting and following modules --------------------------------------------------------

  StepEnd start(const ojson& m, ojson& ms, const ojson& prev) {
    const std::string id = str(m, "id");
    const ojson& v = m["value"];
    if (const ojson* skip = field(m, "skip_if"); skip && skip->is_object()) {
      ojson yes, error;
      if (!eval(str(*skip, "expr"), "skip_if", id, scope(prev, nullptr, nullptr), yes, error)) {
        return failed(error);
      }
      if (Expressions::truthy(yes)) {
        ms["skipped"] = true;
        return succeeded(prev, true);
      }
    }
    if (const ojson* mock = field(m, "mock"); mock && flag(*mock, "enabled")) {
      return succeeded(mock->contains("return_value") ? (*mock)["return_value"] : ojson(), true);
    }
    const std::string type = str(v, "type");
    if (type == "identity") return succeeded(prev, true);
    if (type == "rawscript" || type == "script" || type == "flow") return start_job(m, ms, prev, 0);
    if (type == "forloopflow") {
      ojson items, error;
      const ojson* iterator = field(v, "iterator");
      if (!iterator) return failed(error_result("ExecutionErr", "step `" + id + "`: no iterator"));
      if (!eval_input(*iterator, "iterator", id, scope(prev, nullptr, nullptr), items, error)) {
        return failed(error);
      }
      if (!items.is_array()) {
        std::string shown = text_of(items);
        if (shown.size() > 200) shown = shown.substr(0, 200) + "…";
        return failed(error_result("ExecutionErr",
                                   "step `" + id + "`: the iterator is not an array: " + shown));
      }
      ms["iterator"] = {{"index", 0}, {"itered_len", items.size()}, {"itered", items}};
      ms["flow_jobs"] = ojson::array();
      ms["flow_jobs_success"] = ojson::array();
      if (items.empty()) return succeeded(ojson::array(), true);
      return fan_out(m, ms, prev);
    }
    if (type == "whileloopflow") {
      ms["iterator"] = {{"index", 0}};
      ms["flow_jobs"] = ojson::array();
      ms["flow_jobs_success"] = ojson::array();
      return fan_out(m, ms, prev);
    }
    if (type == "branchone") {
      const ojson* chosen = field(v, "default");
      ms["branch_chosen"] = {{"type", "default"}};
      if (const ojson* branches = field(v, "branches"); branches && branches->is_array()) {
        for (size_t k = 0; k < branches->size(); ++k) {
          ojson yes, error;
          if (!eval(str((*branches)[k], "expr"), "branch " + std::to_string(k), id,
                    scope(prev, nullptr, nullptr), yes, error)) {
            return failed(error);
          }
          if (Expressions::truthy(yes)) {
            ms["branch_chosen"] = {{"type", "branch"}, {"branch", k}};
            chosen = field((*branches)[k], "modules");
            break;
          }
        }
      }
      if (!chosen || !chosen->is_array() || chosen->empty()) return succeeded(prev, true);
      auto body = body_job(job_, id, value_, *chosen, args_, now_);
      ms["job"] = body.job.id;
      steps_.push_back(std::move(body));
      return waits();
    }
    if (type == "branchall") {
      const ojson* branches = field(v, "branches");
      size_t n = branches && branches->is_array() ? branches->size() : 0;
      ms["branchall"] = {{"branch", 0}, {"len", n}};
      ms["flow_jobs"] = ojson::array();
      ms["flow_jobs_success"] = ojson::array();
      if (n == 0) return succeeded(ojson::array(), true);
      return fan_out(m, ms, prev);
    }
    return failed(error_result("ExecutionErr", "step `" + id + "`: modules of type `" + type +
                                                   "` are not supported by Millrace"));
  }

  StepEnd poll(const ojson& m, ojson& ms, const ojson& prev) {
    const std::string type = str(m["value"], "type");
    if (ms.contains("flow_jobs")) return fan_out(m, ms, prev);
    const store::StepOutcome* o = outcome(str(ms, "job"));
    if (!o) return waits();
    ojson result = parse_or_null(o->result_json);
    if (o->status == JobStatus::Success) return succeeded(std::move(result));
    if (type != "branchone") {
      if (auto retried = retry(m, ms, prev, result)) return *retried;
    }
    return failed(std::move(result));
  }

  // A rawscript, script or sub-flow step: its inputs evaluated, its job created.
  StepEnd start_job(const ojson& m, ojson& ms, const ojson& prev, EpochMs delay_ms) {
    const std::string id = str(m, "id");
    ojson args, error;
    if (!transforms(m, prev, args, error)) return failed(error);
    std::optional<int64_t> timeout_s;
    if (const ojson* t = field(m, "timeout")) {
      ojson seconds;
      if (!eval_input(*t, "timeout", id, scope(prev, nullptr, &args), seconds, error)) {
        return failed(error);
      }
      if (seconds.is_number()) timeout_s = std::max<int64_t>(1, seconds.get<int64_t>());
    }
    auto job = module_job(db_, job_, id, m["value"], args, timeout_s, now_);
    if (!job && job.error().server_side()) throw StoreUnavailable(job.error().message);
    if (!job)
      return failed(error_result("ExecutionErr", "step `" + id + "`: " + job.error().message));
    job->scheduled_for = now_ + delay_ms;
    ms["job"] = job->job.id;
    steps_.push_back(std::move(*job));
    return waits();
  }

  // The module's `retry`: another attempt after a delay, while attempts remain and retry_if
  // (when given) says so.
  std::optional<StepEnd> retry(const ojson& m, ojson& ms, const ojson& prev, const ojson& error) {
    const ojson* r = field(m, "retry");
    if (!r || !r->is_object()) return std::nullopt;
    int64_t fails = ms.contains("retry") ? ms["retry"].value("fail_count", int64_t{0}) : 0;
    double delay_s = 0;
    const ojson* constant = field(*r, "constant");
    const ojson* exponential = field(*r, "exponential");
    int64_t constant_attempts = constant ? constant->value("attempts", int64_t{0}) : 0;
    int64_t exponential_attempts = exponential ? exponential->value("attempts", int64_t{0}) : 0;
    if (fails < constant_attempts) {
      delay_s = constant->value("seconds", 0.0);
    } else if (fails - constant_attempts < exponential_attempts) {
      // Windmill's formula: the exponent counts every failure so far, constant ones included.
      int64_t attempt = fails + 1;
      delay_s = exponential->value("multiplier", 1.0) *
                std::pow(exponential->value("seconds", 1.0), static_cast<double>(attempt));
    } else {
      return std::nullopt;
    }
    const std::string id = str(m, "id");
    if (const ojson* retry_if = field(*r, "retry_if"); retry_if && retry_if->is_object()) {
      ojson yes, eval_error;
      const ojson* saved = error_ctx_;
      ojson error_object = error.contains("error") ? error["error"] : error;
      error_ctx_ = &error_object;
      bool ok = eval(str(*retry_if, "expr"), "retry_if", id, scope(prev, &error, nullptr), yes,
                     eval_error);
      error_ctx_ = saved;
      if (!ok) return failed(eval_error);
      if (!Expressions::truthy(yes)) return std::nullopt;
    }
    ojson& state = ms["retry"];
    if (!state.is_object()) state = {{"fail_count", 0}, {"failed_jobs", ojson::array()}};
    state["fail_count"] = fails + 1;
    state["failed_jobs"].push_back(ms["job"]);
    return start_job(m, ms, prev, static_cast<EpochMs>(std::min(delay_s, 86400.0 * 365) * 1000));
  }

  // Loops and branchall: one body job per iteration or branch, one at a time or `parallelism`
  // at once; the result is the array of their results, in order.
  StepEnd fan_out(const ojson& m, ojson& ms, const ojson& prev) {
    const std::string id = str(m, "id");
    const ojson& v = m["value"];
    const std::string type = str(v, "type");
    ojson& jobs = ms["flow_jobs"];
    ojson& ok = ms["flow_jobs_success"];
    const ojson* branches = field(v, "branches");
    std::optional<size_t> total;
    if (type == "forloopflow") total = ms["iterator"]["itered"].size();
    if (type == "branchall") total = branches ? branches->size() : 0;
    auto skips_failure = [&](size_t k) {
      if (type == "branchall") return flag((*branches)[k], "skip_failure");
      // Windmill's defaults when absent: for-loops skip failures, while-loops do not.
      const ojson* skip = field(v, "skip_failures");
      return skip ? skip->is_boolean() && skip->get<bool>() : type == "forloopflow";
    };

    std::vector<std::string> unfinished;
    for (size_t k = 0; k < jobs.size(); ++k) {
      if (ok[k].is_null()) unfinished.push_back(jobs[k].get<std::string>());
    }
    fetch(unfinished);
    size_t running = 0;
    std::optional<size_t> failure;
    for (size_t k = 0; k < jobs.size(); ++k) {
      if (ok[k].is_null()) {
        const store::StepOutcome* o = outcome(jobs[k].get<std::string>());
        if (!o) {
          ++running;
          continue;
        }
        ok[k] = o->status == JobStatus::Success;
      }
      if (!ok[k].get<bool>() && !skips_failure(k) && !failure) failure = k;
    }
    if (failure) {
      for (size_t k = 0; k < jobs.size(); ++k) {
        if (ok[k].is_null()) out_.cancel_steps.push_back(jobs[k].get<std::string>());
      }
      return failed(job_result(jobs[*failure]));
    }
    // Windmill's defaults when absent: branchall runs its branches in parallel, loops do not.
    const ojson* parallel_field = field(v, "parallel");
    bool parallel = parallel_field ? parallel_field->is_boolean() && parallel_field->get<bool>()
                                   : type == "branchall";
    if (type == "whileloopflow") parallel = false;
    // Sequential loops: stop_after_if breaks out after an iteration; so does a step of the
    // body that stopped its iteration early (Windmill's rule).
    if (!parallel && running == 0 && !jobs.empty() && is_loop(type)) {
      if (body_may_stop(v) && iteration_stopped_early(jobs.back().get<std::string>())) {
        return succeeded(module_result(ms));
      }
      if (const ojson* stop = field(m, "stop_after_if"); stop && stop->is_object()) {
        ojson last = job_result(jobs.back()), yes, error;
        if (!eval(str(*stop, "expr"), "stop_after_if", id, scope(prev, &last, nullptr), yes,
                  error)) {
          return failed(error);
        }
        if (Expressions::truthy(yes)) return succeeded(module_result(ms));
      }
    }
    size_t limit = 1;
    if (parallel) {
      limit = total.value_or(1);
      if (const ojson* p = field(v, "parallelism")) {
        ojson n, error;
        if (!eval_input(*p, "parallelism", id, scope(prev, nullptr, nullptr), n, error)) {
          return failed(error);
        }
        if (n.is_number() && n.get<double>() >= 1) limit = n.get<size_t>();
      }
    }
    while (running < limit && (!total || jobs.size() < *total)) {
      size_t k = jobs.size();
      queue::NewJob body;
      if (type == "branchall") {
        const ojson* modules = field((*branches)[k], "modules");
        body = body_job(job_, id, value_, modules ? *modules : ojson::array(), args_, now_);
        ms["branchall"]["branch"] = k;
      } else {
        ojson args = args_;
        const ojson item = total ? ms["iterator"]["itered"][k] : ojson(k);
        args["iter"] = {{"value", item}, {"index", k}};
        body = body_job(job_, id, value_, field(v, "modules") ? v["modules"] : ojson::array(), args,
                        now_);
        ms["iterator"]["index"] = k;
      }
      jobs.push_back(body.job.id);
      ok.push_back(nullptr);
      steps_.push_back(std::move(body));
      ++running;
    }
    if (running == 0) return succeeded(module_result(ms));
    return waits();
  }

  // --- approval steps (suspend) ----------------------------------------------------------------

  // After step i succeeded, the flow waits for `required_events` answers to its signed resume
  // URLs (api/flow_resume_routes.cc), or for the timeout.
  void suspend_after(size_t i, const ojson& m, ojson& ms, const ojson& suspend) {
    const std::string id = str(m, "id");
    if (!ms.contains("job")) {
      status_["failed"] = with_step_id(
          error_result("ExecutionErr", "step `" + id +
                                           "` cannot be approved: its suspend needs a step "
                                           "that runs a job (whose id the resume URLs name)"),
          id);
      return;
    }
    // Copied first: a new key in status_ may move the modules array (and `ms` with it).
    const ojson step_job = ms["job"];
    int64_t count = suspend.value("required_events", int64_t{1});
    int64_t timeout_s = suspend.value("timeout", kDefaultSuspendTimeoutS);
    if (timeout_s <= 0) timeout_s = kDefaultSuspendTimeoutS;
    status_["suspended"] = {
        {"job", step_job},
        {"module", id},
        {"index", i},
        {"count", count},
        {"until", now_ + timeout_s * 1000},
        {"continue_on_disapprove_timeout", flag(suspend, "continue_on_disapprove_timeout")}};
    if (i + 1 < modules_.size()) {
      status_["modules"][i + 1] = {{"id", str(modules_[i + 1], "id")},
                                   {"type", kWaitingForEvents},
                                   {"count", count},
                                   {"job", step_job}};
    }
  }

  // The answers so far: true when the flow goes on (approved, or refused or timed out and
  // failing — `failed` is then set), false when it keeps waiting (until `due_`).
  bool resumed() {
    ojson s = status_["suspended"];
    const std::string step_job = str(s, "job");
    auto answers = db_.read([&](store::Connection& c) { return store::list_resumes(c, step_job); });
    if (!answers) throw StoreUnavailable("cannot read the answers: " + answers.error().message);
    ojson payloads = ojson::array(), approvers = ojson::array(), approvals = ojson::array();
    std::optional<std::string> refused_by;
    for (const auto& a : *answers) {
      if (!a.approved) {
        if (!refused_by) refused_by = a.approver.value_or("unknown");
        continue;
      }
      payloads.push_back(parse_or_null(a.value_json));
      approvers.push_back(a.approver.value_or("anonymous"));
      approvals.push_back(
          {{"resume_id", a.resume_id}, {"approver", a.approver.value_or("anonymous")}});
    }
    const int64_t count = s.value("count", int64_t{1});
    const size_t index = s.value("index", size_t{0});
    const std::string module = str(s, "module");
    auto go_on = [&](ojson resume) {
      status_["resumed"] = {
          {"resume", std::move(resume)}, {"resumes", payloads}, {"approvers", approvers}};
      status_["modules"][index]["approvers"] = approvals;
      if (index + 1 < modules_.size()) {
        status_["modules"][index + 1] = {{"id", str(modules_[index + 1], "id")},
                                         {"type", kWaiting}};
      }
      status_.erase("suspended");
      return true;
    };
    auto refuse = [&](ojson error) {
      if (s.value("continue_on_disapprove_timeout", false)) {
        payloads.push_back(error);
        return go_on(std::move(error));
      }
      status_.erase("suspended");
      status_["failed"] = with_step_id(error, module);
      return true;
    };
    if (refused_by)
      return refuse(error_result("SuspendedDisapproved", "Disapproved by " + *refused_by));
    if (static_cast<int64_t>(payloads.size()) >= count) return go_on(payloads.back());
    if (now_ >= s.value("until", EpochMs{0})) {
      return refuse(error_result("SuspendedTimedOut", "Timed out waiting to be resumed"));
    }
    if (index + 1 < modules_.size()) {
      status_["modules"][index + 1]["count"] = count - static_cast<int64_t>(payloads.size());
    }
    due_ = s.value("until", EpochMs{0});
    return false;
  }

  static bool body_may_stop(const ojson& loop_value) {
    const ojson* modules = field(loop_value, "modules");
    if (!modules || !modules->is_array()) return false;
    for (const auto& m : *modules) {
      if (field(m, "stop_after_if")) return true;
    }
    return false;
  }

  bool iteration_stopped_early(const std::string& iteration) {
    auto view = db_.read([&](store::Connection& c) { return store::get_job_by_id(c, iteration); });
    if (!view) throw StoreUnavailable("cannot read an iteration: " + view.error().message);
    if (!*view) return false;
    ojson status = parse_or_null((*view)->job.flow_status.value_or("{}"));
    return (*view)->completed && (*view)->completed->status == JobStatus::Success &&
           flag(status, "stopped_early");
  }

  // --- ends ------------------------------------------------------------------------------------

  Advance after_failure() {
    const ojson& failure = status_["failed"];
    const ojson* handler = field(value_, "failure_module");
    if (!handler || !handler->is_object()) return finish(JobStatus::Failure, failure);
    ojson& hs = status_["failure_module"];
    ojson error_object = failure.contains("error") ? failure["error"] : failure;
    error_ctx_ = &error_object;
    StepEnd end =
        hs["type"] == kWaiting ? start(*handler, hs, failure) : poll(*handler, hs, failure);
    error_ctx_ = nullptr;
    if (end.kind == StepEnd::kWaits) {
      hs["type"] = kInProgress;
      return wait();
    }
    hs["type"] = end.kind == StepEnd::kSucceeded ? kSuccess : kFailure;
    if (end.kept_inline) hs["result"] = end.value;
    // The flow failed all the same, unless the handler says it recovered ({"recover": true});
    // either way, the handler's result is what it answers.
    bool recovered = end.kind == StepEnd::kSucceeded && end.value.is_object() &&
                     end.value.value("recover", ojson()) == true;
    return finish(recovered ? JobStatus::Success : JobStatus::Failure, end.value);
  }

  // The steps started and not finished, to be canceled when the flow ends before them.
  void cancel_unfinished_steps() {
    std::vector<std::string> started;
    auto collect = [&](const ojson& ms) {
      if (!ms.is_object() || ms.value("type", ojson()) != kInProgress) return;
      if (ms.contains("job") && ms["job"].is_string()) started.push_back(str(ms, "job"));
      if (ms.contains("flow_jobs") && ms["flow_jobs"].is_array()) {
        for (const auto& j : ms["flow_jobs"]) {
          if (j.is_string()) started.push_back(j.get<std::string>());
        }
      }
    };
    if (status_.contains("modules") && status_["modules"].is_array()) {
      for (const auto& ms : status_["modules"]) collect(ms);
    }
    if (status_.contains("failure_module")) collect(status_["failure_module"]);
    fetch(started);
    for (const auto& id : started) {
      if (!outcomes_.count(id)) out_.cancel_steps.push_back(id);
    }
  }

  Advance cancel() {
    cancel_unfinished_steps();
    return finish(JobStatus::Canceled,
                  parse_or_null(queue::canceled_result(claimed_.canceled_reason.value_or(""),
                                                       *claimed_.canceled_by)));
  }

 public:
  // The flow cannot go on (a value the checks at save time let through): it fails with the
  // reason, its state kept, and its unfinished steps are canceled.
  Advance abandon(const std::string& why) {
    cancel_unfinished_steps();
    return finish(JobStatus::Failure,
                  error_result("ExecutionErr", "the flow cannot go on: " + why));
  }

 private:
  Advance finish(JobStatus status, const ojson& result) {
    out_.finished = queue::JobOutcome{status, text_of(result), "", text_of(status_)};
    return std::move(out_);
  }

  Advance wait() {
    out_.waits = queue::FlowAdvance{text_of(status_), std::move(steps_), due_};
    return std::move(out_);
  }

  store::Database& db_;
  const Expressions& ex_;
  EpochMs now_;
  const queue::ClaimedJob& claimed_;
  const store::JobRecord& job_;
  ojson value_, modules_, status_, args_, env_ = ojson::object();
  const ojson* error_ctx_ = nullptr;  // `error`, while the failure module starts
  std::unordered_map<std::string, store::StepOutcome> outcomes_;
  std::vector<queue::NewJob> steps_;
  std::optional<EpochMs> due_;
  Advance out_;
};

}  // namespace

FlowEngine::FlowEngine(store::Database& db, const Expressions& expressions, const Clock& clock)
    : db_(db), expressions_(expressions), clock_(clock) {}

Advance FlowEngine::advance(const queue::ClaimedJob& flow) {
  const EpochMs now = clock_.now_ms();
  std::string why;
  try {
    return Advancer(db_, expressions_, now, flow).run();
  } catch (const StoreUnavailable& e) {
    // Nothing of this advance is kept: the flow, as stored, is advanced again in a second.
    log::warn("flow " + flow.job.id + " waits: " + e.what(), {{"job_id", flow.job.id}});
    Advance out;
    out.waits = queue::FlowAdvance{flow.job.flow_status.value_or("{}"), {}, now + 1000};
    return out;
  } catch (const std::exception& e) {
    why = e.what();
  }
  try {
    return Advancer(db_, expressions_, now, flow).abandon(why);
  } catch (const std::exception&) {
    Advance out;  // not even its state can be read: it ends with the reason alone
    out.finished = queue::JobOutcome{
        JobStatus::Failure, text_of(error_result("ExecutionErr", "the flow cannot go on: " + why)),
        "", std::nullopt};
    return out;
  }
}

}  // namespace millrace::flow
