#include "runtime/signature.h"

#include <cctype>
#include <optional>

#include "common/strings.h"

namespace millrace::runtime {

// More positional parameters than any script declares.
constexpr int64_t kMaxBashParameters = 1000;

namespace {

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

struct BashHeaderLine {
  std::string_view name;
  std::string_view digits;
  std::optional<std::string_view> default_value;
};

// Whether line[from..) is blanks, then optionally a comment that stays on this line.
// `last_break`: the last '\r' or '\n' of the line (npos: none).
bool blanks_then_comment(std::string_view line, size_t from, size_t last_break) {
  while (from < line.size() && std::isspace(static_cast<unsigned char>(line[from]))) ++from;
  if (from == line.size()) return true;
  return line[from] == '#' && (last_break == std::string_view::npos || last_break < from);
}

// One header line: NAME="$N", NAME="${N}" or NAME="${N:-default}", then blanks and a comment.
// Read by hand in one pass: a regex backtracks (and, in libstdc++, recurses) through a long
// line, which a script of one long line turned into a stack overflow.
std::optional<BashHeaderLine> match_header_line(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && is_word_char(line[i])) ++i;
  if (i == 0 || line.substr(i, 3) != "=\"$") return std::nullopt;
  BashHeaderLine h;
  h.name = line.substr(0, i);
  i += 3;
  const bool braced = i < line.size() && line[i] == '{';
  if (braced) ++i;
  const size_t first_digit = i;
  while (i < line.size() && is_digit(line[i])) ++i;
  if (i == first_digit) return std::nullopt;
  h.digits = line.substr(first_digit, i - first_digit);
  const size_t last_break = line.find_last_of("\r\n");
  std::string_view rest = line.substr(i);
  if (!braced || rest.starts_with("}\"")) {
    size_t close = braced ? 2 : 1;
    if (!rest.starts_with(braced ? "}\"" : "\"")) return std::nullopt;
    if (!blanks_then_comment(line, i + close, last_break)) return std::nullopt;
    return h;
  }
  if (!rest.starts_with(":-")) return std::nullopt;
  const size_t value_start = i + 2;
  const size_t first_break = line.find_first_of("\r\n", value_start);
  // Greedy, as the pattern `\{N:-(.*)\}"` reads it: the default runs to the last `}"` that only
  // blanks and a comment follow (and holds no line break).
  for (size_t p = line.rfind("}\""); p != std::string_view::npos && p >= value_start;
       p = p == 0 ? std::string_view::npos : line.rfind("}\"", p - 1)) {
    if (first_break != std::string_view::npos && first_break < p) continue;
    if (blanks_then_comment(line, p + 2, last_break)) {
      h.default_value = line.substr(value_start, p - value_start);
      return h;
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<Parameter> parse_bash_signature(std::string_view content) {
  std::vector<std::pair<int, Parameter>> found;
  for (const auto& raw : split(content, '\n')) {
    auto header = match_header_line(trim(raw));
    if (!header) continue;
    Parameter p;
    p.name = std::string(header->name);
    if (header->default_value) p.default_value = std::string(*header->default_value);
    // Beyond any list that counts from $1 (and beyond int: a number is the author's text).
    auto index = parse_int64(header->digits);
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

bool declares_preprocessor(std::string_view language, std::string_view content) {
  const bool python = language == "python3";
  if (!python && !is_typescript_language(language)) return false;
  // Asked at every webhook call: most scripts have no such word, and are not read line by line.
  if (content.find("preprocessor") == std::string_view::npos) return false;
  auto starts = [](std::string_view line, std::string_view prefix) {
    return line.substr(0, prefix.size()) == prefix;
  };
  size_t at = 0;
  while (at < content.size()) {
    size_t end = content.find('\n', at);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(at, end - at);
    at = end + 1;
    if (python) {
      if (starts(line, "async ")) line.remove_prefix(6);
      if (starts(line, "def preprocessor(") || starts(line, "def preprocessor ")) return true;
      continue;
    }
    if (!starts(line, "export ")) continue;
    line.remove_prefix(7);
    if (starts(line, "async ")) line.remove_prefix(6);
    for (std::string_view form :
         {"function preprocessor(", "function preprocessor ", "function preprocessor<",
          "const preprocessor ", "const preprocessor=", "let preprocessor "}) {
      if (starts(line, form)) return true;
    }
  }
  return false;
}

}  // namespace millrace::runtime
