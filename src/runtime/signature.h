// Reads the parameters a script declares. Parsers do no I/O: text in, parameters out.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::runtime {

struct Parameter {
  std::string name;
  std::optional<std::string> type;           // annotation text as written (Python), if any
  std::optional<std::string> default_value;  // default as written in the source, if any
};

// Bash: consecutive header lines `name="$1"`, `name="${2}"`, `name="${3:-default}"`, from $1
// on; the first gap in numbering ends the list (Windmill's rule).
std::vector<Parameter> parse_bash_signature(std::string_view content);

// Python: the parameters of the top-level `def main(...)` (or `async def main`), with their
// annotations and defaults as source text. Empty when there is no main.
std::optional<std::vector<Parameter>> parse_python_signature(std::string_view content);

struct TsParameter {
  std::string name;  // empty for a destructured parameter, which still takes its position
  std::optional<std::string> type;
  std::optional<std::string> default_value;
  bool optional = false;  // `name?: type`
};
// TypeScript/JavaScript: the parameters of the exported `main` (`function main(...)`,
// `const main = async (...) =>`), in order, with types and defaults as source text; nothing
// when there is no main.
std::optional<std::vector<TsParameter>> parse_typescript_signature(std::string_view content);

// Whether a script defines Windmill's `preprocessor` beside main: a top-level
// `def preprocessor(` or `async def preprocessor(` (Python), an exported `preprocessor` function
// or constant (TypeScript/JavaScript). Other languages have none.
bool declares_preprocessor(std::string_view language, std::string_view content);

// Windmill's TypeScript languages (bun, deno, nativets, bunnative): their signatures are read by
// parse_typescript_signature, and they all run on Node.js here.
bool is_typescript_language(std::string_view language);

}  // namespace millrace::runtime
