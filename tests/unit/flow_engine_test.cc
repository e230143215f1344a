// The flow engine, one advance at a time, against a real database file, with time moved by
// hand: each kind of module, and what the flow does around them (retries with back-off, sleeps,
// approvals and their timeout, the failure module, cancel). Approvals are answered through
// flow::Approvals, as the API answers them. Expressions here are property paths, which need no
// Node.js.
#include "flow/flow_engine.h"

#include <gtest/gtest.h>

#include <future>

#include "common/fake_clock.h"
#include "common/uuid.h"
#include "flow/approvals.h"
#include "flow/expressions.h"
#include "flow/flow_status.h"
#include "store/database.h"
#include "store/jobs.h"
#include "temp_database.h"

namespace millrace::flow {
namespace {

ojson js(const std::string& expr) {
  return {{"type", "javascript"}, {"expr", expr}};
}

// A rawscript module; `extra` adds module-level options (retry, sleep, suspend…).
ojson script(const std::string& id, ojson transforms = ojson::object(),
             ojson extra = ojson::object()) {
  ojson m = {{"id", id},
             {"value",
              {{"type", "rawscript"},
               {"language", "bash"},
               {"content", "echo"},
               {"input_transforms", std::move(transforms)}}}};
  for (auto& [k, v] : extra.items()) m[k] = v;
  return m;
}

ojson flow_of(ojson modules) {
  return {{"modules", std::move(modules)}};
}

class FlowEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(temp_.opened());
    engine_ = std::make_unique<FlowEngine>(*db_, expressions_, clock_);
  }
  void TearDown() override { engine_.reset(); }

  void write(const std::function<Status(store::Connection&)>& fn) {
    Status s = db_->write_sync(fn);
    ASSERT_TRUE(s) << s.error().message;
  }

  // A flow run of `value` with `args`, stored as the API stores one.
  store::JobRecord start_flow(const ojson& value, const ojson& args = ojson::object()) {
    store::JobRecord j;
    j.id = new_uuid_v7(clock_.now_ms());
    j.workspace_id = "w";
    j.created_at = clock_.now_ms();
    j.created_by = "alice";
    j.permissioned_as = "u/alice";
    j.kind = JobKind::Flow;
    j.script_path = "f/test/flow";
    j.raw_flow = value.dump();
    j.args_json = args.dump();
    j.flow_status = FlowStatus::initial(value["modules"]).to_text();
    write([&](store::Connection& c) { return store::insert_job(c, j, clock_.now_ms()); });
    return j;
  }

  // One advance of `flow`; its new state and the steps it starts are stored, as the queue does.
  Advance advance(store::JobRecord& flow, std::optional<std::string> canceled_by = std::nullopt) {
    queue::ClaimedJob claimed;
    claimed.job = flow;
    claimed.canceled_by = canceled_by;
    Advance a = engine_->advance(claimed);
    EXPECT_NE(a.waits.has_value(), a.finished.has_value());
    if (a.waits) {
      flow.flow_status = a.waits->state;
      for (const auto& step : a.waits->children) {
        write([&](store::Connection& c) {
          return store::insert_job(c, step.job, step.scheduled_for);
        });
      }
    }
    if (a.finished && a.finished->flow_status) flow.flow_status = a.finished->flow_status;
    return a;
  }

  void finish(const std::string& job_id, JobStatus status, const ojson& result) {
    store::CompletedState done;
    done.status = status;
    done.result_json = result.dump();
    done.completed_at = clock_.now_ms();
    write([&](store::Connection& c) { return store::complete_job(c, job_id, "w", done); });
  }

  // Bob answers the approval step `step_job` (of a flow of workspace "w").
  Status answer(const std::string& step_job, int64_t resume_id, bool approved,
                const ojson& payload) {
    auto found = approvals_.find("w", step_job);
    if (!found) return found.error();
    std::promise<Status> stored;
    approvals_.answer(*found, {step_job, resume_id, payload.dump(), "bob", approved},
                      [&](const Status& s) { stored.set_value(s); });
    return stored.get_future().get();
  }

  static ojson status_of(const store::JobRecord& flow) {
    return ojson::parse(flow.flow_status.value_or("null"));
  }
  static ojson args_of(const queue::NewJob& step) { return ojson::parse(step.job.args_json); }
  static ojson result_of(const Advance& a) { return ojson::parse(a.finished->result_json); }
  static const std::vector<queue::NewJob>& started(const Advance& a) { return a.waits->children; }

  TempDatabase temp_{"flow"};
  store::Database* db_ = &temp_.db();
  FakeClock clock_;
  Expressions expressions_{nullptr};
  queue::JobQueue queue_{*db_, clock_, 0};
  Approvals approvals_{*db_, queue_, clock_};
  std::unique_ptr<FlowEngine> engine_;
};

TEST_F(FlowEngineTest, StepsRunInOrderEachSeeingTheResultsBeforeIt) {
  auto flow = start_flow(flow_of({script("a", {{"x", js("flow_input.n")}}),
                                  script("b", {{"x", js("results.a.v")}, {"y", js("params.x")}})}),
                         {{"n", 3}});
  Advance first = advance(flow);
  ASSERT_TRUE(first.waits);
  ASSERT_EQ(started(first).size(), 1u);
  const queue::NewJob& a = started(first)[0];
  EXPECT_EQ(args_of(a), (ojson{{"x", 3}}));
  EXPECT_EQ(a.job.parent_job, flow.id);
  EXPECT_EQ(a.job.root_job, flow.id);
  EXPECT_EQ(a.job.flow_step_id, "a");
  EXPECT_EQ(a.job.kind, JobKind::FlowScript);
  EXPECT_EQ(status_of(flow)["modules"][0]["type"], "InProgress");
  EXPECT_EQ(status_of(flow)["modules"][0]["job"], a.job.id);

  // Woken before its step ended: nothing changes, nothing new starts.
  Advance early = advance(flow);
  ASSERT_TRUE(early.waits);
  EXPECT_TRUE(started(early).empty());

  finish(a.job.id, JobStatus::Success, {{"v", 7}});
  Advance second = advance(flow);
  ASSERT_TRUE(second.waits);
  ASSERT_EQ(started(second).size(), 1u);
  EXPECT_EQ(args_of(started(second)[0]), (ojson{{"x", 7}, {"y", 7}}));
  EXPECT_EQ(status_of(flow)["step"], 1);
  EXPECT_EQ(status_of(flow)["modules"][0]["type"], "Success");

  finish(started(second)[0].job.id, JobStatus::Success, "done");
  Advance last = advance(flow);
  ASSERT_TRUE(last.finished);
  EXPECT_EQ(last.finished->status, JobStatus::Success);
  EXPECT_EQ(result_of(last), "done");
  EXPECT_EQ(status_of(flow)["step"], 2);
}

TEST_F(FlowEngineTest, IdentitySkipIfAndMockEndAtOnceWithoutAJob) {
  ojson skipped = script("s");
  skipped["skip_if"] = {{"expr", "flow_input.skip"}};
  ojson mocked = script("m");
  mocked["mock"] = {{"enabled", true}, {"return_value", {{"mocked", 1}}}};
  auto flow =
      start_flow(flow_of({{{"id", "i"}, {"value", {{"type", "identity"}}}}, skipped, mocked}),
                 {{"skip", true}});
  Advance a = advance(flow);
  ASSERT_TRUE(a.finished);
  EXPECT_EQ(a.finished->status, JobStatus::Success);
  EXPECT_EQ(result_of(a), (ojson{{"mocked", 1}}));
  ojson status = status_of(flow);
  EXPECT_EQ(status["modules"][0]["result"], (ojson{{"skip", true}}));
  EXPECT_EQ(status["modules"][1]["skipped"], true);
  EXPECT_EQ(status["modules"][2]["result"], (ojson{{"mocked", 1}}));
}

TEST_F(FlowEngineTest, AForLoopRunsOneIterationAtATimeAndCollectsTheResultsInOrder) {
  ojson loop = {{"id", "l"},
                {"value",
                 {{"type", "forloopflow"},
                  {"iterator", js("flow_input.items")},
                  {"modules", {script("body", {{"x", js("flow_input.iter.value")}})}}}}};
  auto flow = start_flow(flow_of({loop}), {{"items", {"a", "b", "c"}}});
  std::vector<std::string> results;
  for (int k = 0; k < 3; ++k) {
    Advance a = advance(flow);
    ASSERT_TRUE(a.waits) << k;
    ASSERT_EQ(started(a).size(), 1u) << k;
    const queue::NewJob& body = started(a)[0];
    EXPECT_EQ(body.job.kind, JobKind::FlowNode);
    EXPECT_EQ(args_of(body)["iter"], (ojson{{"value", ojson{"a", "b", "c"}[k]}, {"index", k}}));
    EXPECT_EQ(status_of(flow)["modules"][0]["iterator"]["index"], k);
    EXPECT_EQ(status_of(flow)["modules"][0]["iterator"]["itered_len"], 3);
    finish(body.job.id, JobStatus::Success, "r" + std::to_string(k));
  }
  Advance done = advance(flow);
  ASSERT_TRUE(done.finished);
  EXPECT_EQ(result_of(done), (ojson{"r0", "r1", "r2"}));
  EXPECT_EQ(status_of(flow)["modules"][0]["flow_jobs_success"], (ojson{true, true, true}));
}

TEST_F(FlowEngineTest, AParallelForLoopKeepsParallelismBodiesRunningAndPassesOverFailures) {
  ojson loop = {{"id", "l"},
                {"value",
                 {{"type", "forloopflow"},
                  {"iterator", {{"type", "static"}, {"value", {1, 2, 3}}}},
                  {"parallel", true},
                  {"parallelism", {{"type", "static"}, {"value", 2}}},
                  {"modules", {script("body")}}}}};
  auto flow = start_flow(flow_of({loop}));
  Advance a = advance(flow);
  ASSERT_TRUE(a.waits);
  ASSERT_EQ(started(a).size(), 2u);
  std::string first = started(a)[0].job.id, second = started(a)[1].job.id;
  finish(first, JobStatus::Failure, {{"error", {{"message", "no"}}}});
  Advance b = advance(flow);
  ASSERT_TRUE(b.waits);
  ASSERT_EQ(started(b).size(), 1u);  // the third, as one of two ended
  finish(started(b)[0].job.id, JobStatus::Success, 3);
  finish(second, JobStatus::Success, 2);
  Advance done = advance(flow);
  ASSERT_TRUE(done.finished);
  EXPECT_EQ(done.finished->status, JobStatus::Success);  // for-loops skip failures by default
  EXPECT_EQ(result_of(done), (ojson{{{"error", {{"message", "no"}}}}, 2, 3}));
}

TEST_F(FlowEngineTest, AnEmptyForLoopSucceedsWithAnEmptyArrayAndANonArrayFailsTheFlow) {
  auto make = [](ojson iterator) {
    return flow_of({{{"id", "l"},
                     {"value",
                      {{"type", "forloopflow"},
                       {"iterator", std::move(iterator)},
                       {"modules", {script("body")}}}}}});
  };
  auto empty = start_flow(make({{"type", "static"}, {"value", ojson::array()}}));
  Advance a = advance(empty);
  ASSERT_TRUE(a.finished);
  EXPECT_EQ(result_of(a), ojson::array());

  auto wrong = start_flow(make({{"type", "static"}, {"value", "text"}}));
  Advance b = advance(wrong);
  ASSERT_TRUE(b.finished);
  EXPECT_EQ(b.finished->status, JobStatus::Failure);
  EXPECT_EQ(result_of(b)["error"]["step_id"], "l");
  EXPECT_NE(result_of(b)["error"]["message"].get<std::string>().find("not an array"),
            std::string::npos);
}

TEST_F(FlowEngineTest, AWhileLoopRunsUntilItsStopAfterIfAndFailsOnAFailedIteration) {
  ojson loop = {{"id", "w"},
                {"stop_after_if", {{"expr", "result.done"}}},
                {"value", {{"type", "whileloopflow"}, {"modules", {script("body")}}}}};
  auto flow = start_flow(flow_of({loop}));
  Advance a = advance(flow);
  ASSERT_EQ(started(a).size(), 1u);
  EXPECT_EQ(args_of(started(a)[0])["iter"], (ojson{{"value", 0}, {"index", 0}}));
  finish(started(a)[0].job.id, JobStatus::Success, {{"done", false}});
  Advance b = advance(flow);
  ASSERT_EQ(started(b).size(), 1u);
  EXPECT_EQ(args_of(started(b)[0])["iter"]["index"], 1);
  finish(started(b)[0].job.id, JobStatus::Success, {{"done", true}});
  Advance done = advance(flow);
  ASSERT_TRUE(done.finished);
  EXPECT_EQ(result_of(done), (ojson{{{"done", false}}, {{"done", true}}}));

  auto failing = start_flow(flow_of({loop}));
  Advance c = advance(failing);
  finish(started(c)[0].job.id, JobStatus::Failure, {{"error", {{"message", "broke"}}}});
  Advance over = advance(failing);
  ASSERT_TRUE(over.finished);
  EXPECT_EQ(over.finished->status, JobStatus::Failure);
  EXPECT_EQ(result_of(over)["error"]["message"], "broke");
  EXPECT_EQ(result_of(over)["error"]["step_id"], "w");
}

TEST_F(FlowEngineTest, BranchOneTakesTheFirstTrueBranchOrElseTheDefault) {
  ojson branches = {{"id", "b"},
                    {"value",
                     {{"type", "branchone"},
                      {"branches",
                       {{{"expr", "flow_input.first"}, {"modules", {script("one")}}},
                        {{"expr", "flow_input.second"}, {"modules", {script("two")}}}}},
                      {"default", {script("other")}}}}};
  auto second = start_flow(flow_of({branches}), {{"second", true}});
  Advance a = advance(second);
  ASSERT_EQ(started(a).size(), 1u);
  EXPECT_EQ(ojson::parse(*started(a)[0].job.raw_flow)["modules"][0]["id"], "two");
  EXPECT_EQ(status_of(second)["modules"][0]["branch_chosen"],
            (ojson{{"type", "branch"}, {"branch", 1}}));
  finish(started(a)[0].job.id, JobStatus::Success, "from two");
  Advance done = advance(second);
  ASSERT_TRUE(done.finished);
  EXPECT_EQ(result_of(done), "from two");

  auto neither = start_flow(flow_of({branches}));
  Advance b = advance(neither);
  ASSERT_EQ(started(b).size(), 1u);
  EXPECT_EQ(ojson::parse(*started(b)[0].job.raw_flow)["modules"][0]["id"], "other");
  EXPECT_EQ(status_of(neither)["modules"][0]["branch_chosen"], (ojson{{"type", "default"}}));
}

TEST_F(FlowEngineTest, BranchAllStartsEveryBranchAtOnceAndOnlyASkippableOneMayFail) {
  ojson all = {
      {"id", "p"},
      {"value",
       {{"type", "branchall"},
        {"branches",
         {{{"modules", {script("x")}}, {"skip_failure", true}}, {{"modules", {script("y")}}}}}}}};
  auto flow = start_flow(flow_of({all}));
  Advance a = advance(flow);
  ASSERT_EQ(started(a).size(), 2u);
  EXPECT_EQ(status_of(flow)["modules"][0]["branchall"], (ojson{{"branch", 1}, {"len", 2}}));
  finish(started(a)[0].job.id, JobStatus::Failure, {{"error", {{"message", "x"}}}});
  finish(started(a)[1].job.id, JobStatus::Success, "y");
  Advance done = advance(flow);
  ASSERT_TRUE(done.finished);
  EXPECT_EQ(done.finished->status, JobStatus::Success);
  EXPECT_EQ(result_of(done), (ojson{{{"error", {{"message", "x"}}}}, "y"}));

  // The other way round: the failure of a branch that may not fail ends the flow, and the
  // branch still running is canceled.
  auto strict = start_flow(flow_of({all}));
  Advance b = advance(strict);
  finish(started(b)[1].job.id, JobStatus::Failure, {{"error", {{"message", "y"}}}});
  Advance over = advance(strict);
  ASSERT_TRUE(over.finished);
  EXPECT_EQ(over.finished->status, JobStatus::Failure);
  EXPECT_EQ(over.cancel_steps, std::vector<std::string>{started(b)[0].job.id});
}

TEST_F(FlowEngineTest, AFailedStepIsRetriedAfterTheConstantThenTheExponentialDelay) {
  ojson retry = {{"constant", {{"attempts", 1}, {"seconds", 5}}},
                 {"exponential", {{"attempts", 1}, {"multiplier", 2}, {"seconds", 3}}}};
  auto flow = start_flow(flow_of({script("a", ojson::object(), {{"retry", retry}})}));
  Advance a = advance(flow);
  const EpochMs t0 = clock_.now_ms();
  EXPECT_EQ(started(a)[0].scheduled_for, t0);
  finish(started(a)[0].job.id, JobStatus::Failure, {{"error", {{"message", "1"}}}});

  Advance b = advance(flow);
  ASSERT_EQ(started(b).size(), 1u);
  EXPECT_EQ(started(b)[0].scheduled_for, t0 + 5'000);
  ojson retried = status_of(flow)["modules"][0]["retry"];
  EXPECT_EQ(retried["fail_count"], 1);
  EXPECT_EQ(retried["failed_jobs"], (ojson{started(a)[0].job.id}));
  finish(started(b)[0].job.id, JobStatus::Failure, {{"error", {{"message", "2"}}}});

  Advance c = advance(flow);
  ASSERT_EQ(started(c).size(), 1u);
  EXPECT_EQ(started(c)[0].scheduled_for, t0 + 2 * 9 * 1'000);  // multiplier · seconds^(failures)
  finish(started(c)[0].job.id, JobStatus::Failure, {{"error", {{"message", "3"}}}});

  Advance over = advance(flow);
  ASSERT_TRUE(over.finished);
  EXPECT_EQ(over.finished->status, JobStatus::Failure);
  EXPECT_EQ(result_of(over)["error"]["message"], "3");
  EXPECT_EQ(result_of(over)["error"]["step_id"], "a");
}

TEST_F(FlowEngineTest, RetryIfDecidesFromTheErrorWhetherToTryAgain) {
  ojson retry = {{"constant", {{"attempts", 3}, {"seconds", 1}}},
                 {"retry_if", {{"expr", "error.transient"}}}};
  auto flow = start_flow(flow_of({script("a", ojson::object(), {{"retry", retry}})}));
  Advance a = advance(flow);
  finish(started(a)[0].job.id, JobStatus::Failure, {{"error", {{"transient", true}}}});
  Advance b = advance(flow);
  ASSERT_TRUE(b.waits);
  ASSERT_EQ(started(b).size(), 1u);
  finish(started(b)[0].job.id, JobStatus::Failure, {{"error", {{"transient", false}}}});
  Advance over = advance(flow);
  ASSERT_TRUE(over.finished);
  EXPECT_EQ(over.finished->status, JobStatus::Failure);
}

TEST_F(FlowEngineTest, ASleepMakesTheFlowDueLaterAndAnEarlyWakeChangesNothing) {
  auto flow = start_flow(
      flow_of({script("a", ojson::object(), {{"sleep", {{"type", "static"}, {"value", 30}}}}),
               script("b")}));
  Advance a = advance(flow);
  finish(started(a)[0].job.id, JobStatus::Success, 1);
  Advance asleep = advance(flow);
  ASSERT_TRUE(asleep.waits);
  EXPECT_TRUE(started(asleep).empty());
  const EpochMs until = clock_.now_ms() + 30'000;
  EXPECT_EQ(asleep.waits->due, until);

  clock_.advance(29'999);
  Advance early = advance(flow);
  ASSERT_TRUE(early.waits);
  EXPECT_TRUE(started(early).empty());
  EXPECT_EQ(early.waits->due, until);

  clock_.advance(1);
  Advance awake = advance(flow);
  ASSERT_TRUE(awake.waits);
  ASSERT_EQ(started(awake).size(), 1u);
  EXPECT_EQ(started(awake)[0].job.flow_step_id, "b");
}

TEST_F(FlowEngineTest, AnApprovalLetsTheNextStepSeeItsPayload) {
  ojson suspend = {{"required_events", 1}, {"timeout", 60}};
  auto flow = start_flow(flow_of({script("a", ojson::object(), {{"suspend", suspend}}),
                                  script("b", {{"ok", js("resume.ok")}})}));
  Advance a = advance(flow);
  const std::string step = started(a)[0].job.id;
  finish(step, JobStatus::Success, 1);
  Advance waiting = advance(flow);
  ASSERT_TRUE(waiting.waits);
  EXPECT_EQ(waiting.waits->due, clock_.now_ms() + 60'000);
  ojson status = status_of(flow);
  EXPECT_EQ(status["modules"][1]["type"], "WaitingForEvents");
  EXPECT_EQ(status["modules"][1]["count"], 1);
  EXPECT_EQ(status["modules"][1]["job"], step);

  ASSERT_TRUE(answer(step, 1, true, {{"ok", "yes"}}));
  Advance resumed = advance(flow);
  ASSERT_TRUE(resumed.waits);
  ASSERT_EQ(started(resumed).size(), 1u);
  EXPECT_EQ(args_of(started(resumed)[0]), (ojson{{"ok", "yes"}}));
  EXPECT_EQ(status_of(flow)["modules"][0]["approvers"],
            (ojson{{{"resume_id", 1}, {"approver", "bob"}}}));
}

TEST_F(FlowEngineTest, AnApprovalStepTimesOutOrIsRefusedAndTheFlowFails) {
  ojson suspend = {{"required_events", 1}, {"timeout", 60}};
  ojson value = flow_of({script("a", ojson::object(), {{"suspend", suspend}}), script("b")});

  auto timed_out = start_flow(value);
  Advance a = advance(timed_out);
  finish(started(a)[0].job.id, JobStatus::Success, 1);
  advance(timed_out);
  clock_.advance(59'999);
  EXPECT_TRUE(advance(timed_out).waits);
  clock_.advance(1);
  Advance over = advance(timed_out);
  ASSERT_TRUE(over.finished);
  EXPECT_EQ(over.finished->status, JobStatus::Failure);
  EXPECT_EQ(result_of(over)["error"]["name"], "SuspendedTimedOut");
  EXPECT_EQ(result_of(over)["error"]["step_id"], "a");

  auto refused = start_flow(value);
  Advance b = advance(refused);
  finish(started(b)[0].job.id, JobStatus::Success, 1);
  advance(refused);
  ASSERT_TRUE(answer(started(b)[0].job.id, 1, false, nullptr));
  Advance no = advance(refused);
  ASSERT_TRUE(no.finished);
  EXPECT_EQ(result_of(no)["error"]["name"], "SuspendedDisapproved");
  EXPECT_EQ(result_of(no)["error"]["message"], "Disapproved by bob");
}

TEST_F(FlowEngineTest, AnApprovalIsTakenOnceAndOnlyForAStepOfAFlowStillRunning) {
  ojson suspend = {{"required_events", 2},
                   {"timeout", 60},
                   {"user_auth_required", true},
                   {"self_approval_disabled", true}};
  auto flow = start_flow(flow_of({script("a", ojson::object(), {{"suspend", suspend}})}));
  Advance a = advance(flow);
  const std::string step = started(a)[0].job.id;
  finish(step, JobStatus::Success, 1);
  advance(flow);

  auto found = approvals_.find("w", step);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->flow.job.id, flow.id);
  ApprovalRules rules = Approvals::rules_of(*found);
  EXPECT_TRUE(rules.user_auth_required);
  EXPECT_TRUE(rules.self_approval_disabled);
  EXPECT_FALSE(rules.groups_required);

  ASSERT_TRUE(answer(step, 7, true, nullptr));
  Status again = answer(step, 7, true, nullptr);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::Invalid);
  EXPECT_TRUE(answer(step, 8, true, nullptr));  // another resume id is another answer

  // Another workspace's step, a job that is no step, and a step of a flow that is over: 404.
  EXPECT_EQ(approvals_.find("other", step).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(approvals_.find("w", flow.id).error().kind, ErrorKind::NotFound);
  finish(flow.id, JobStatus::Success, nullptr);
  EXPECT_EQ(approvals_.find("w", step).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(answer(step, 9, true, nullptr).error().kind, ErrorKind::NotFound);
}

TEST_F(FlowEngineTest, TheFailureModuleSeesTheErrorAndMayRecoverTheFlow) {
  ojson value = flow_of({script("a")});
  value["failure_module"] = script("failure", {{"why", js("error.message")}});
  auto flow = start_flow(value);
  Advance a = advance(flow);
  finish(started(a)[0].job.id, JobStatus::Failure, {{"error", {{"message", "boom"}}}});
  Advance handling = advance(flow);
  ASSERT_TRUE(handling.waits);
  ASSERT_EQ(started(handling).size(), 1u);
  EXPECT_EQ(args_of(started(handling)[0]), (ojson{{"why", "boom"}}));
  EXPECT_EQ(status_of(flow)["failure_module"]["type"], "InProgress");
  EXPECT_EQ(status_of(flow)["failed"]["error"]["step_id"], "a");

  finish(started(handling)[0].job.id, JobStatus::Success, {{"recover", true}});
  Advance over = advance(flow);
  ASSERT_TRUE(over.finished);
  EXPECT_EQ(over.finished->status, JobStatus::Success);
  EXPECT_EQ(result_of(over), (ojson{{"recover", true}}));
}

TEST_F(FlowEngineTest, ContinueOnErrorPassesTheErrorOnAndStopAfterIfEndsTheFlow) {
  ojson a = script("a", ojson::object(), {{"continue_on_error", true}});
  ojson b = script("b", {{"e", js("previous_result.error.message")}},
                   {{"stop_after_if", {{"expr", "result.stop"}}}});
  auto flow = start_flow(flow_of({a, b, script("c")}));
  Advance first = advance(flow);
  finish(started(first)[0].job.id, JobStatus::Failure, {{"error", {{"message", "soft"}}}});
  Advance second = advance(flow);
  ASSERT_EQ(started(second).size(), 1u);
  EXPECT_EQ(args_of(started(second)[0]), (ojson{{"e", "soft"}}));
  EXPECT_EQ(status_of(flow)["modules"][0]["type"], "Failure");
  finish(started(second)[0].job.id, JobStatus::Success, {{"stop", true}});
  Advance over = advance(flow);
  ASSERT_TRUE(over.finished);
  EXPECT_EQ(over.finished->status, JobStatus::Success);
  EXPECT_EQ(result_of(over), (ojson{{"stop", true}}));
  EXPECT_EQ(status_of(flow)["stopped_early"], true);
}

TEST_F(FlowEngineTest, ACanceledFlowEndsCanceledAndCancelsItsRunningSteps) {
  auto flow = start_flow(flow_of({script("a")}));
  Advance a = advance(flow);
  Advance over = advance(flow, "admin");
  ASSERT_TRUE(over.finished);
  EXPECT_EQ(over.finished->status, JobStatus::Canceled);
  EXPECT_EQ(over.cancel_steps, std::vector<std::string>{started(a)[0].job.id});
}

TEST_F(FlowEngineTest, AFlowWhoseStateIsBrokenFailsWithTheReason) {
  auto flow = start_flow(flow_of({script("a")}));
  flow.flow_status = R"({"step": "one", "modules": []})";
  Advance over = advance(flow);
  ASSERT_TRUE(over.finished);
  EXPECT_EQ(over.finished->status, JobStatus::Failure);
  EXPECT_NE(result_of(over)["error"]["message"].get<std::string>().find("cannot go on"),
            std::string::npos);
}

TEST_F(FlowEngineTest, AnUnknownModuleTypeFailsItsStep) {
  auto flow = start_flow(flow_of({{{"id", "q"}, {"value", {{"type", "graphql"}}}}}));
  Advance over = advance(flow);
  ASSERT_TRUE(over.finished);
  EXPECT_EQ(over.finished->status, JobStatus::Failure);
  EXPECT_EQ(result_of(over)["error"]["step_id"], "q");
}

TEST(FlowStatusTest, EveryFieldSurvivesAWriteAndARead) {
  FlowStatus s = FlowStatus::initial(ojson{{{"id", "a"}}, {{"id", "b"}}, {{"id", "c"}}});
  s.step = 1;
  s.modules[0].state = ModuleState::Success;
  s.modules[0].job = "j0";
  s.modules[0].retry = RetryStatus{2, {"f1", "f2"}};
  s.modules[0].approvers = std::vector<Approval>{{3, "bob"}};
  s.modules[1].state = ModuleState::InProgress;
  s.modules[1].fan_out = FanOutStatus{{"x", "y"}, {true, std::nullopt}};
  s.modules[1].iterator = LoopIterator{1, ojson{1, 2}};
  s.modules[1].branch_chosen = BranchChosen{2};
  s.modules[1].branchall = BranchAllProgress{1, 2};
  s.modules[2].state = ModuleState::WaitingForEvents;
  s.modules[2].count = 2;
  s.modules[2].skipped = true;
  s.modules[2].result = ojson();  // a null result is kept, not dropped
  s.failed = ojson{{"error", {{"message", "m"}}}};
  s.stopped_early = true;
  s.sleep_until = 123;
  s.suspended = Suspension{"j0", "a", 0, 2, 456, true};
  s.resumed = Resumed{1, {1}, {"bob"}};
  ojson written = s.to_json();
  auto read = FlowStatus::parse(written);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->to_json(), written);
  EXPECT_TRUE(written["modules"][2].contains("result"));
  EXPECT_EQ(written["modules"][1]["iterator"]["itered_len"], 2);
  EXPECT_EQ(written["modules"][1]["flow_jobs_success"], (ojson{true, nullptr}));
}

TEST(FlowStatusTest, ATextThatIsNoStateReadsAsNotStartedAndAWrongOneIsRefused) {
  EXPECT_FALSE(FlowStatus::parse(ojson()));
  EXPECT_FALSE(FlowStatus::parse(ojson{{"step", 0}}));
  EXPECT_THROW(FlowStatus::parse(ojson{{"step", "x"}, {"modules", ojson::array()}}),
               std::invalid_argument);
  EXPECT_THROW(FlowStatus::parse(ojson{{"modules", {{{"id", "a"}, {"type", "Sleeping"}}}}}),
               std::invalid_argument);
  EXPECT_THROW(FlowStatus::parse(ojson{{"modules",
                                        {{{"id", "a"},
                                          {"type", "InProgress"},
                                          {"flow_jobs", {"x"}},
                                          {"flow_jobs_success", ojson::array()}}}}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace millrace::flow
