#include "flow/approvals.h"

#include <nlohmann/json.hpp>

#include "queue/job_queue.h"
#include "store/database.h"

namespace millrace::flow {

Result<SuspendedStep> Approvals::find(const std::string& ws, const std::string& step_id) {
  auto step = db_.read([&](store::Connection& c) { return store::get_job(c, ws, step_id); });
  if (!step) return step.error();
  std::optional<store::JobView> flow;
  if (*step && (*step)->job.parent_job) {
    auto parent = db_.read(
        [&](store::Connection& c) { return store::get_job(c, ws, *(*step)->job.parent_job); });
    if (!parent) return parent.error();
    if (*parent && !(*parent)->completed && queue::is_flow_job((*parent)->job)) {
      flow = std::move(**parent);
    }
  }
  if (!flow) {
    return Error::not_found("job not found or its flow is not running any more: " + step_id);
  }
  return SuspendedStep{std::move(**step), std::move(*flow)};
}

ApprovalRules Approvals::rules_of(const SuspendedStep& found) {
  using nlohmann::json;
  auto value = json::parse(found.flow.job.raw_flow.value_or("{}"), nullptr, false);
  const json* suspend = nullptr;
  if (value.is_object() && value.contains("modules") && value["modules"].is_array()) {
    for (const auto& m : value["modules"]) {
      if (m.is_object() && m.contains("suspend") && m["suspend"].is_object() &&
          m.value("id", json()) == found.step.job.flow_step_id.value_or("")) {
        suspend = &m["suspend"];
      }
    }
  }
  ApprovalRules rules;
  if (!suspend) return rules;
  auto flag = [&](const char* key) { return suspend->value(key, json()) == true; };
  rules.groups_required =
      suspend->contains("user_groups_required") && !(*suspend)["user_groups_required"].is_null();
  rules.user_auth_required = flag("user_auth_required");
  rules.self_approval_disabled = flag("self_approval_disabled");
  return rules;
}

void Approvals::answer(const SuspendedStep& found, ApprovalAnswer answer,
                       std::function<void(const Status&)> done) {
  store::ResumeRecord rec;
  rec.job = std::move(answer.step_id);
  rec.resume_id = answer.resume_id;
  rec.flow = found.flow.job.id;
  rec.value_json = std::move(answer.payload_json);
  rec.approver = std::move(answer.approver);
  rec.approved = answer.approved;
  rec.created_at = clock_.now_ms();
  db_.write(
      [rec](store::Connection& c) -> Status {
        auto inserted = store::insert_resume(c, rec);
        if (!inserted) return inserted.error();
        if (!*inserted) return Error::bad_request("resume request already sent");
        return Status::ok();
      },
      [this, flow_id = rec.flow, done = std::move(done)](const Status& s) {
        if (s) queue_.wake_parent(flow_id);
        done(s);
      });
}

}  // namespace millrace::flow
