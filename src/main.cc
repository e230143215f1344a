// millrace: every saved script becomes an async and a sync webhook.
#include <cstdio>
#include <string>

#include "cli/backup.h"
#include "cli/cache_prune.h"
#include "cli/rotate_key.h"
#include "cli/serve.h"
#include "common/config.h"

int main(int argc, char** argv) {
  millrace::Config config;
  std::string message;
  int exit_code = 0;
  if (!millrace::parse_config(argc, argv, config, message, exit_code)) {
    fputs(message.c_str(), exit_code ? stderr : stdout);
    return exit_code;
  }
  if (config.command == "backup") return millrace::cli::backup(config);
  if (config.command == "rotate-key") return millrace::cli::rotate_key(config);
  if (config.command == "cache") return millrace::cli::cache_prune(config);
  return millrace::cli::serve(config);
}
