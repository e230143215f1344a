#include "runtime/signature.h"

#include <cctype>
#include <regex>

#include "common/strings.h"

namespace millrace::runtime {

// More positional parameters than any script declares.
constexpr int64_t kMaxBashParameters = 1000;

std::vector<Parameter> parse_bash_signature(std::string_view content) {
  static const std::regex kLine(
      R"re(^(\w+)="\$(?:(\d+)|\{(\d+)\}|\{(\d+):-(.*)\})"\s*(?:#.*)?$)re");
  std::vector<std::pair<int, Parameter>> found;
  for (const auto& raw : split(content, '\n')) {
    std::string line(trim(raw));
    std::smatch m;
    if (!std::regex_match(line, m, kLine)) continue;
    Parameter p;
    p.name = m[1];
    const auto& digits = m[2].matched ? m[2] : m[3].matched ? m[3] : m[4];
    if (m[4].matched) p.default_value = m[5];
    // Beyond any list that counts from $1 (and beyond int: a number is the author's text).
    auto index = parse_int64(digits.str());
    if (!index || *index < 1 || *index > kMaxBashParameters) continue;
    found.emplace_back(static_cast<int>(*index), p);
  }
  std::vector<Parameter> out;
  for (int want = 1;; ++want) {
    bool got = false;
    for (auto& [index, p] : found) {
      if (index == want) {
        out.push_back(p);
        got = true;
        break;
      }
    }
    if (!got) break;
  }
  return out;
}

namespace {

// Splits a parameter list on its top-level commas, and finds the first top-level `want`
// (outside brackets and strings). TypeScript adds template strings, generics (`<...>`) and `=>`,
// whose `>` closes nothing and whose `=` is not found.
enum class Syntax { kPython, kTypeScript };
struct TopLevelScan {
  std::vector<std::string> parts;
  size_t found = std::string_view::npos;
};

TopLevelScan scan_top_level(std::string_view text, char want, Syntax syntax) {
  const bool ts = syntax == Syntax::kTypeScript;
  TopLevelScan out;
  std::string cur;
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      cur += c;
      if (c == '\\' && i + 1 < text.size()) {
        cur += text[++i];
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    bool arrow = ts && c == '=' && i + 1 < text.size() && text[i + 1] == '>';
    bool arrow_end = ts && c == '>' && i > 0 && text[i - 1] == '=';
    if (c == '"' || c == '\'' || (ts && c == '`')) quote = c;
    if (c == '(' || c == '[' || c == '{' || (ts && c == '<')) ++depth;
    if ((c == ')' || c == ']' || c == '}' || (ts && c == '>')) && !arrow_end) --depth;
    if (depth == 0 && c == want && !arrow && out.found == std::string_view::npos) out.found = i;
    if (c == ',' && depth == 0 && want == ',') {
      out.parts.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.parts.push_back(cur);
  return out;
}

}  // namespace

std::optional<std::vector<Parameter>> parse_python_signature(std::string_view content) {
  // Find a line starting (at column 0) with `def main(` or `async def main(`.
  size_t pos = 0;
  size_t start = std::string_view::npos;
  while (pos < content.size()) {
    size_t eol = content.find('\n', pos);
    std::string_view line =
        content.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    for (std::string_view head : {"def main(", "async def main("}) {
      if (starts_with(line, head)) {
        start = pos + head.size();
        break;
      }
      // Allow spaces between `main` and `(`.
    }
    if (start != std::string_view::npos) break;
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  if (start == std::string_view::npos) return std::nullopt;
  // Collect up to the matching close parenthesis.
  int depth = 1;
  char quote = 0;
  size_t i = start;
  for (; i < content.size() && depth > 0; ++i) {
    char c = content[i];
    if (quote) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
      continue;
    }
    if (c == '"' || c == '\'')
      quote = c;
    else if (c == '(' || c == '[' || c == '{')
      ++depth;
    else if (c == ')' || c == ']' || c == '}')
      --depth;
  }
  if (depth != 0) return std::nullopt;
  std::string_view params = content.substr(start, i - 1 - start);
  std::vector<Parameter> out;
  for (const auto& raw : scan_top_level(params, ',', Syntax::kPython).parts) {
    std::string part(trim(raw));
    // Drop comments that end a line inside the parameter list.
    if (part.empty() || part == "*" || part == "/") continue;
    if (starts_with(part, "**") || starts_with(part, "*")) continue;
    Parameter p;
    size_t eq = scan_top_level(part, '=', Syntax::kPython).found;
    std::string head = part.substr(0, eq);
    if (eq != std::string::npos) p.default_value = std::string(trim(part.substr(eq + 1)));
    size_t colon = scan_top_level(head, ':', Syntax::kPython).found;
    p.name = std::string(trim(head.substr(0, colon)));
    if (colon != std::string::npos) p.type = std::string(trim(head.substr(colon + 1)));
    bool valid = !p.name.empty() && !isdigit(static_cast<unsigned char>(p.name[0]));
    for (char c : p.name) valid = valid && (isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (valid) out.push_back(std::move(p));
  }
  return out;
}

std::optional<std::vector<TsParameter>> parse_typescript_signature(std::string_view content) {
  size_t start = std::string_view::npos;
  for (std::string_view head : {"function main(", "function main (", "main = async (", "main = (",
                                "main = async(", "main=("}) {
    // `main` as a whole word: not the end of `domain = (`.
    for (size_t at = content.find(head); at != std::string_view::npos;
         at = content.find(head, at + 1)) {
      size_t word = at + head.find("main");
      char before = word > 0 ? content[word - 1] : ' ';
      if (isalnum(static_cast<unsigned char>(before)) || before == '_' || before == '$') continue;
      if (start == std::string_view::npos || at + head.size() < start) start = at + head.size();
      break;
    }
  }
  if (start == std::string_view::npos) return std::nullopt;
  int depth = 1;
  char quote = 0;
  size_t i = start;
  for (; i < content.size() && depth > 0; ++i) {
    char c = content[i];
    if (quote) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
      continue;
    }
    if (c == '"' || c == '\'' || c == '`')
      quote = c;
    else if (c == '(' || c == '[' || c == '{')
      ++depth;
    else if (c == ')' || c == ']' || c == '}')
      --depth;
  }
  if (depth != 0) return std::nullopt;
  std::string_view params = content.substr(start, i - 1 - start);
  std::vector<TsParameter> out;
  auto parts = scan_top_level(params, ',', Syntax::kTypeScript).parts;
  if (parts.size() == 1 && trim(parts[0]).empty()) return out;
  for (const auto& raw : parts) {
    std::string part(trim(raw));
    if (part.empty() || starts_with(part, "...")) continue;
    TsParameter p;
    size_t eq = scan_top_level(part, '=', Syntax::kTypeScript).found;
    std::string head = part.substr(0, eq);
    if (eq != std::string::npos) p.default_value = std::string(trim(part.substr(eq + 1)));
    size_t colon = scan_top_level(head, ':', Syntax::kTypeScript).found;
    std::string name(trim(head.substr(0, colon)));
    if (colon != std::string::npos) p.type = std::string(trim(head.substr(colon + 1)));
    if (!name.empty() && name.back() == '?') {
      p.optional = true;
      name = std::string(trim(name.substr(0, name.size() - 1)));
    }
    bool valid = !name.empty() && !isdigit(static_cast<unsigned char>(name[0]));
    for (char c : name) {
      valid = valid && (isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$');
    }
    if (valid) p.name = name;  // otherwise destructured: a position without a name
    out.push_back(std::move(p));
  }
  return out;
}

bool is_typescript_language(std::string_view language) {
  return language == "bun" || language == "deno" || language == "nativets" ||
         language == "bunnative";
}

}  // namespace millrace::runtime
