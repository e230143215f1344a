// The server side of the warm-interpreter protocol (runtime/warm_interpreter.h), against small
// Bash stand-ins for an interpreter: well-behaved, broken, dying, silent, slow.
#include "runtime/warm_interpreter.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/warm_interpreters.h"

namespace millrace::runtime {
namespace {

// Answers each request with the request itself (after printing a line), as the protocol says.
constexpr const char* kEcho = R"sh(
while read -r n; do
  body=$(head -c "$n")
  echo "job output"
  printf 'ok %d\n%s' "${#body}" "$body" >&3
done
)sh";

class WarmInterpreterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/millrace-warm-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<WarmInterpreter> start(const std::string& script) {
    ProcessSpec spec;
    spec.argv = {"/bin/bash", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.cwd = dir_;
    std::string error;
    auto w = WarmInterpreter::start(spec, "fake", error);
    EXPECT_TRUE(w) << error;
    return w;
  }
  JobRunOutcome run(WarmInterpreter& w, JobRunRequest req = {},
                    const CancelSignal* cancel = nullptr) {
    if (req.args_json.empty()) req.args_json = "{}";
    logs_.clear();
    return w.run(
        dir_, req, [&](std::string_view chunk) { logs_.append(chunk); }, cancel);
  }

  std::string dir_;
  std::string logs_;
};

TEST_F(WarmInterpreterTest, RunsJobAfterJobWithTheirOwnFolderEnvironmentAndArguments) {
  auto w = start(kEcho);
  JobRunRequest req;
  req.job_env = {"WM_JOB_ID=one"};
  req.args_json = R"({"big": 123456789012345678901234567890, "s": "é"})";
  auto first = run(*w, req);
  ASSERT_TRUE(first.success) << first.result_json;
  EXPECT_EQ(logs_, "job output\n");
  auto request = nlohmann::json::parse(first.result_json);
  EXPECT_EQ(request["cwd"], dir_);
  EXPECT_EQ(request["env"]["WM_JOB_ID"], "one");
  EXPECT_EQ(request["env"]["HOME"], dir_);
  // The stored arguments go as they are: no digit of a big integer is lost.
  EXPECT_NE(first.result_json.find(R"("args":{"big": 123456789012345678901234567890)"),
            std::string::npos)
      << first.result_json;
  pid_t pid = w->pid();
  req.job_env = {"WM_JOB_ID=two"};
  auto second = run(*w, req);
  ASSERT_TRUE(second.success);
  EXPECT_EQ(nlohmann::json::parse(second.result_json)["env"]["WM_JOB_ID"], "two");
  EXPECT_TRUE(w->alive());
  EXPECT_EQ(w->pid(), pid);
}

TEST_F(WarmInterpreterTest, AReplyThatBreaksTheProtocolEndsTheInterpreter) {
  auto w = start("read -r n; echo 'not a reply at all' >&3; sleep 60");
  auto out = run(*w);
  EXPECT_FALSE(out.success);
  EXPECT_NE(out.result_json.find("fake broke the job protocol"), std::string::npos);
  EXPECT_FALSE(w->alive());
}

TEST_F(WarmInterpreterTest, AnOversizeReplyFailsTheJobBeforeItIsRead) {
  auto w = start("read -r n; printf 'ok 999999999\\n' >&3; sleep 60");
  JobRunRequest req;
  req.max_result_bytes = 1 << 20;
  auto out = run(*w, req);
  EXPECT_FALSE(out.success);
  EXPECT_NE(out.result_json.find("larger than 1 MiB (MAX_RESULT_SIZE_MB)"), std::string::npos)
      << out.result_json;
  EXPECT_FALSE(w->alive());
}

TEST_F(WarmInterpreterTest, AnInterpreterThatDiesFailsItsJobWithItsLastWords) {
  auto w = start("read -r n; echo 'dying now'; exit 3");
  auto out = run(*w);
  EXPECT_FALSE(out.success);
  auto error = nlohmann::json::parse(out.result_json);
  EXPECT_EQ(error["exit_code"], 3);
  EXPECT_NE(error["message"].get<std::string>().find("dying now"), std::string::npos);
  EXPECT_FALSE(w->alive());
}

TEST_F(WarmInterpreterTest, OneThatClosesItsRepliesButLivesOnIsStopped) {
  auto w = start("read -r n; exec 3>&-; sleep 60");
  pid_t pid = w->pid();
  auto out = run(*w);
  EXPECT_FALSE(out.success);
  EXPECT_NE(out.result_json.find("stopped answering"), std::string::npos) << out.result_json;
  EXPECT_FALSE(w->alive());
  EXPECT_NE(kill(pid, 0), 0);  // gone and reaped
}

TEST_F(WarmInterpreterTest, ATimeoutKillsIt) {
  auto w = start("read -r n; sleep 60");
  JobRunRequest req;
  req.timeout_ms = 200;
  auto out = run(*w, req);
  EXPECT_FALSE(out.success);
  EXPECT_NE(out.result_json.find("terminated due to timeout"), std::string::npos);
  EXPECT_FALSE(w->alive());
}

TEST_F(WarmInterpreterTest, ACancelStopsItFromAnotherThread) {
  auto w = start("read -r n; echo started; sleep 60");
  CancelSignal cancel;
  std::thread canceler([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancel.cancel();
  });
  auto out = run(*w, {}, &cancel);
  canceler.join();
  EXPECT_TRUE(out.canceled);
  EXPECT_FALSE(w->alive());
}

TEST_F(WarmInterpreterTest, WarmInterpretersKeepOnePerScriptVersionAndIdentityUpToTheirCapacity) {
  // Each answers with its own pid: the same pid means the same interpreter.
  const std::string pid_echo = R"sh(
while read -r n; do head -c "$n" >/dev/null; printf 'ok %d\n%s' "${#$}" "$$" >&3; done
)sh";
  WarmLaunch launch;
  launch.spec.argv = {"/bin/bash", "-c", pid_echo};
  launch.spec.env = {"PATH=/usr/bin:/bin"};
  launch.spec.cwd = dir_;
  launch.program = "fake";
  launch.main_name = "main.py";
  Sandbox unsandboxed{dir_ + "/jobs", std::nullopt, nullptr};
  WarmInterpreters kept(2, unsandboxed, "wk-test");
  int jobs = 0;
  auto run_version = [&](const std::string& content, const std::string& workspace = "w",
                         const std::string& identity = "u/a") {
    JobRunRequest req;
    req.job_id = "job-" + std::to_string(++jobs);
    req.language = "python3";
    req.workspace_id = workspace;
    req.identity = identity;
    req.content = content;
    req.args_json = "{}";
    launch.main_content = content;
    auto out = kept.run(
        launch, req, [](std::string_view) {}, nullptr);
    EXPECT_TRUE(out.success) << out.result_json;
    return out.result_json;
  };
  std::string a = run_version("A");
  EXPECT_EQ(run_version("A"), a);
  // Another identity never gets the interpreter that held the first one's token.
  std::string other_identity = run_version("A", "w", "u/b");
  EXPECT_NE(other_identity, a);
  EXPECT_EQ(run_version("A"), a);  // both kept: the capacity is 2
  EXPECT_EQ(run_version("A", "w", "u/b"), other_identity);
  // A third version: the least recently used (a) goes.
  std::string other_workspace = run_version("A", "other workspace");
  EXPECT_NE(other_workspace, a);
  EXPECT_NE(other_workspace, other_identity);
  EXPECT_EQ(run_version("A", "w", "u/b"), other_identity);
  EXPECT_NE(run_version("A"), a);
}

}  // namespace
}  // namespace millrace::runtime
