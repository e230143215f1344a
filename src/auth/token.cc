#include "auth/token.h"

#include <sodium.h>

#include "common/base64.h"
#include "common/random.h"
#include "common/strings.h"

namespace millrace::auth {
namespace {

std::string base64url(std::string_view in) {
  std::string s = base64_encode(in);
  for (auto& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::string hmac(std::string_view data, std::string_view secret) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return std::string(reinterpret_cast<char*>(mac), sizeof mac);
}

// Payload fields are joined by newlines; none of them may contain one.
bool has_newline(const JobTokenClaims& c) {
  for (const auto* s : {&c.job_id, &c.workspace_id, &c.email, &c.username}) {
    if (s->find('\n') != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string generate_token() {
  return random_alphanumeric(kTokenLength);
}

std::string hash_token(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return hex_encode(digest, sizeof digest);
}

std::string token_prefix(std::string_view token) {
  return std::string(token.substr(0, kTokenPrefixLength));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sign_job_token(const JobTokenClaims& c, std::string_view secret) {
  if (has_newline(c)) return {};
  std::string payload = "1\n" + c.job_id + "\n" + c.workspace_id + "\n" + c.email + "\n" +
                        c.username + "\n" + std::to_string(c.expires_ms);
  std::string body = base64url(payload);
  return "jwt_" + body + "." + base64url(hmac(body, secret));
}

bool verify_job_token(std::string_view token, std::string_view secret, JobTokenClaims& out) {
  if (!starts_with(token, "jwt_")) return false;
  token.remove_prefix(4);
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return false;
  std::string_view body = token.substr(0, dot);
  std::string_view sig = token.substr(dot + 1);
  if (!constant_time_equal(sig, base64url(hmac(body, secret)))) return false;
  auto payload = base64_decode(body);
  if (!payload) return false;
  auto parts = split(*payload, '\n');
  if (parts.size() != 6 || parts[0] != "1") return false;
  out.job_id = parts[1];
  out.workspace_id = parts[2];
  out.email = parts[3];
  out.username = parts[4];
  try {
    out.expires_ms = std::stoll(parts[5]);
  } catch (...) {
    return false;
  }
  return true;
}

std::string resume_signature(std::string_view workspace, std::string_view job_id,
                             long long resume_id, std::string_view approver,
                             std::string_view secret) {
  // A purpose prefix keeps these signatures apart from job tokens made with the same secret;
  // the workspace keeps a URL made in one workspace from answering in another.
  std::string data = "resume\n" + std::string(workspace) + "\n" + std::string(job_id) + "\n" +
                     std::to_string(resume_id) + "\n" + std::string(approver);
  std::string mac = hmac(data, secret);
  return hex_encode(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

}  // namespace millrace::auth
