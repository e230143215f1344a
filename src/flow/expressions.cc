#include "flow/expressions.h"

#include <cctype>
#include <optional>
#include <vector>

#include "flow/js_evaluator.h"

namespace millrace::flow {
namespace {

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}
bool ident_char(char c) {
  return ident_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

// One step of a property path: a name (`.x`, `["x"]`) or an index (`[3]`).
struct PathStep {
  std::string name;
  std::optional<size_t> index;
};

// `root.a["b"][0]` → root and steps; nullopt when the text is anything more than that.
std::optional<std::pair<std::string, std::vector<PathStep>>> parse_path(const std::string& expr) {
  size_t i = 0, n = expr.size();
  auto skip_space = [&] {
    while (i < n && std::isspace(static_cast<unsigned char>(expr[i]))) ++i;
  };
  skip_space();
  if (i >= n || !ident_start(expr[i])) return std::nullopt;
  size_t start = i;
  while (i < n && ident_char(expr[i])) ++i;
  std::string root = expr.substr(start, i - start);
  std::vector<PathStep> steps;
  while (true) {
    skip_space();
    if (i >= n) break;
    if (expr[i] == '.') {
      ++i;
      if (i >= n || !ident_start(expr[i])) return std::nullopt;
      start = i;
      while (i < n && ident_char(expr[i])) ++i;
      steps.push_back({expr.substr(start, i - start), std::nullopt});
    } else if (expr[i] == '[') {
      ++i;
      if (i < n && (expr[i] == '"' || expr[i] == '\'')) {
        char quote = expr[i++];
        start = i;
        while (i < n && expr[i] != quote && expr[i] != '\\') ++i;
        if (i >= n || expr[i] != quote) return std::nullopt;
        std::string name = expr.substr(start, i - start);
        ++i;
        if (i >= n || expr[i] != ']') return std::nullopt;
        ++i;
        steps.push_back({name, std::nullopt});
      } else {
        start = i;
        while (i < n && std::isdigit(static_cast<unsigned char>(expr[i]))) ++i;
        if (i == start || i - start > 9 || i >= n || expr[i] != ']') return std::nullopt;
        size_t index = std::stoul(expr.substr(start, i - start));
        ++i;
        steps.push_back({"", index});
      }
    } else {
      return std::nullopt;
    }
  }
  return std::make_pair(root, steps);
}

const ojson* named(const Scope& s, const std::string& name, ojson& results_holder,
                   const std::string& expr) {
  if (name == "flow_input") return s.flow_input;
  if (name == "previous_result") return s.previous_result;
  if (name == "result") return s.result;
  if (name == "params") return s.params;
  if (name == "error") return s.error;
  if (name == "flow_env") return s.flow_env;
  if (name == "resume") return s.resume;
  if (name == "resumes") return s.resumes;
  if (name == "approvers") return s.approvers;
  if (name == "results") {
    results_holder = s.results ? s.results(expr) : ojson::object();
    return &results_holder;
  }
  return nullptr;
}

// Resolves a property path as JavaScript would, when that cannot throw: false when the
// evaluator must decide (an unknown name, or a step into undefined, which is a TypeError).
bool resolve_path(const std::string& expr, const Scope& scope, ojson& value) {
  auto path = parse_path(expr);
  if (!path) return false;
  ojson results;
  const ojson* at = named(scope, path->first, results, expr);
  if (!at) return false;
  for (const auto& step : path->second) {
    if (at->is_null()) return false;  // JS: cannot read properties of null/undefined
    const ojson* next = nullptr;
    if (step.index && at->is_array()) {
      if (*step.index < at->size()) next = &(*at)[*step.index];
    } else if (!step.index && at->is_object()) {
      auto it = at->find(step.name);
      if (it != at->end()) next = &*it;
    } else if (at->is_object() && step.index) {
      auto it = at->find(std::to_string(*step.index));
      if (it != at->end()) next = &*it;
    } else {
      return false;  // a property of a string, number or array by name: leave it to JS
    }
    static const ojson kUndefined;
    at = next ? next : &kUndefined;
  }
  value = *at;
  return true;
}

bool mentions(const std::string& expr, const char* name) {
  return expr.find(name) != std::string::npos;
}

}  // namespace

bool Expressions::evaluate(const std::string& expr, const Scope& scope, ojson& value,
                           std::string& error) const {
  if (resolve_path(expr, scope, value)) return true;
  // A literal (`3`, `"text"`, `true`, `[1, 2]`) is its own value.
  value = ojson::parse(expr, nullptr, false);
  if (!value.is_discarded()) return true;
  if (!js_) {
    error = "JavaScript expressions need Node.js, which this machine lacks";
    return false;
  }
  // Only the names the text mentions are sent: a big flow input is not copied for nothing.
  ojson ctx = ojson::object();
  auto add = [&](const char* name, const ojson* v) {
    if (v && mentions(expr, name)) ctx[name] = *v;
  };
  add("flow_input", scope.flow_input);
  add("previous_result", scope.previous_result);
  add("params", scope.params);
  add("error", scope.error);
  add("flow_env", scope.flow_env);
  add("resume", scope.resume);
  add("resumes", scope.resumes);
  add("approvers", scope.approvers);
  if (scope.result && mentions(expr, "result")) ctx["result"] = *scope.result;
  if (mentions(expr, "results"))
    ctx["results"] = scope.results ? scope.results(expr) : ojson::object();
  if (mentions(expr, "flow_job_id")) ctx["flow_job_id"] = scope.flow_job_id;
  EvalOutcome out = js_->evaluate(expr, ctx.dump(-1, ' ', false, ojson::error_handler_t::replace),
                                  scope.workspace);
  if (!out.ok) {
    error = out.error;
    return false;
  }
  value = ojson::parse(out.value_json, nullptr, false);
  if (value.is_discarded()) {
    error = "the expression's value is not JSON";
    return false;
  }
  return true;
}

bool Expressions::truthy(const ojson& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<int64_t>() != 0;
  if (v.is_number_unsigned()) return v.get<uint64_t>() != 0;
  if (v.is_number_float()) {
    double d = v.get<double>();
    return d == d && d != 0;
  }
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  return true;  // objects and arrays, even empty
}

}  // namespace millrace::flow
