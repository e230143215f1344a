// API tokens: made for a caller (the token is shown that once; only its hash is kept), listed
// by prefix, deleted; and sessions, the tokens a password login opens. This service owns their
// rows, the audit row of each change, and the authenticator's cache of deleted tokens. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/tokens.h"
#include "store/users.h"

namespace millrace::auth {
struct Identity;
class Authenticator;
}  // namespace millrace::auth
namespace millrace::store {
class Database;
}

namespace millrace::service {

struct NewToken {
  std::optional<std::string> label;
  std::optional<EpochMs> expiration;
  bool read_only = false;
  // Absent or empty: the creator's full rights (kept as given: `[]` is listed as `[]`).
  std::optional<std::vector<std::string>> scopes;
  std::optional<std::string> workspace_id;
};

class Tokens {
 public:
  Tokens(store::Database& db, const Clock& clock, auth::Authenticator& auth)
      : db_(db), clock_(clock), auth_(auth) {}

  // A new token of `who`'s; answers it. 403 when it would grant a scope `who` lacks (a scoped
  // token cannot mint a broader one), 400 when its workspace does not exist.
  Result<std::string> create(const auth::Identity& who, const NewToken& t);
  // The tokens of `email` (sessions too, unless `exclude_sessions`).
  Result<std::vector<store::TokenRecord>> list(const std::string& email, bool exclude_sessions);
  // Deletes `who`'s tokens whose prefix is `prefix`; answers how many. 404 when none.
  Result<size_t> remove(const auth::Identity& who, const std::string& prefix);

  // The session of `user`, whose password was right: a token valid `validity_s`, and the
  // `users.login` audit row. Answers the token.
  Result<std::string> open_session(const store::UserRecord& user, int64_t validity_s);
  // Ends the session whose token hashes to `token_hash`; any other token is left alone (API
  // tokens are deleted explicitly).
  void end_session(const std::string& token_hash);

 private:
  store::Database& db_;
  const Clock& clock_;
  auth::Authenticator& auth_;
};

}  // namespace millrace::service
