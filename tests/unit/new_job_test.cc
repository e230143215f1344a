// The one place job rows are made: what each way in (a caller, a flow's step) and each target
// (a script version, inline code, a flow or a flow's body, a lock job) puts in the row.
#include "queue/new_job.h"

#include <gtest/gtest.h>

namespace millrace::queue {
namespace {

constexpr EpochMs kNow = 1'800'000'000'000;

JobOrigin caller() {
  JobOrigin o;
  o.workspace_id = "w";
  o.created_by = "webhook-ci";
  o.permissioned_as = "u/alice";
  o.email = "alice@example.com";
  o.token_prefix = "abcdefghij";
  o.trigger = TriggerKind::Webhook;
  o.root_job = "01000000-0000-7000-8000-000000000001";
  return o;
}

TEST(NewJobTest, AScriptVersionRunsTaggedByItsLanguageWithItsOwnTimeoutUnlessOneIsGiven) {
  JobRequest r;
  r.origin = caller();
  r.target = ScriptTarget{"0123456789abcdef", "u/alice/s", "python3", 30};
  r.args_json = R"({"x":1})";
  r.scheduled_for = kNow + 5000;
  NewJob job = make_job(r, kNow);
  const auto& j = job.job;
  EXPECT_EQ(j.id.size(), 36u);
  EXPECT_EQ(j.kind, JobKind::Script);
  EXPECT_EQ(j.script_hash, "0123456789abcdef");
  EXPECT_EQ(j.script_path, "u/alice/s");
  EXPECT_EQ(j.language, "python3");
  EXPECT_EQ(j.tag, "python3");
  EXPECT_EQ(j.timeout_s, 30);
  EXPECT_EQ(j.args_json, R"({"x":1})");
  EXPECT_EQ(j.created_at, kNow);
  EXPECT_EQ(job.scheduled_for, kNow + 5000);
  EXPECT_EQ(j.trigger_kind, TriggerKind::Webhook);
  EXPECT_EQ(j.token_prefix, "abcdefghij");
  EXPECT_EQ(j.created_by, "webhook-ci");

  r.timeout_s = 5;
  r.id = "01000000-0000-7000-8000-0000000000aa";
  r.scheduled_for.reset();
  NewJob chosen = make_job(r, kNow);
  EXPECT_EQ(chosen.job.timeout_s, 5);
  EXPECT_EQ(chosen.job.id, "01000000-0000-7000-8000-0000000000aa");
  EXPECT_EQ(chosen.scheduled_for, kNow);
}

TEST(NewJobTest, ASameWorkerFlowIsItsStepsRootWhateverTheCallerSaid) {
  JobRequest r;
  r.origin = caller();
  r.target = FlowTarget{"f/x/flow", R"({"modules":[]})", "{}", false, true};
  NewJob flow = make_job(r, kNow);
  EXPECT_EQ(flow.job.kind, JobKind::Flow);
  EXPECT_EQ(flow.job.tag, "flow");
  EXPECT_TRUE(flow.job.same_worker);
  EXPECT_FALSE(flow.job.root_job);
  EXPECT_EQ(flow.job.flow_status, "{}");

  r.target = FlowTarget{"f/x/flow", R"({"modules":[]})", "{}", false, false};
  NewJob plain = make_job(r, kNow);
  EXPECT_FALSE(plain.job.same_worker);
  EXPECT_EQ(plain.job.root_job, "01000000-0000-7000-8000-000000000001");
}

TEST(NewJobTest, AStepInheritsFromItsFlowAndItsCodeDecidesItsTag) {
  store::JobRecord flow;
  flow.id = "01000000-0000-7000-8000-0000000000f1";
  flow.workspace_id = "w";
  flow.created_by = "webhook-ci";
  flow.permissioned_as = "u/alice";
  flow.email = "alice@example.com";
  flow.token_prefix = "abcdefghij";
  flow.priority = 3;
  flow.tag = "flow";
  flow.same_worker = true;
  flow.script_path = "f/x/flow";

  JobRequest r;
  r.origin = JobOrigin::step_of(flow, "a");
  r.target = InlineCodeTarget{"bash", "echo hi", "f/x/flow/a"};
  NewJob step = make_job(r, kNow);
  const auto& j = step.job;
  EXPECT_EQ(j.kind, JobKind::FlowScript);
  EXPECT_EQ(j.raw_code, "echo hi");
  EXPECT_EQ(j.tag, "bash");
  EXPECT_EQ(j.parent_job, flow.id);
  EXPECT_EQ(j.root_job, flow.id);  // a top-level flow is its own root
  EXPECT_EQ(j.flow_step_id, "a");
  EXPECT_EQ(j.priority, 3);
  EXPECT_TRUE(j.same_worker);
  EXPECT_EQ(j.token_prefix, "abcdefghij");
  EXPECT_FALSE(j.trigger_kind);

  flow.root_job = "01000000-0000-7000-8000-0000000000f0";
  r.origin = JobOrigin::step_of(flow, "loop");
  r.target = FlowTarget{flow.script_path, R"({"modules":[]})", "{}", true, std::nullopt};
  NewJob body = make_job(r, kNow);
  EXPECT_EQ(body.job.kind, JobKind::FlowNode);
  EXPECT_EQ(body.job.tag, "flow");  // the flow's
  EXPECT_EQ(body.job.root_job, "01000000-0000-7000-8000-0000000000f0");
  EXPECT_TRUE(body.job.same_worker);  // not the body's to decide
}

TEST(NewJobTest, ALockJobIsTaggedDependency) {
  JobRequest r;
  r.origin = caller();
  r.target = LockTarget{JobKind::FlowDependencies, std::string("f/x/flow"), std::nullopt};
  NewJob lock = make_job(r, kNow);
  EXPECT_EQ(lock.job.kind, JobKind::FlowDependencies);
  EXPECT_EQ(lock.job.tag, "dependency");
  EXPECT_EQ(lock.job.script_path, "f/x/flow");
}

}  // namespace
}  // namespace millrace::queue
