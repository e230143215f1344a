#include "cli/backup.h"

#include <cstdio>

#include "store/backup.h"

namespace millrace::cli {

int backup(const Config& config) {
  const std::string source = config.data_dir + "/millrace.db";
  auto pages = store::backup_sqlite(source, config.backup_file);
  if (!pages) {
    fprintf(stderr, "millrace backup: %s\n", pages.error().message.c_str());
    return 1;
  }
  printf(
      "backed up %s to %s (%lld pages)\n"
      "to restore: stop the server, then copy the file to <data folder>/millrace.db\n"
      "keep the master key (<data folder>/master.key or MILLRACE_MASTER_KEY) with it: the "
      "secrets in the copy open only with that key\n",
      source.c_str(), config.backup_file.c_str(), static_cast<long long>(*pages));
  return 0;
}

}  // namespace millrace::cli
