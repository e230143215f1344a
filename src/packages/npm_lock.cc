#include "packages/npm_lock.h"

#include <sodium.h>

#include <map>

#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace millrace::packages {
namespace {

constexpr std::string_view kSeparator = "\n//package-lock.json\n";

}  // namespace

std::string npm_package_json(const std::vector<NpmRequirement>& requirements) {
  std::map<std::string, std::string> sorted;
  for (const auto& r : requirements) sorted[r.name] = r.version;
  nlohmann::json deps = nlohmann::json::object();
  for (const auto& [name, version] : sorted) deps[name] = version;
  return nlohmann::json{{"name", "millrace-script"}, {"private", true}, {"dependencies", deps}}
      .dump(2);
}

std::string npm_lock_text(const NpmLock& lock) {
  return lock.package_json + std::string(kSeparator) + lock.package_lock;
}

Result<NpmLock> parse_npm_lock(std::string_view text) {
  size_t at = text.find(kSeparator);
  if (at == std::string_view::npos) {
    return Error::bad_request("the lock is not a package.json and a package-lock.json");
  }
  NpmLock lock{std::string(text.substr(0, at)), std::string(text.substr(at + kSeparator.size()))};
  for (const std::string* part : {&lock.package_json, &lock.package_lock}) {
    if (!nlohmann::json::parse(*part, nullptr, false).is_object()) {
      return Error::bad_request("the lock's package.json or package-lock.json is not JSON");
    }
  }
  return lock;
}

std::string npm_lock_folder(std::string_view text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return hex_encode(digest, 16);
}

}  // namespace millrace::packages
