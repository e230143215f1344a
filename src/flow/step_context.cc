#include "flow/step_context.h"

#include "store/database.h"
#include "store/jobs.h"

namespace millrace::flow {

StepContext::StepContext(store::Database& db, const Expressions& expressions, StepAccess* access,
                         EpochMs now, const store::JobRecord& flow, FlowStatus& status)
    : db_(db), expressions_(expressions), access_(access), now_(now), flow_(flow), status_(status) {
  value_ = parse_or_null(flow.raw_flow.value_or("{}"));
  args_ = parse_or_null(flow.args_json);
  if (!args_.is_object()) args_ = ojson::object();
  if (const ojson* env = field(value_, "flow_env")) env_ = *env;
  const ojson* modules = field(value_, "modules");
  modules_ = modules && modules->is_array() ? *modules : ojson::array();
}

StepContext::~StepContext() = default;

void StepContext::fetch(const std::vector<std::string>& ids) {
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

const store::StepOutcome* StepContext::outcome(const std::string& job_id) {
  fetch({job_id});
  auto it = outcomes_.find(job_id);
  return it == outcomes_.end() ? nullptr : &it->second;
}

ojson StepContext::job_result(const std::string& job_id) {
  const store::StepOutcome* o = outcome(job_id);
  return o ? parse_or_null(o->result_json) : ojson();
}

ojson StepContext::module_result(const ModuleStatus& ms) {
  if (ms.result) return *ms.result;
  if (ms.fan_out) {
    fetch(ms.fan_out->jobs);
    ojson all = ojson::array();
    for (const auto& j : ms.fan_out->jobs) all.push_back(job_result(j));
    return all;
  }
  if (ms.job) return job_result(*ms.job);
  return ojson();
}

ojson StepContext::previous_result(size_t i) {
  if (i == 0) return args_;
  return module_result(status_.modules.at(i - 1));
}

std::optional<store::JobView> StepContext::read_job(const std::string& id) {
  auto view = db_.read([&](store::Connection& c) { return store::get_job_by_id(c, id); });
  if (!view) throw StoreUnavailable("cannot read job " + id + ": " + view.error().message);
  return *view;
}

void StepContext::add_results(const FlowStatus& status, const std::string& expr, ojson& out) {
  for (const auto& ms : status.modules) {
    // Failed steps count too: a continue_on_error step's result is its error.
    if (ms.id.empty() || out.contains(ms.id) ||
        (ms.state != ModuleState::Success && ms.state != ModuleState::Failure)) {
      continue;
    }
    if (expr.find(ms.id) == std::string::npos) continue;  // the text cannot name it
    out[ms.id] = module_result(ms);
  }
}

// `results`: this flow's finished steps, then, for the body of a loop or branch, those of the
// flows around it.
ojson StepContext::results_named_in(const std::string& expr) {
  ojson out = ojson::object();
  add_results(status_, expr, out);
  JobKind kind = flow_.kind;
  std::optional<std::string> parent = flow_.parent_job;
  while (kind == JobKind::FlowNode && parent) {
    auto view = read_job(*parent);
    if (!view) break;
    if (auto around = FlowStatus::parse(parse_or_null(view->job.flow_status.value_or("{}")))) {
      add_results(*around, expr, out);
    }
    kind = view->job.kind;
    parent = view->job.parent_job;
  }
  return out;
}

Scope StepContext::scope(const ojson& prev, const ojson* result, const ojson* params) {
  Scope s;
  if (status_.resumed) {
    s.resume = &status_.resumed->resume;
    s.resumes = &status_.resumed->resumes;
    s.approvers = &status_.resumed->approvers;
  }
  s.flow_input = &args_;
  s.previous_result = &prev;
  s.result = result;
  s.params = params;
  s.error = error_;
  s.flow_env = &env_;
  s.flow_job_id = flow_.id;
  s.workspace = flow_.workspace_id;
  s.results = [this](const std::string& expr) { return results_named_in(expr); };
  return s;
}

bool StepContext::eval(const std::string& expr, const std::string& what, const std::string& step_id,
                       const Scope& s, ojson& value, ojson& error) {
  std::string why;
  if (expressions_.evaluate(expr, s, value, why)) return true;
  error = error_result("ExecutionErr", "step `" + step_id + "`: the " + what + " expression `" +
                                           expr + "` failed: " + why);
  return false;
}

bool StepContext::eval_input(const ojson& t, const std::string& what, const std::string& step_id,
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

}  // namespace millrace::flow
