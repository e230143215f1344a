// First start: the superadmin, the `admins` workspace, and the server's own secrets.
#pragma once

#include <string>

#include "common/config.h"
#include "common/error.h"

namespace millrace::store {
class Database;
}

namespace millrace::cli {

struct BootstrapResult {
  bool created_admin = false;
  std::string admin_password;  // set only when it was just created (printed once)
  std::string job_token_secret;
};

Result<BootstrapResult> bootstrap(store::Database& db, const Config& config);

}  // namespace millrace::cli
