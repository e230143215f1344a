#include "api/paths.h"

#include <array>
#include <cctype>

#include "common/strings.h"

namespace millrace::api {
namespace {
bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
}  // namespace

Error invalid_path_error(const std::string& path) {
  return Error::bad_request("invalid path '" + path +
                            "': a path is u/<user>/<name> or f/<folder>/<name>, each part made "
                            "of letters, digits, _ and - (^[ufg](/[\\w-]+){2,}$)");
}

bool is_valid_script_path(std::string_view path) {
  if (path.size() < 5 || (path[0] != 'u' && path[0] != 'f' && path[0] != 'g') || path[1] != '/') {
    return false;
  }
  auto segments = split(path.substr(2), '/');
  if (segments.size() < 2) return false;
  for (const auto& s : segments) {
    if (s.empty()) return false;
    for (char c : s) {
      if (!is_word(c) && c != '-') return false;
    }
  }
  return true;
}

bool is_valid_workspace_id(std::string_view id) {
  if (id.empty() || id.size() > 50) return false;
  bool after_dash = true;  // must start (and end) with a word character
  for (char c : id) {
    if (c == '-') {
      if (after_dash) return false;
      after_dash = true;
    } else if (is_word(c)) {
      after_dash = false;
    } else {
      return false;
    }
  }
  return !after_dash;
}

bool is_known_language(std::string_view language) {
  static constexpr std::array<std::string_view, 24> kLanguages = {
      "deno",    "bun",        "bunnative",  "nativets", "python3",  "go",
      "bash",    "powershell", "postgresql", "mysql",    "bigquery", "snowflake",
      "mssql",   "graphql",    "oracledb",   "duckdb",   "php",      "rust",
      "ansible", "csharp",     "nu",         "java",     "ruby",     "rlang"};
  for (auto l : kLanguages) {
    if (l == language) return true;
  }
  return false;
}

}  // namespace millrace::api
