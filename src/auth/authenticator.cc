#include "auth/authenticator.h"

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "store/database.h"
#include "store/jobs.h"
#include "store/tokens.h"
#include "store/users.h"

namespace millrace::auth {

struct Authenticator::CachedToken {
  store::TokenRecord token;
  store::UserRecord user;
  std::vector<std::string> scopes;
  EpochMs cached_at;
};

struct Authenticator::CachedMember {
  std::optional<store::MemberRecord> member;
  EpochMs cached_at;
};

namespace {
const Error kUnauthorized = Error::unauthorized("Unauthorized");
}

std::string Identity::display_name() const {
  if (!token_label || token_label->empty()) return username;
  const std::string& l = *token_label;
  for (const char* p : {"webhook-", "ephemeral-webhook-", "http-", "email-", "ws-"}) {
    if (starts_with(l, p)) return l;
  }
  if (l == "session" || l == "ephemeral-script") return username;
  return "label-" + l;
}

Authenticator::Authenticator(store::Database& db, const Clock& clock, std::string superadmin_secret,
                             std::string job_token_secret)
    : db_(db),
      clock_(clock),
      superadmin_secret_(std::move(superadmin_secret)),
      job_token_secret_(std::move(job_token_secret)) {}

std::string Authenticator::issue_job_token(const JobTokenClaims& claims) const {
  return sign_job_token(claims, job_token_secret_);
}

std::string Authenticator::resume_signature(const std::string& workspace, const std::string& job_id,
                                            long long resume_id,
                                            const std::string& approver) const {
  return auth::resume_signature(workspace, job_id, resume_id, approver, job_token_secret_);
}

void Authenticator::forget_tokens(const std::vector<std::string>& hashes) {
  std::lock_guard lock(mutex_);
  for (const auto& h : hashes) tokens_.erase(h);
}

void Authenticator::forget_member(const std::string& workspace, const std::string& email) {
  std::lock_guard lock(mutex_);
  members_.erase(workspace + '\n' + email);
}

Result<std::shared_ptr<const Authenticator::CachedToken>> Authenticator::lookup_token(
    const std::string& token, EpochMs now) {
  std::string hash = hash_token(token);
  {
    std::lock_guard lock(mutex_);
    auto it = tokens_.find(hash);
    if (it != tokens_.end() && now - it->second->cached_at < kCacheSeconds * 1000) {
      return it->second;
    }
  }
  auto found = db_.read([&](store::Connection& c) { return store::find_token(c, hash); });
  if (!found) return found.error();
  // The lookup is by hash; comparing the stored hash again in constant time keeps the final
  // decision free of timing differences whatever the index does.
  if (!*found || !constant_time_equal((*found)->hash, hash)) return kUnauthorized;
  auto user = db_.read([&](store::Connection& c) { return store::find_user(c, (*found)->email); });
  if (!user) return user.error();
  if (!*user) return kUnauthorized;
  auto entry = std::make_shared<CachedToken>();
  entry->token = **found;
  entry->user = **user;
  entry->cached_at = now;
  if (entry->token.scopes_json) {
    auto parsed = nlohmann::json::parse(*entry->token.scopes_json, nullptr, false);
    if (parsed.is_array()) {
      for (const auto& s : parsed) {
        if (s.is_string()) entry->scopes.push_back(s.get<std::string>());
      }
    }
  }
  db_.write([hash, now](store::Connection& c) { return store::touch_token(c, hash, now); }, {});
  std::lock_guard lock(mutex_);
  tokens_[hash] = entry;
  return std::shared_ptr<const CachedToken>(entry);
}

Result<Identity> Authenticator::job_identity(const std::string& email, const std::string& username,
                                             const std::string& workspace,
                                             const std::string& job_id) {
  Identity id;
  id.email = email;
  id.username = username;
  id.bound_workspace = workspace;
  id.job_id = job_id;
  id.token_label = "ephemeral-script";
  if (auto s = narrow_to_workspace(id, workspace, clock_.now_ms()); !s) return s.error();
  return id;
}

Result<Identity> Authenticator::member_identity(const std::string& email,
                                                const std::string& workspace) {
  Identity id;
  id.email = email;
  const EpochMs now = clock_.now_ms();
  std::optional<bool> super_admin;
  {
    std::lock_guard lock(mutex_);
    auto it = super_admins_.find(email);
    if (it != super_admins_.end() && now - it->second.second < kCacheSeconds * 1000) {
      super_admin = it->second.first;
    }
  }
  if (!super_admin) {
    // Read once a while per user: an HTTP route's every call asks.
    auto user = db_.read([&](store::Connection& c) { return store::find_user(c, email); });
    if (!user) return user.error();
    if (!*user) return kUnauthorized;
    super_admin = (*user)->super_admin;
    std::lock_guard lock(mutex_);
    super_admins_[email] = {*super_admin, now};
  }
  id.super_admin = *super_admin;
  if (auto s = narrow_to_workspace(id, workspace, now); !s) return s.error();
  return id;
}

Status Authenticator::narrow_to_workspace(Identity& id, const std::string& workspace, EpochMs now) {
  if (id.bound_workspace && *id.bound_workspace != workspace) return kUnauthorized;
  std::string key = workspace + '\n' + id.email;
  std::shared_ptr<const CachedMember> entry;
  {
    std::lock_guard lock(mutex_);
    auto it = members_.find(key);
    if (it != members_.end() && now - it->second->cached_at < kCacheSeconds * 1000) {
      entry = it->second;
    }
  }
  if (!entry) {
    auto m =
        db_.read([&](store::Connection& c) { return store::find_member(c, workspace, id.email); });
    if (!m) return m.error();
    auto fresh = std::make_shared<CachedMember>();
    fresh->member = *m;
    fresh->cached_at = now;
    std::lock_guard lock(mutex_);
    members_[key] = fresh;
    entry = fresh;
  }
  if (entry->member) {
    id.username = entry->member->username;
    id.is_admin = entry->member->is_admin || id.super_admin;
    id.is_operator = entry->member->is_operator;
    return Status::ok();
  }
  if (!id.super_admin) return kUnauthorized;
  // A superadmin who is not a member acts as an admin under their email (as Windmill does).
  id.username = id.email;
  id.is_admin = true;
  return Status::ok();
}

Result<Identity> Authenticator::authenticate(const std::string& token,
                                             const std::optional<std::string>& workspace) {
  EpochMs now = clock_.now_ms();
  Identity id;
  JobTokenClaims claims;
  if (starts_with(token, "jwt_")) {
    if (!verify_job_token(token, job_token_secret_, claims) || claims.expires_ms < now) {
      return kUnauthorized;
    }
    // A job's token ends with its job.
    auto running =
        db_.read([&](store::Connection& c) { return store::job_in_queue(c, claims.job_id); });
    if (!running) return running.error();
    if (!*running) return kUnauthorized;
    id.email = claims.email;
    id.username = claims.username;
    id.bound_workspace = claims.workspace_id;
    id.job_id = claims.job_id;
    id.token_label = "ephemeral-script";
    id.token_prefix = token_prefix(token);
  } else if (!superadmin_secret_.empty() && constant_time_equal(token, superadmin_secret_)) {
    id.email = "superadmin@windmill.dev";
    id.username = "superadmin_secret";
    id.super_admin = true;
    id.is_admin = true;
    id.token_prefix = token_prefix(token);
    return id;  // not a user row: no membership to resolve
  } else {
    if (token.empty() || token.size() > 512) return kUnauthorized;
    auto cached = lookup_token(token, now);
    if (!cached) return cached.error();
    const auto& t = (*cached)->token;
    if (t.expiration && *t.expiration <= now) return kUnauthorized;
    const auto& u = (*cached)->user;
    id.email = u.email;
    id.username = u.username;
    id.super_admin = u.super_admin;
    id.scopes = (*cached)->scopes;
    id.read_only = t.read_only;
    id.bound_workspace = t.workspace_id;
    id.token_label = t.label;
    id.token_prefix = t.prefix;
    id.token_hash = t.hash;
  }
  if (!workspace) {
    // Workspace-bound tokens stay in it; a job's token also reads the global routes of its
    // user (whoami: Windmill's clients ask it), and only reads them (request_auth.cc).
    if (id.bound_workspace && !id.job_id) return kUnauthorized;
    id.is_admin = id.super_admin;
    return id;
  }
  if (auto s = narrow_to_workspace(id, *workspace, now); !s) return s.error();
  return id;
}

}  // namespace millrace::auth
