#include "store/tokens.h"

#include "store/rows.h"

namespace millrace::store {
namespace {

constexpr const char* kColumns =
    "hash, prefix, email, label, expiration, scopes, workspace_id, super_admin, read_only, "
    "created_at, last_used_at";

TokenRecord read_token(Statement& s) {
  TokenRecord t;
  t.hash = s.text(0);
  t.prefix = s.text(1);
  t.email = s.text(2);
  t.label = s.optional_text(3);
  t.expiration = s.optional_int64(4);
  t.scopes_json = s.optional_text(5);
  t.workspace_id = s.optional_text(6);
  t.super_admin = s.int64(7) != 0;
  t.read_only = s.int64(8) != 0;
  t.created_at = s.int64(9);
  t.last_used_at = s.int64(10);
  return t;
}

}  // namespace

Status insert_token(Connection& c, const TokenRecord& t) {
  auto s = c.prepare(std::string("INSERT INTO token (") + kColumns +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, t.hash).bind(2, t.prefix).bind(3, t.email).bind(4, t.label).bind(5, t.expiration);
  s.bind(6, t.scopes_json).bind(7, t.workspace_id).bind(8, t.super_admin).bind(9, t.read_only);
  s.bind(10, t.created_at).bind(11, t.last_used_at);
  return s.run();
}

Result<std::optional<TokenRecord>> find_token(Connection& c, const std::string& hash) {
  auto s = c.prepare(std::string("SELECT ") + kColumns + " FROM token WHERE hash = ?");
  s.bind(1, hash);
  std::optional<TokenRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_token(r); }));
  return out;
}

Status touch_token(Connection& c, const std::string& hash, EpochMs now) {
  auto s = c.prepare("UPDATE token SET last_used_at = ? WHERE hash = ?");
  s.bind(1, now).bind(2, hash);
  return s.run();
}

Result<std::vector<TokenRecord>> list_tokens(Connection& c, const std::string& email,
                                             bool exclude_sessions) {
  auto s = c.prepare(std::string("SELECT ") + kColumns +
                     " FROM token WHERE email = ? AND (? = 0 OR coalesce(label, '') <> 'session')"
                     " ORDER BY created_at DESC");
  s.bind(1, email).bind(2, exclude_sessions);
  std::vector<TokenRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_token(r)); }));
  return out;
}

Result<std::vector<std::string>> delete_tokens_by_prefix(Connection& c, const std::string& email,
                                                         const std::string& prefix) {
  std::vector<std::string> hashes;
  {
    auto s = c.prepare("SELECT hash FROM token WHERE email = ? AND prefix = ?");
    s.bind(1, email).bind(2, prefix);
    MR_TRY(for_each_row(s, [&](Statement& r) { hashes.push_back(r.text(0)); }));
  }
  auto d = c.prepare("DELETE FROM token WHERE email = ? AND prefix = ?");
  d.bind(1, email).bind(2, prefix);
  MR_TRY(d.run());
  return hashes;
}

Status delete_token(Connection& c, const std::string& hash) {
  auto s = c.prepare("DELETE FROM token WHERE hash = ?");
  s.bind(1, hash);
  return s.run();
}

}  // namespace millrace::store
