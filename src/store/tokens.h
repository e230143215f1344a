// API tokens, stored only as SHA-256 hashes with a 10-character display prefix.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace millrace::store {

class Connection;

struct TokenRecord {
  std::string hash;  // lowercase hex SHA-256 of the token
  std::string prefix;
  std::string email;
  std::optional<std::string> label;
  std::optional<EpochMs> expiration;
  std::optional<std::string> scopes_json;  // JSON array of scope strings, or null
  std::optional<std::string> workspace_id;
  bool super_admin = false;
  bool read_only = false;  // may only read: mutating and run routes answer 403
  EpochMs created_at = 0;
  EpochMs last_used_at = 0;
};

Status insert_token(Connection& c, const TokenRecord& t);
Result<std::optional<TokenRecord>> find_token(Connection& c, const std::string& hash);
Status touch_token(Connection& c, const std::string& hash, EpochMs now);
Result<std::vector<TokenRecord>> list_tokens(Connection& c, const std::string& email,
                                             bool exclude_sessions);
// Deletes the caller's tokens whose prefix matches; returns the hashes deleted.
Result<std::vector<std::string>> delete_tokens_by_prefix(Connection& c, const std::string& email,
                                                         const std::string& prefix);
Status delete_token(Connection& c, const std::string& hash);

}  // namespace millrace::store
