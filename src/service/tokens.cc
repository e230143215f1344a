#include "service/tokens.h"

#include <nlohmann/json.hpp>

#include "auth/authenticator.h"
#include "auth/identity.h"
#include "auth/scopes.h"
#include "auth/token.h"
#include "service/audit_entry.h"
#include "store/database.h"
#include "store/users.h"

namespace millrace::service {
namespace {

using nlohmann::json;

// A scoped caller may only hand out scopes it holds itself (so a webhook token cannot mint a
// full-rights token).
bool within_caller(const auth::Identity& who, const std::vector<std::string>& wanted) {
  if (auth::is_unscoped(who.scopes)) return true;
  if (auth::is_unscoped(wanted)) return false;
  for (const auto& w : wanted) {
    bool held = false;
    for (const auto& h : who.scopes) held = held || h == w || h == "*";
    if (!held) return false;
  }
  return true;
}

// A login's or a logout's row in the instance's audit log.
store::AuditRecord session_audit(const char* operation, const char* kind, const std::string& email,
                                 const std::string& username, const std::string& prefix,
                                 EpochMs now) {
  store::AuditRecord audit;
  audit.workspace_id = "global";
  audit.timestamp = now;
  audit.username = username;
  audit.email = email;
  audit.operation = operation;
  audit.action_kind = kind;
  audit.resource = email;
  audit.token_prefix = prefix;
  return audit;
}

}  // namespace

Result<std::string> Tokens::create(const auth::Identity& who, const NewToken& wanted) {
  const std::vector<std::string> scopes = wanted.scopes.value_or(std::vector<std::string>{});
  if (!within_caller(who, scopes)) {
    return Error::permission_denied("a token cannot grant scopes its creator lacks");
  }
  const EpochMs now = clock_.now_ms();
  std::string token = auth::generate_token();
  store::TokenRecord t;
  t.hash = auth::hash_token(token);
  t.prefix = auth::token_prefix(token);
  t.email = who.email;
  t.super_admin = who.super_admin;
  t.created_at = now;
  t.last_used_at = now;
  t.label = wanted.label;
  t.expiration = wanted.expiration;
  t.read_only = wanted.read_only;
  if (wanted.scopes) t.scopes_json = json(scopes).dump();
  t.workspace_id = wanted.workspace_id;
  auto audit = audit_row(
      clock_, who, t.workspace_id.value_or("global"),
      {"users.token.create", "Create", t.prefix,
       json{{"label", t.label ? json(*t.label) : json(nullptr)}, {"scopes", scopes}}.dump()});
  Status s = db_.write_sync([&](store::Connection& c) -> Status {
    if (t.workspace_id) {
      auto ws = store::find_workspace(c, *t.workspace_id);
      if (!ws) return ws.error();
      if (!*ws) return Error::bad_request("workspace " + *t.workspace_id + " does not exist");
    }
    MR_TRY(store::insert_token(c, t));
    return store::insert_audit(c, audit);
  });
  if (!s) return s.error();
  return token;
}

Result<std::vector<store::TokenRecord>> Tokens::list(const std::string& email,
                                                     bool exclude_sessions) {
  return db_.read(
      [&](store::Connection& c) { return store::list_tokens(c, email, exclude_sessions); });
}

Result<size_t> Tokens::remove(const auth::Identity& who, const std::string& prefix) {
  auto audit =
      audit_row(clock_, who, "global", {"users.token.delete", "Delete", prefix, std::nullopt});
  std::vector<std::string> deleted;
  Status s = db_.write_sync([&](store::Connection& c) -> Status {
    auto hashes = store::delete_tokens_by_prefix(c, who.email, prefix);
    if (!hashes) return hashes.error();
    deleted = *hashes;
    if (deleted.empty()) return Error::not_found("token not found at prefix " + prefix);
    return store::insert_audit(c, audit);
  });
  if (!s) return s.error();
  auth_.forget_tokens(deleted);
  return deleted.size();
}

Result<std::string> Tokens::open_session(const store::UserRecord& user, int64_t validity_s) {
  std::string token = auth::generate_token();
  const EpochMs now = clock_.now_ms();
  store::TokenRecord t;
  t.hash = auth::hash_token(token);
  t.prefix = auth::token_prefix(token);
  t.email = user.email;
  t.label = "session";
  t.expiration = now + validity_s * 1000;
  t.super_admin = user.super_admin;
  t.created_at = now;
  t.last_used_at = now;
  // Logged in, not yet anyone in a workspace: the row names the user as the login found them.
  store::AuditRecord audit =
      session_audit("users.login", "Create", user.email, user.username, t.prefix, now);
  Status s = db_.write_sync([&](store::Connection& c) -> Status {
    MR_TRY(store::insert_token(c, t));
    return store::insert_audit(c, audit);
  });
  if (!s) return s.error();
  return token;
}

void Tokens::end_session(const std::string& token_hash) {
  auto found = db_.read([&](store::Connection& c) { return store::find_token(c, token_hash); });
  if (!found || !*found || (*found)->label != std::string("session")) return;
  const store::TokenRecord& t = **found;
  // Logged out: the instance-wide audit says who, as the login did.
  store::AuditRecord audit =
      session_audit("users.logout", "Delete", t.email, t.email, t.prefix, clock_.now_ms());
  Status deleted = db_.write_sync([&](store::Connection& c) -> Status {
    auto user = store::find_user(c, t.email);
    if (user && *user) audit.username = (*user)->username;
    MR_TRY(store::delete_token(c, token_hash));
    return store::insert_audit(c, audit);
  });
  (void)deleted;  // not deleted: it expires all the same, and is forgotten here now
  auth_.forget_tokens({token_hash});
}

}  // namespace millrace::service
