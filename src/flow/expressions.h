// What a flow's JavaScript expressions see, and their evaluation. A plain property path
// (`flow_input.x`, `results.a.b`, `previous_result[0]`, `flow_input.iter.value`) is resolved
// here without a round trip; anything else goes to the Node.js evaluator pool.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace millrace::flow {

class JsEvaluator;
using ojson = nlohmann::ordered_json;

// The names an expression may use. Unset names are undefined.
struct Scope {
  const ojson* flow_input = nullptr;
  const ojson* previous_result = nullptr;
  const ojson* result = nullptr;
  const ojson* params = nullptr;
  const ojson* error = nullptr;
  const ojson* flow_env = nullptr;
  // After an approval step: the last resume payload, all of them, and who approved.
  const ojson* resume = nullptr;
  const ojson* resumes = nullptr;
  const ojson* approvers = nullptr;
  std::string flow_job_id;
  std::string workspace;  // expressions of one workspace never share a context with another's
  // `results`: the results of the completed steps an expression may name (it is given the
  // expression's text, and may leave out steps the text does not mention).
  std::function<ojson(const std::string& expr)> results;
};

class Expressions {
 public:
  // `js` may be null (no Node.js on the machine): then only property paths evaluate.
  explicit Expressions(JsEvaluator* js) : js_(js) {}

  // The value of `expr` (undefined is null), or false with `error` in words.
  bool evaluate(const std::string& expr, const Scope& scope, ojson& value,
                std::string& error) const;

  // JavaScript truthiness of a JSON value (0, "", false, null are false).
  static bool truthy(const ojson& value);

 private:
  JsEvaluator* js_;
};

}  // namespace millrace::flow
