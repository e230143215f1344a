#include "flow/js_evaluator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace millrace::flow {
namespace {

// The machine's node (make test installs it); these tests need a real evaluator process.
std::string find_node() {
  for (const char* p : {"/usr/bin/node", "/usr/local/bin/node"}) {
    if (access(p, X_OK) == 0) return p;
  }
  if (const char* path = getenv("PATH")) {
    std::string all = path;
    size_t start = 0;
    while (start <= all.size()) {
      size_t end = all.find(':', start);
      if (end == std::string::npos) end = all.size();
      std::string candidate = all.substr(start, end - start) + "/node";
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
      start = end + 1;
    }
  }
  return "";
}

class JsEvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = find_node();
    ASSERT_FALSE(node_.empty()) << "node is needed (make test-deps installs it)";
  }
  JsEvaluatorOptions options(int64_t timeout_ms = 1000, size_t processes = 2) {
    JsEvaluatorOptions o;
    o.node = node_;
    o.timeout_ms = timeout_ms;
    o.processes = processes;
    o.work_dir = "/tmp";
    return o;
  }
  std::string node_;
};

TEST_F(JsEvaluatorTest, ModernExpressionsSeeTheFlowNames) {
  JsEvaluator eval(options());
  struct Case {
    const char* expr;
    const char* ctx;
    const char* value;
  } cases[] = {
      {"flow_input.x + 1", R"({"flow_input":{"x":41}})", "42"},
      {"`hi ${flow_input.name ?? 'anon'}`", R"({"flow_input":{}})", "\"hi anon\""},
      {"results.a?.b?.c", R"({"results":{"a":{}}})", "null"},
      {"[1, 2, 3].map((v) => v * previous_result)", R"({"previous_result":10})", "[10,20,30]"},
      {"flow_input.iter.index === 1 ? 'second' : 'other'",
       R"({"flow_input":{"iter":{"index":1,"value":"b"}}})", "\"second\""},
      {"const t = params.a * 2;\nreturn { t }", R"({"params":{"a":3}})", "{\"t\":6}"},
      {"result.ok && !error", R"({"result":{"ok":true}})", "true"},
      {"undefined", "{}", "null"},
      {"12345678901234567890n", "{}", "\"12345678901234567890\""},
  };
  for (const auto& c : cases) {
    auto out = eval.evaluate(c.expr, c.ctx);
    EXPECT_TRUE(out.ok) << c.expr << ": " << out.error;
    EXPECT_EQ(out.value_json, c.value) << c.expr;
  }
}

TEST_F(JsEvaluatorTest, ErrorsAreAnsweredInWordsAndTheProcessStays) {
  JsEvaluator eval(options());
  auto missing = eval.evaluate("results.nope.x", R"({"results":{}})");
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.error, "TypeError: Cannot read properties of undefined (reading 'x')");
  auto syntax = eval.evaluate("((", "{}");
  EXPECT_FALSE(syntax.ok);
  EXPECT_NE(syntax.error.find("SyntaxError"), std::string::npos) << syntax.error;
  auto thrown = eval.evaluate("(() => { throw new Error('no way') })()", "{}");
  EXPECT_EQ(thrown.error, "Error: no way");
  // The server's environment and modules are out of reach.
  auto env = eval.evaluate("typeof process + typeof require", "{}");
  EXPECT_EQ(env.value_json, "\"undefinedundefined\"");
  EXPECT_EQ(eval.started_processes(), 1);  // errors do not cost a restart
}

// One process serves every workspace, each in a context of its own: an expression that
// tampers with its prototypes, or climbs to a constructor, reaches neither another
// workspace's data nor the host's realm.
TEST_F(JsEvaluatorTest, WorkspacesDoNotSeeEachOthersData) {
  JsEvaluator eval(options(1000, 1));
  // Workspace a plants a spy on every object serialized after it.
  auto plant = eval.evaluate(
      "(() => { globalThis.seen = []; Object.defineProperty(Object.prototype, 'toJSON', "
      "{ get() { globalThis.seen.push(Object.entries(this).map(([k, v]) => k + '=' + v)"
      ".join(';')); return undefined; }, configurable: true }); return 1 })()",
      "{}", "a");
  ASSERT_TRUE(plant.ok) << plant.error;
  // It works in a (the control)...
  auto own = eval.evaluate("flow_input", R"({"flow_input":{"secret":"of a"}})", "a");
  ASSERT_TRUE(own.ok) << own.error;
  // ...and sees nothing of b.
  auto secret = eval.evaluate("flow_input", R"({"flow_input":{"secret":"of b"}})", "b");
  ASSERT_TRUE(secret.ok) << secret.error;
  EXPECT_EQ(secret.value_json, R"({"secret":"of b"})");
  auto spy = eval.evaluate("globalThis.seen.join('|')", "{}", "a");
  ASSERT_TRUE(spy.ok) << spy.error;
  EXPECT_NE(spy.value_json.find("secret=of a"), std::string::npos) << spy.value_json;
  EXPECT_EQ(spy.value_json.find("of b"), std::string::npos) << spy.value_json;
  // b's context is untouched by a's tampering.
  auto clean =
      eval.evaluate("typeof globalThis.seen + Object.keys(Object.prototype).length", "{}", "b");
  EXPECT_EQ(clean.value_json, "\"undefined0\"");
  // Climbing from a value to Function gives the context's realm, not the host's.
  auto climb = eval.evaluate(
      "flow_input.constructor.constructor('return typeof process + typeof require')()",
      R"({"flow_input":{}})", "b");
  ASSERT_TRUE(climb.ok) << climb.error;
  EXPECT_EQ(climb.value_json, "\"undefinedundefined\"");
  EXPECT_EQ(eval.started_processes(), 1);
}

TEST_F(JsEvaluatorTest, ARunawayLoopIsStoppedAndOthersGoOn) {
  JsEvaluator eval(options(200, 1));
  auto loop = eval.evaluate("while (true) {}", "{}");
  EXPECT_FALSE(loop.ok);
  EXPECT_EQ(loop.error, "did not finish within 200 ms");
  auto next = eval.evaluate("1 + 1", "{}");
  EXPECT_TRUE(next.ok) << next.error;
  EXPECT_EQ(next.value_json, "2");
  EXPECT_EQ(eval.started_processes(), 2);  // the stuck one was replaced
}

TEST_F(JsEvaluatorTest, AnEvaluatorThatDiesIsReplaced) {
  JsEvaluator eval(options(1000, 1));
  // Exhausting memory kills the process (V8 aborts); the evaluation fails, the next one works.
  auto oom =
      eval.evaluate("(() => { const a = []; for (;;) a.push(new Array(1e6).fill(1)); })()", "{}");
  EXPECT_FALSE(oom.ok);
  auto next = eval.evaluate("'alive'", "{}");
  EXPECT_TRUE(next.ok) << next.error;
  EXPECT_EQ(next.value_json, "\"alive\"");
  EXPECT_EQ(eval.started_processes(), 2);
}

TEST_F(JsEvaluatorTest, ParallelCallersShareThePool) {
  JsEvaluator eval(options(1000, 2));
  std::vector<std::thread> threads;
  std::vector<std::string> values(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto out =
          eval.evaluate("flow_input.i * 2", R"({"flow_input":{"i":)" + std::to_string(i) + "}}");
      values[i] = out.ok ? out.value_json : out.error;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(values[i], std::to_string(i * 2));
  EXPECT_LE(eval.started_processes(), 2);
}

TEST_F(JsEvaluatorTest, AMissingNodeIsAClearError) {
  auto o = options();
  o.node = "/nonexistent/node";
  JsEvaluator eval(o);
  auto out = eval.evaluate("1", "{}");
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.error,
            "cannot start the expression evaluator (/nonexistent/node): it ended before it was "
            "ready")
      << out.error;
}

}  // namespace
}  // namespace millrace::flow
