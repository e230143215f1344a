#include "packages/python_lock.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace millrace::packages {
namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// PEP 440 versions (with a local part): digits, letters, dots, `!`, `+`, `-`, `_`. Never a
// slash, and never only dots.
bool valid_version(std::string_view v) {
  if (v.empty() || v.size() > 128) return false;
  if (!std::isalnum(static_cast<unsigned char>(v.front()))) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '!' || c == '+' ||
           c == '-' || c == '_';
  });
}

bool valid_name(std::string_view n) {
  return !n.empty() && n.size() <= 128 && std::isalnum(static_cast<unsigned char>(n.front())) &&
         std::isalnum(static_cast<unsigned char>(n.back())) &&
         std::all_of(n.begin(), n.end(), name_char);
}

}  // namespace

std::string canonical_name(std::string_view name) {
  std::string out;
  bool separator = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      separator = true;
      continue;
    }
    if (separator && !out.empty()) out += '-';
    separator = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

Result<std::vector<LockedPackage>> parse_python_lock(std::string_view lock) {
  std::vector<LockedPackage> out;
  size_t number = 0;
  while (!lock.empty()) {
    size_t nl = lock.find('\n');
    std::string_view line = trim(lock.substr(0, nl));
    lock = nl == std::string_view::npos ? std::string_view() : lock.substr(nl + 1);
    ++number;
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find("==");
    std::string_view name = eq == std::string_view::npos ? line : trim(line.substr(0, eq));
    std::string_view version =
        eq == std::string_view::npos ? std::string_view() : trim(line.substr(eq + 2));
    if (!valid_name(name) || !valid_version(version)) {
      return Error::bad_request("lock line " + std::to_string(number) + " (" + std::string(line) +
                                "): expected name==version");
    }
    out.push_back({canonical_name(name), std::string(version)});
  }
  return out;
}

Result<std::string> python_lock_from_pip_report(std::string_view report_json) {
  auto report = nlohmann::json::parse(report_json, nullptr, false);
  if (!report.is_object() || !report.contains("install") || !report["install"].is_array()) {
    return Error::bad_request("pip's report has no `install` list");
  }
  std::vector<std::string> lines;
  for (const auto& item : report["install"]) {
    const auto* metadata =
        item.is_object() && item.contains("metadata") ? &item["metadata"] : nullptr;
    if (!metadata || !metadata->is_object() || !metadata->contains("name") ||
        !metadata->contains("version") || !(*metadata)["name"].is_string() ||
        !(*metadata)["version"].is_string()) {
      return Error::bad_request("pip's report lists a package without a name and a version");
    }
    std::string name = (*metadata)["name"].get<std::string>();
    std::string version = (*metadata)["version"].get<std::string>();
    if (!valid_name(name) || !valid_version(version)) {
      return Error::bad_request("pip resolved a package Millrace cannot install: " + name + " " +
                                version);
    }
    lines.push_back(canonical_name(name) + "==" + version);
  }
  std::sort(lines.begin(), lines.end());
  std::string lock;
  for (const auto& l : lines) lock += (lock.empty() ? "" : "\n") + l;
  return lock;
}

}  // namespace millrace::packages
