// The workers, with a stand-in for the language runtimes: what a worker asks the runtime to
// run for a job, what it stores of the outcome, how a flow's steps go through the same workers,
// and what a cancel and a shutdown do to a job that runs. Real queue, real database file.
#include "worker/worker_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "auth/authenticator.h"
#include "common/fake_clock.h"
#include "common/uuid.h"
#include "flow/expressions.h"
#include "flow/flow_engine.h"
#include "flow/flow_status.h"
#include "queue/job_results.h"
#include "runtime/process.h"
#include "runtime/sandbox.h"
#include "store/database.h"
#include "store/jobs.h"
#include "store/scripts.h"
#include "temp_database.h"

namespace millrace::worker {
namespace {

using nlohmann::json;

// Runs nothing: records each request and answers what `answer` says.
class StandInRunner final : public runtime::JobRunner {
 public:
  using Answer = std::function<runtime::JobRunOutcome(
      const runtime::JobRunRequest&, const runtime::OutputSink&, const runtime::CancelSignal*)>;

  explicit StandInRunner(std::string job_root) { sandbox_.job_root = std::move(job_root); }

  runtime::JobRunOutcome run(const runtime::JobRunRequest& req, const runtime::OutputSink& logs,
                             const runtime::CancelSignal* cancel) override {
    Answer answer;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(req);
      answer = answer_;
    }
    return answer(req, logs, cancel);
  }
  void remove_shared_folder(const std::string&) const override {}
  const runtime::Sandbox& sandbox() const override { return sandbox_; }

  void set_answer(Answer answer) {
    std::lock_guard lock(mutex_);
    answer_ = std::move(answer);
  }
  std::vector<runtime::JobRunRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  runtime::Sandbox sandbox_;
  std::mutex mutex_;
  Answer answer_ = [](const auto&, const auto&, const auto*) {
    return runtime::JobRunOutcome{true, "null", false};
  };
  std::vector<runtime::JobRunRequest> requests_;
};

// Blocks until the job is canceled (or 60 s pass), as a running process would.
runtime::JobRunOutcome run_until_canceled(const runtime::CancelSignal* cancel,
                                          std::promise<void>* started) {
  started->set_value();
  for (int i = 0; i < 6000 && !cancel->canceled(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return runtime::JobRunOutcome{false, "", cancel->canceled()};
}

class WorkerPoolTest : public ::testing::Test {
 protected:
  // The arguments as stored, no secrets: references and masking are tested end to end.
  struct ArgsAsStored final : JobInputs {
    Result<Prepared> prepare(const store::JobRecord& job) override {
      return Prepared{job.args_json, {}};
    }
  };

  void SetUp() override {
    ASSERT_TRUE(temp_.opened());
    queue_ = std::make_unique<queue::JobQueue>(*db_, clock_, /*max_crash_restarts=*/1);
    ASSERT_TRUE(queue_->recover());
    scripts_ = std::make_unique<ScriptCache>(*db_);
    auth_ = std::make_unique<auth::Authenticator>(*db_, clock_, "superadmin-secret",
                                                  "job-token-secret-of-this-test");
    flows_ = std::make_unique<flow::FlowEngine>(*db_, expressions_, clock_);
    std::filesystem::create_directories(temp_.dir() / "jobs");
    runner_ = std::make_unique<StandInRunner>((temp_.dir() / "jobs").string());
    WorkerOptions options;
    options.count = 2;
    options.base_url = "http://127.0.0.1:1";
    options.warm = "off";
    pool_ = std::make_unique<WorkerPool>(*queue_, *scripts_, *runner_, *auth_, *flows_, inputs_,
                                         options);
    ASSERT_EQ(pool_->start(), "");
  }
  void TearDown() override {
    stop();
    pool_.reset();
    queue_.reset();
  }
  void stop() {
    if (!queue_ || queue_->stopping()) return;
    queue_->stop();
    pool_->join();
    ASSERT_TRUE(db_->write_sync([](store::Connection&) { return Status::ok(); }));
  }

  store::ScriptRecord save_script(const std::string& path, const std::string& language,
                                  const std::string& content, std::optional<int64_t> timeout_s) {
    store::ScriptRecord s;
    s.workspace_id = "w";
    s.hash = "0123456789abcdef";
    s.path = path;
    s.content = content;
    s.language = language;
    s.timeout_s = timeout_s;
    s.created_by = "alice";
    s.created_at = clock_.now_ms();
    Status saved =
        db_->write_sync([&](store::Connection& c) { return store::insert_script(c, s); });
    EXPECT_TRUE(saved);
    return s;
  }

  queue::NewJob job_of(JobKind kind, const json& args = json::object()) {
    queue::NewJob n;
    n.job.id = new_uuid_v7(clock_.now_ms());
    n.job.workspace_id = "w";
    n.job.created_at = clock_.now_ms();
    n.job.created_by = "alice";
    n.job.permissioned_as = "u/alice";
    n.job.email = "alice@example.com";
    n.job.kind = kind;
    n.job.args_json = args.dump();
    n.scheduled_for = clock_.now_ms();
    return n;
  }

  // Enqueues the job; the future gets its completion.
  std::future<queue::JobCompletion> run(queue::NewJob job) {
    auto done = std::make_shared<std::promise<queue::JobCompletion>>();
    auto future = done->get_future();
    std::promise<Status> accepted;
    queue_->enqueue(
        std::move(job), [&](const Status& s) { accepted.set_value(s); },
        [done](const queue::JobCompletion& c) { done->set_value(c); });
    Status s = accepted.get_future().get();
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return future;
  }

  // A script job whose run blocks until it is canceled; returns once it runs. `done` gets its
  // completion.
  std::string start_job_that_runs_until_canceled(std::future<queue::JobCompletion>& done) {
    auto started = std::make_shared<std::promise<void>>();
    std::future<void> running = started->get_future();
    runner_->set_answer([started](const auto&, const auto&, const runtime::CancelSignal* cancel) {
      return run_until_canceled(cancel, started.get());
    });
    auto job = job_of(JobKind::Script);
    job.job.script_hash = save_script("u/alice/long", "bash", "sleep 1000", std::nullopt).hash;
    const std::string id = job.job.id;
    done = run(std::move(job));
    running.wait();
    return id;
  }

  static queue::JobCompletion outcome(std::future<queue::JobCompletion>& f) {
    if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
      ADD_FAILURE() << "the job did not end";
      return {};
    }
    return f.get();
  }

  std::optional<store::JobView> stored(const std::string& id) {
    auto view = db_->read([&](store::Connection& c) { return store::get_job_by_id(c, id); });
    EXPECT_TRUE(view);
    return view ? *view : std::nullopt;
  }
  std::string logs_of(const std::string& id) {
    auto logs = db_->read([&](store::Connection& c) { return store::get_job_logs(c, id); });
    EXPECT_TRUE(logs);
    return logs && *logs ? **logs : "";
  }

  TempDatabase temp_{"worker"};
  store::Database* db_ = &temp_.db();
  FakeClock clock_;
  flow::Expressions expressions_{nullptr};
  std::unique_ptr<queue::JobQueue> queue_;
  std::unique_ptr<ScriptCache> scripts_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<flow::FlowEngine> flows_;
  std::unique_ptr<StandInRunner> runner_;
  ArgsAsStored inputs_;
  std::unique_ptr<WorkerPool> pool_;
};

bool has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

TEST_F(WorkerPoolTest, AScriptRunsItsSavedVersionWithItsArgumentsAndIdentityAndItsOutcomeIsKept) {
  auto script = save_script("u/alice/hello", "python3", "def main(x): return x", 30);
  runner_->set_answer([](const auto&, const runtime::OutputSink& logs, const auto*) {
    logs("hello from the job\n");
    return runtime::JobRunOutcome{true, "42", false};
  });
  auto job = job_of(JobKind::Script, {{"x", 1}});
  job.job.script_hash = script.hash;
  job.job.script_path = script.path;
  const std::string id = job.job.id;
  auto done = run(std::move(job));
  queue::JobCompletion c = outcome(done);
  EXPECT_EQ(c.status, JobStatus::Success);
  EXPECT_EQ(c.result_json, "42");

  auto requests = runner_->requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& req = requests[0];
  EXPECT_EQ(req.job_id, id);
  EXPECT_EQ(req.language, "python3");
  EXPECT_EQ(req.content, "def main(x): return x");
  EXPECT_EQ(json::parse(req.args_json), (json{{"x", 1}}));
  EXPECT_EQ(req.timeout_ms, 30'000);  // the script's own timeout
  EXPECT_EQ(req.warm, nullptr);       // WARM_WORKERS=off
  EXPECT_TRUE(has(req.job_env, "WM_JOB_ID=" + id));
  EXPECT_TRUE(has(req.job_env, "WM_USERNAME=alice"));
  EXPECT_TRUE(has(req.job_env, "WM_JOB_PATH=u/alice/hello"));
  auto token = std::find_if(req.job_env.begin(), req.job_env.end(),
                            [](const std::string& e) { return e.rfind("WM_TOKEN=", 0) == 0; });
  ASSERT_NE(token, req.job_env.end());
  EXPECT_GT(token->size(), std::string("WM_TOKEN=").size() + 20);

  stop();
  auto view = stored(id);
  ASSERT_TRUE(view && view->completed);
  EXPECT_EQ(view->completed->status, JobStatus::Success);
  EXPECT_NE(logs_of(id).find("hello from the job"), std::string::npos);
}

TEST_F(WorkerPoolTest, AFailedRunIsKeptAsAFailureWithItsErrorObject) {
  auto script = save_script("u/alice/bad", "bash", "exit 3", std::nullopt);
  runner_->set_answer([](const auto& req, const auto&, const auto*) {
    EXPECT_EQ(req.timeout_ms, 604'800'000);  // no timeout of its own: the server's default
    return runtime::JobRunOutcome{false, R"({"name":"ExecutionErr","message":"exit 3"})", false};
  });
  auto job = job_of(JobKind::Script);
  job.job.script_hash = script.hash;
  auto done = run(std::move(job));
  queue::JobCompletion c = outcome(done);
  EXPECT_EQ(c.status, JobStatus::Failure);
  EXPECT_EQ(json::parse(c.result_json),
            json::parse(queue::wrap_error(R"({"name":"ExecutionErr","message":"exit 3"})")));
}

TEST_F(WorkerPoolTest, AJobWhoseScriptIsGoneFailsWithoutRunning) {
  auto job = job_of(JobKind::Script);
  job.job.script_hash = "ffffffffffffffff";
  auto done = run(std::move(job));
  queue::JobCompletion c = outcome(done);
  EXPECT_EQ(c.status, JobStatus::Failure);
  EXPECT_NE(c.result_json.find("ffffffffffffffff"), std::string::npos) << c.result_json;
  EXPECT_TRUE(runner_->requests().empty());
}

TEST_F(WorkerPoolTest, ALockJobAnswersWithoutRunningAnything) {
  auto done = run(job_of(JobKind::Dependencies));
  queue::JobCompletion c = outcome(done);
  EXPECT_EQ(c.status, JobStatus::Success);
  EXPECT_EQ(json::parse(c.result_json), (json{{"lock", ""}}));
  EXPECT_TRUE(runner_->requests().empty());
}

TEST_F(WorkerPoolTest, AFlowRunsNoProcessAndItsStepsRunThroughTheSameWorkers) {
  runner_->set_answer([](const runtime::JobRunRequest& req, const auto&, const auto*) {
    // Each step answers its input, doubled.
    int x = json::parse(req.args_json).value("x", 0);
    return runtime::JobRunOutcome{true, std::to_string(2 * x), false};
  });
  auto step = [](const std::string& id, const std::string& expr) {
    return flow::ojson{{"id", id},
                       {"value",
                        {{"type", "rawscript"},
                         {"language", "bash"},
                         {"content", "echo " + id},
                         {"input_transforms", {{"x", {{"type", "javascript"}, {"expr", expr}}}}}}}};
  };
  flow::ojson value = {{"modules", {step("a", "flow_input.n"), step("b", "results.a")}}};
  auto job = job_of(JobKind::Flow, {{"n", 5}});
  job.job.raw_flow = value.dump();
  job.job.flow_status = flow::FlowStatus::initial(value["modules"]).to_text();
  auto done = run(std::move(job));
  queue::JobCompletion c = outcome(done);
  EXPECT_EQ(c.status, JobStatus::Success);
  EXPECT_EQ(c.result_json, "20");
  auto requests = runner_->requests();
  ASSERT_EQ(requests.size(), 2u);  // the two steps; the flow itself ran nothing
  EXPECT_EQ(requests[0].content, "echo a");
  EXPECT_EQ(requests[1].content, "echo b");
  EXPECT_EQ(json::parse(requests[1].args_json), (json{{"x", 10}}));
}

TEST_F(WorkerPoolTest, ACancelStopsTheRunningJobWhichEndsCanceled) {
  std::future<queue::JobCompletion> done;
  const std::string id = start_job_that_runs_until_canceled(done);
  auto canceled = queue_->cancel("w", id, "admin", "enough", std::nullopt);
  ASSERT_TRUE(canceled) << canceled.error().message;
  queue::JobCompletion c = outcome(done);
  EXPECT_EQ(c.status, JobStatus::Canceled);
  EXPECT_NE(c.result_json.find("enough"), std::string::npos) << c.result_json;
}

TEST_F(WorkerPoolTest, AShutdownInterruptsTheRunningJobWhichStaysQueuedForTheNextStart) {
  std::future<queue::JobCompletion> done;
  const std::string id = start_job_that_runs_until_canceled(done);
  stop();
  auto view = stored(id);
  ASSERT_TRUE(view);
  EXPECT_FALSE(view->completed);
  ASSERT_TRUE(view->queued);
  EXPECT_FALSE(view->queued->running);
  EXPECT_NE(logs_of(id).find("runs again at the next start"), std::string::npos);
}

}  // namespace
}  // namespace millrace::worker
