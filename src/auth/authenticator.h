// Resolves token values to identities. Tokens are looked up by hash and cached in memory for
// kCacheSeconds; deleting a token evicts it at once. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/identity.h"
#include "auth/token.h"
#include "common/clock.h"
#include "common/error.h"

namespace millrace::store {
class Database;
}

namespace millrace::auth {

class Authenticator {
 public:
  static constexpr int64_t kCacheSeconds = 120;

  Authenticator(store::Database& db, const Clock& clock, std::string superadmin_secret,
                std::string job_token_secret);

  // `workspace` is the workspace in the URL, or nullopt on a global route. Fails with 401
  // `Not authorized: Unauthorized` for an unknown, expired or elsewhere-bound token, and for
  // a user who is not a member of the workspace (superadmins excepted). A job's token (WM_TOKEN)
  // holds only while its job is queued or running, in the job's workspace, with the rights its
  // user has there (never a superadmin's).
  Result<Identity> authenticate(const std::string& token,
                                const std::optional<std::string>& workspace);

  std::string issue_job_token(const JobTokenClaims& claims) const;
  // Who a job acts as inside its workspace (the rights its user has there, as its WM_TOKEN
  // gets them): for what the server does on the job's behalf before it starts.
  Result<Identity> job_identity(const std::string& email, const std::string& username,
                                const std::string& workspace, const std::string& job_id);
  // A member of `workspace` by email, with the rights they have there, as no token narrows
  // them: whom an HTTP route's job runs as (its owner). 401 when they are no longer a member.
  Result<Identity> member_identity(const std::string& email, const std::string& workspace);
  // The signature in the resume and cancel URLs of a suspended flow step.
  std::string resume_signature(const std::string& workspace, const std::string& job_id,
                               long long resume_id, const std::string& approver) const;
  void forget_tokens(const std::vector<std::string>& hashes);
  void forget_member(const std::string& workspace, const std::string& email);

 private:
  struct CachedToken;
  struct CachedMember;
  Result<std::shared_ptr<const CachedToken>> lookup_token(const std::string& token, EpochMs now);
  Status narrow_to_workspace(Identity& id, const std::string& workspace, EpochMs now);

  store::Database& db_;
  const Clock& clock_;
  std::string superadmin_secret_;
  std::string job_token_secret_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CachedToken>> tokens_;
  std::unordered_map<std::string, std::shared_ptr<const CachedMember>> members_;
  // member_identity: whether a user is a superadmin, and when that was read.
  std::unordered_map<std::string, std::pair<bool, EpochMs>> super_admins_;
};

}  // namespace millrace::auth
