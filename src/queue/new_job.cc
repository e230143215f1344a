#include "queue/new_job.h"

#include "common/uuid.h"

namespace millrace::queue {
namespace {

// Fills in what the target decides.
struct Apply {
  store::JobRecord& j;

  void operator()(ScriptTarget& t) const {
    j.kind = JobKind::Script;
    j.script_hash = std::move(t.hash);
    j.script_path = std::move(t.path);
    j.language = t.language;
    j.tag = std::move(t.language);
    if (!j.timeout_s) j.timeout_s = t.timeout_s;
  }
  void operator()(InlineCodeTarget& t) const {
    j.kind = t.preview ? JobKind::Preview : JobKind::FlowScript;
    j.raw_code = std::move(t.code);
    if (!t.path.empty()) j.script_path = std::move(t.path);  // a preview may name no path
    j.language = t.language;
    j.tag = std::move(t.language);
  }
  void operator()(FlowTarget& t) const {
    j.kind = t.body ? JobKind::FlowNode : t.preview ? JobKind::FlowPreview : JobKind::Flow;
    j.script_path = std::move(t.path);
    j.raw_flow = std::move(t.value_json);
    j.flow_status = std::move(t.initial_status);
    if (j.tag.empty()) j.tag = "flow";
    if (t.same_worker) {
      j.same_worker = *t.same_worker;
      if (j.same_worker) j.root_job.reset();
    }
  }
  void operator()(LockTarget& t) const {
    j.kind = t.kind;
    j.script_path = std::move(t.path);
    j.script_hash = std::move(t.hash);
    j.tag = "dependency";
  }
};

}  // namespace

JobOrigin JobOrigin::step_of(const store::JobRecord& flow, const std::string& step_id) {
  JobOrigin o;
  o.workspace_id = flow.workspace_id;
  o.created_by = flow.created_by;
  o.permissioned_as = flow.permissioned_as;
  o.email = flow.email;
  o.token_prefix = flow.token_prefix;
  o.parent_job = flow.id;
  o.root_job = flow.root_job.value_or(flow.id);
  o.flow_step_id = step_id;
  o.priority = flow.priority;
  o.tag = flow.tag;
  o.same_worker = flow.same_worker;
  return o;
}

NewJob make_job(JobRequest request, EpochMs now) {
  NewJob out;
  store::JobRecord& j = out.job;
  JobOrigin& o = request.origin;
  j.id = request.id.value_or(new_uuid_v7(now));
  j.workspace_id = std::move(o.workspace_id);
  j.created_at = now;
  j.created_by = std::move(o.created_by);
  j.permissioned_as = std::move(o.permissioned_as);
  j.email = std::move(o.email);
  j.token_prefix = std::move(o.token_prefix);
  j.trigger_kind = o.trigger;
  j.parent_job = std::move(o.parent_job);
  j.root_job = std::move(o.root_job);
  j.flow_step_id = std::move(o.flow_step_id);
  j.priority = o.priority;
  j.tag = std::move(o.tag);
  j.same_worker = o.same_worker;
  j.args_json = std::move(request.args_json);
  j.preprocess = request.preprocess;
  j.timeout_s = request.timeout_s;
  std::visit(Apply{j}, request.target);
  out.scheduled_for = request.scheduled_for.value_or(now);
  out.audit = std::move(request.audit);
  return out;
}

}  // namespace millrace::queue
