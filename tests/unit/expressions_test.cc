#include "flow/expressions.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "flow/js_evaluator.h"

namespace millrace::flow {
namespace {

struct Names {
  ojson flow_input = ojson::parse(
      R"({"x": 41, "odd key": "o", "iter": {"value": {"id": 7}, "index": 2}, "list": [1, 2]})");
  ojson previous_result = ojson::parse(R"(["a", "b"])");
  ojson results = ojson::parse(R"({"a": {"b": [10, 20]}, "c": null})");
  std::string asked;  // the text `results` was asked for
  Scope scope() {
    Scope s;
    s.flow_input = &flow_input;
    s.previous_result = &previous_result;
    s.results = [this](const std::string& expr) {
      asked = expr;
      return results;
    };
    return s;
  }
};

// Property paths and literals never need Node.js: they evaluate with no evaluator at all.
TEST(ExpressionsTest, PropertyPathsAndLiteralsResolveWithoutNode) {
  Expressions ex(nullptr);
  Names n;
  struct Case {
    const char* expr;
    const char* value;
  } cases[] = {
      {"flow_input.x", "41"},
      {"  flow_input.x\n", "41"},
      {"flow_input['odd key']", "\"o\""},
      {"flow_input[\"odd key\"]", "\"o\""},
      {"flow_input.iter.value.id", "7"},
      {"flow_input.iter.index", "2"},
      {"flow_input.list[1]", "2"},
      {"flow_input.missing", "null"},  // undefined
      {"flow_input.list[5]", "null"},
      {"previous_result[0]", "\"a\""},
      {"results.a.b[1]", "20"},
      {"results.c", "null"},
      {"3", "3"},
      {"\"text\"", "\"text\""},
      {"[1, 2]", "[1,2]"},
      {"true", "true"},
  };
  for (const auto& c : cases) {
    ojson value;
    std::string error;
    ASSERT_TRUE(ex.evaluate(c.expr, n.scope(), value, error)) << c.expr << ": " << error;
    EXPECT_EQ(value.dump(), c.value) << c.expr;
  }
  ojson value;
  std::string error;
  ASSERT_TRUE(ex.evaluate("results.a", n.scope(), value, error));
  EXPECT_EQ(n.asked, "results.a");  // so only the steps the text names are fetched
}

// What a path cannot decide (a step into undefined is a TypeError in JavaScript; anything
// that is not a path) goes to the evaluator; without one, it fails in words.
TEST(ExpressionsTest, WithoutNodeOtherExpressionsFailClearly) {
  Expressions ex(nullptr);
  Names n;
  for (const char* expr : {"flow_input.x + 1", "flow_input.missing.deeper",
                           "previous_result.length", "Math.max(1, 2)", "flow_input.x;"}) {
    ojson value;
    std::string error;
    EXPECT_FALSE(ex.evaluate(expr, n.scope(), value, error)) << expr;
    EXPECT_NE(error.find("Node.js"), std::string::npos) << expr << ": " << error;
  }
}

std::string node_path() {
  for (const char* p : {"/usr/bin/node", "/usr/local/bin/node"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

// The shortcut answers exactly what Node.js answers for the same text.
TEST(ExpressionsTest, PathsAgreeWithNodeAndTheRestGoesToNode) {
  std::string node = node_path();
  ASSERT_FALSE(node.empty()) << "node is needed (make test-deps installs it)";
  JsEvaluatorOptions options;
  options.node = node;
  options.work_dir = "/tmp";
  options.processes = 1;
  JsEvaluator js(options);
  Expressions with_node(&js);
  Expressions shortcut(nullptr);
  Names n;
  for (const char* expr :
       {"flow_input.x", "flow_input['odd key']", "flow_input.iter.value.id", "flow_input.missing",
        "flow_input.list[1]", "previous_result[0]", "results.a.b[1]", "results.c", "[1, 2]"}) {
    ojson fast, slow;
    std::string error;
    ASSERT_TRUE(shortcut.evaluate(expr, n.scope(), fast, error)) << expr;
    // Wrapped so that the shortcut cannot take it: this one is answered by Node.js.
    ASSERT_TRUE(with_node.evaluate(std::string("(") + expr + ")", n.scope(), slow, error))
        << expr << ": " << error;
    EXPECT_EQ(fast, slow) << expr;
  }
  ojson value;
  std::string error;
  ASSERT_TRUE(with_node.evaluate("`${flow_input.x + 1}-${results.a?.b?.length ?? 0}`", n.scope(),
                                 value, error))
      << error;
  EXPECT_EQ(value, "42-2");
  EXPECT_FALSE(with_node.evaluate("flow_input.missing.deeper", n.scope(), value, error));
  EXPECT_NE(error.find("TypeError"), std::string::npos) << error;
}

TEST(ExpressionsTest, TruthinessIsJavaScripts) {
  for (const char* falsy : {"null", "false", "0", "0.0", "\"\""}) {
    EXPECT_FALSE(Expressions::truthy(ojson::parse(falsy))) << falsy;
  }
  for (const char* truthy : {"true", "1", "-1", "0.5", "\"0\"", "[]", "{}"}) {
    EXPECT_TRUE(Expressions::truthy(ojson::parse(truthy))) << truthy;
  }
}

}  // namespace
}  // namespace millrace::flow
