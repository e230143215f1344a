#include "flow/flow_status.h"

#include <stdexcept>

namespace millrace::flow {
namespace {

constexpr std::pair<ModuleState, const char*> kStateNames[] = {
    {ModuleState::WaitingForPriorSteps, "WaitingForPriorSteps"},
    {ModuleState::InProgress, "InProgress"},
    {ModuleState::Success, "Success"},
    {ModuleState::Failure, "Failure"},
    {ModuleState::WaitingForEvents, "WaitingForEvents"},
};

[[noreturn]] void invalid(const std::string& what) {
  throw std::invalid_argument("its state is not valid: " + what);
}

// o[key] as T when present and not null; a value of another type is invalid.
template <typename T>
std::optional<T> read(const ojson& o, const char* key) {
  const ojson* v = field(o, key);
  if (!v) return std::nullopt;
  try {
    return v->get<T>();
  } catch (const ojson::exception&) {
    invalid(std::string("`") + key + "` is " + v->type_name());
  }
}

const ojson& object_at(const ojson& o, const char* key) {
  const ojson* v = field(o, key);
  if (!v || !v->is_object()) invalid(std::string("`") + key + "` is not an object");
  return *v;
}

ModuleStatus parse_module(const ojson& m) {
  if (!m.is_object()) invalid("a module is " + std::string(m.type_name()));
  ModuleStatus out;
  out.id = read<std::string>(m, "id").value_or("");
  std::string type = read<std::string>(m, "type").value_or("");
  auto state = parse_module_state(type);
  if (!state) invalid("a module is in state `" + type + "`");
  out.state = *state;
  out.job = read<std::string>(m, "job");
  if (field(m, "flow_jobs")) {
    FanOutStatus f;
    f.jobs = *read<std::vector<std::string>>(m, "flow_jobs");
    if (const ojson* ok = field(m, "flow_jobs_success")) {
      if (!ok->is_array()) invalid("`flow_jobs_success` is not an array");
      for (const auto& v : *ok) {
        if (!v.is_null() && !v.is_boolean()) invalid("`flow_jobs_success` holds a non-boolean");
        f.succeeded.push_back(v.is_null() ? std::nullopt : std::optional<bool>(v.get<bool>()));
      }
    }
    if (f.succeeded.size() != f.jobs.size()) invalid("`flow_jobs_success` has another length");
    out.fan_out = std::move(f);
  }
  if (field(m, "iterator")) {
    const ojson& it = object_at(m, "iterator");
    out.iterator = LoopIterator{read<size_t>(it, "index").value_or(0), std::nullopt};
    if (const ojson* items = field(it, "itered")) {
      if (!items->is_array()) invalid("`itered` is not an array");
      out.iterator->itered = *items;
    }
  }
  if (field(m, "branch_chosen")) {
    out.branch_chosen = BranchChosen{read<size_t>(object_at(m, "branch_chosen"), "branch")};
  }
  if (field(m, "branchall")) {
    const ojson& b = object_at(m, "branchall");
    out.branchall = BranchAllProgress{read<size_t>(b, "branch").value_or(0),
                                      read<size_t>(b, "len").value_or(0)};
  }
  if (field(m, "retry")) {
    const ojson& r = object_at(m, "retry");
    out.retry = RetryStatus{
        read<int64_t>(r, "fail_count").value_or(0),
        read<std::vector<std::string>>(r, "failed_jobs").value_or(std::vector<std::string>{})};
  }
  out.skipped = read<bool>(m, "skipped").value_or(false);
  if (auto it = m.find("result"); it != m.end()) out.result = *it;
  out.count = read<int64_t>(m, "count");
  if (const ojson* list = field(m, "approvers")) {
    if (!list->is_array()) invalid("`approvers` is not an array");
    out.approvers.emplace();
    for (const auto& a : *list) {
      out.approvers->push_back(Approval{read<int64_t>(a, "resume_id").value_or(0),
                                        read<std::string>(a, "approver").value_or("")});
    }
  }
  return out;
}

ojson module_json(const ModuleStatus& m) {
  ojson out = {{"id", m.id}, {"type", to_string(m.state)}};
  if (m.job) out["job"] = *m.job;
  if (m.count) out["count"] = *m.count;
  if (m.iterator) {
    ojson it = {{"index", m.iterator->index}};
    if (m.iterator->itered) {
      it["itered_len"] = m.iterator->itered->size();
      it["itered"] = *m.iterator->itered;
    }
    out["iterator"] = std::move(it);
  }
  if (m.branch_chosen) {
    out["branch_chosen"] = m.branch_chosen->branch
                               ? ojson{{"type", "branch"}, {"branch", *m.branch_chosen->branch}}
                               : ojson{{"type", "default"}};
  }
  if (m.branchall) {
    out["branchall"] = {{"branch", m.branchall->branch}, {"len", m.branchall->len}};
  }
  if (m.fan_out) {
    ojson ok = ojson::array();
    for (const auto& s : m.fan_out->succeeded) ok.push_back(s ? ojson(*s) : ojson());
    out["flow_jobs"] = m.fan_out->jobs;
    out["flow_jobs_success"] = std::move(ok);
  }
  if (m.retry) {
    out["retry"] = {{"fail_count", m.retry->fail_count}, {"failed_jobs", m.retry->failed_jobs}};
  }
  if (m.skipped) out["skipped"] = true;
  if (m.result) out["result"] = *m.result;
  if (m.approvers) {
    ojson list = ojson::array();
    for (const auto& a : *m.approvers) {
      list.push_back({{"resume_id", a.resume_id}, {"approver", a.approver}});
    }
    out["approvers"] = std::move(list);
  }
  return out;
}

}  // namespace

const char* to_string(ModuleState state) {
  for (const auto& [s, name] : kStateNames) {
    if (s == state) return name;
  }
  return "WaitingForPriorSteps";
}

std::optional<ModuleState> parse_module_state(std::string_view text) {
  for (const auto& [s, name] : kStateNames) {
    if (text == name) return s;
  }
  return std::nullopt;
}

FlowStatus FlowStatus::initial(const ojson& modules) {
  FlowStatus out;
  if (modules.is_array()) {
    for (const auto& m : modules) out.modules.push_back(ModuleStatus{str(m, "id")});
  }
  return out;
}

std::optional<FlowStatus> FlowStatus::parse(const ojson& value) {
  if (!value.is_object() || !value.contains("modules")) return std::nullopt;
  FlowStatus out;
  out.step = read<size_t>(value, "step").value_or(0);
  const ojson& modules = value["modules"];
  if (!modules.is_array()) invalid("`modules` is not an array");
  for (const auto& m : modules) out.modules.push_back(parse_module(m));
  if (field(value, "failure_module")) out.failure_module = parse_module(value["failure_module"]);
  if (field(value, "preprocessor_module"))
    out.preprocessor_module = parse_module(value["preprocessor_module"]);
  if (auto it = value.find("preprocessed_args"); it != value.end()) out.preprocessed_args = *it;
  if (auto it = value.find("failed"); it != value.end()) out.failed = *it;
  out.stopped_early = read<bool>(value, "stopped_early").value_or(false);
  out.sleep_until = read<EpochMs>(value, "sleep_until");
  if (field(value, "suspended")) {
    const ojson& s = object_at(value, "suspended");
    out.suspended = Suspension{read<std::string>(s, "job").value_or(""),
                               read<std::string>(s, "module").value_or(""),
                               read<size_t>(s, "index").value_or(0),
                               read<int64_t>(s, "count").value_or(1),
                               read<EpochMs>(s, "until").value_or(0),
                               read<bool>(s, "continue_on_disapprove_timeout").value_or(false)};
  }
  if (field(value, "resumed")) {
    const ojson& r = object_at(value, "resumed");
    auto get = [&](const char* key) { return r.contains(key) ? r[key] : ojson(); };
    out.resumed = Resumed{get("resume"), get("resumes"), get("approvers")};
  }
  return out;
}

ojson FlowStatus::to_json() const {
  ojson list = ojson::array();
  for (const auto& m : modules) list.push_back(module_json(m));
  ojson out = {{"step", step},
               {"modules", std::move(list)},
               {"failure_module", module_json(failure_module)}};
  if (preprocessor_module.state != ModuleState::WaitingForPriorSteps) {
    out["preprocessor_module"] = module_json(preprocessor_module);
  }
  if (preprocessed_args) out["preprocessed_args"] = *preprocessed_args;
  if (failed) out["failed"] = *failed;
  if (stopped_early) out["stopped_early"] = true;
  if (sleep_until) out["sleep_until"] = *sleep_until;
  if (suspended) {
    out["suspended"] = {
        {"job", suspended->job},
        {"module", suspended->module},
        {"index", suspended->index},
        {"count", suspended->count},
        {"until", suspended->until},
        {"continue_on_disapprove_timeout", suspended->continue_on_disapprove_timeout}};
  }
  if (resumed) {
    out["resumed"] = {{"resume", resumed->resume},
                      {"resumes", resumed->resumes},
                      {"approvers", resumed->approvers}};
  }
  return out;
}

}  // namespace millrace::flow
