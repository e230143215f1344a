#include "cli/rotate_key.h"

#include <cstdio>

#include "secrets/vault.h"
#include "store/database.h"

namespace millrace::cli {

secrets::MasterKeySource master_key_source(const Config& config) {
  return {config.master_key, config.master_key_file.empty() ? config.data_dir + "/master.key"
                                                            : config.master_key_file};
}

int rotate_key(const Config& config) {
  auto db = store::Database::open(
      config.database_url.empty() ? config.data_dir + "/millrace.db" : config.database_url, 1);
  if (!db) {
    fprintf(stderr, "millrace rotate-key: %s\n", db.error().message.c_str());
    return 1;
  }
  const auto source = master_key_source(config);
  auto rotated = secrets::rotate_master_key(**db, source);
  if (!rotated) {
    fprintf(stderr, "millrace rotate-key: %s\n", rotated.error().message.c_str());
    return 1;
  }
  if (rotated->empty()) {
    printf("rotated the master key: every workspace key is sealed with the new key, now in %s\n",
           source.file.c_str());
  } else {
    printf(
        "rotated the master key: every workspace key is sealed with this new key, shown once.\n"
        "Set MILLRACE_MASTER_KEY to it before the next start (the old key no longer opens "
        "anything):\n%s\n",
        rotated->c_str());
  }
  return 0;
}

}  // namespace millrace::cli
