#include "cli/bootstrap.h"

#include "auth/password.h"
#include "common/clock.h"
#include "common/random.h"
#include "store/database.h"
#include "store/users.h"

namespace millrace::cli {

Result<BootstrapResult> bootstrap(store::Database& db, const Config& config) {
  BootstrapResult out;
  EpochMs now = now_ms();
  std::string candidate_secret = random_alphanumeric(48);
  std::string password =
      config.admin_password.empty() ? random_alphanumeric(20) : config.admin_password;
  std::optional<std::string> hash;
  // Hashing is slow on purpose: do it only when the admin does not exist yet.
  auto users = db.read([](store::Connection& c) { return store::count_users(c); });
  if (!users) return users.error();
  if (*users == 0) {
    hash = auth::hash_password(password);
    if (!hash) return Error::internal("cannot hash the admin password");
  }
  Status s = db.write_sync([&](store::Connection& c) -> Status {
    if (auto st = store::insert_server_secret(c, "job_token_secret", candidate_secret); !st)
      return st;
    auto secret = store::find_server_secret(c, "job_token_secret");
    if (!secret) return secret.error();
    out.job_token_secret = secret->value_or(candidate_secret);
    if (!hash) return Status::ok();
    store::UserRecord admin{"admin@windmill.dev", "admin",      *hash, true,
                            std::string("Admin"), std::nullopt, now};
    if (auto st = store::insert_user(c, admin); !st) return st;
    if (auto st = store::insert_workspace(c, {"admins", "Admins", admin.email, now}); !st)
      return st;
    if (auto st = store::insert_member(c, {"admins", admin.email, "admin", true, false, now});
        !st) {
      return st;
    }
    out.created_admin = true;
    out.admin_password = password;
    return Status::ok();
  });
  if (!s) return s.error();
  return out;
}

}  // namespace millrace::cli
