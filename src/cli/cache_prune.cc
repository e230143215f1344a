#include "cli/cache_prune.h"

#include <cstdio>

#include "packages/package_cache.h"
#include "store/database.h"
#include "store/scripts.h"

namespace millrace::cli {

std::string package_cache_dir(const Config& config) {
  return config.package_cache_dir.empty() ? config.data_dir + "/cache" : config.package_cache_dir;
}

int cache_prune(const Config& config) {
  auto db = store::Database::open(
      config.database_url.empty() ? config.data_dir + "/millrace.db" : config.database_url, 1);
  if (!db) {
    fprintf(stderr, "millrace cache prune: %s\n", db.error().message.c_str());
    return 1;
  }
  auto locks = (*db)->read([](store::Connection& c) { return store::live_script_locks(c); });
  if (!locks) {
    fprintf(stderr, "millrace cache prune: %s\n", locks.error().message.c_str());
    return 1;
  }
  const std::string root = package_cache_dir(config);
  auto report = packages::prune_packages(root, *locks);
  if (!report) {
    fprintf(stderr, "millrace cache prune: %s\n", report.error().message.c_str());
    return 1;
  }
  printf("removed %zu package folders (%.1f MB) from %s; kept %zu that saved scripts use\n",
         report->removed, static_cast<double>(report->bytes) / 1e6, root.c_str(), report->kept);
  return 0;
}

}  // namespace millrace::cli
