// Token values: issued random, kept only as hashes, compared in constant time.
#pragma once

#include <string>
#include <string_view>

namespace millrace::auth {

// 32 characters of [A-Za-z0-9]: 32 × log2(62) ≈ 190.5 bits of randomness.
constexpr size_t kTokenLength = 32;
constexpr size_t kTokenPrefixLength = 10;

std::string generate_token();
// Lowercase hex SHA-256: the only form of a token that is stored.
std::string hash_token(std::string_view token);
std::string token_prefix(std::string_view token);
bool constant_time_equal(std::string_view a, std::string_view b);

// Job tokens (WM_TOKEN): stateless, signed with a server secret, valid until `expires_ms`.
// Form: jwt_<base64url payload>.<base64url HMAC-SHA256>.
struct JobTokenClaims {
  std::string job_id;
  std::string workspace_id;
  std::string email;
  std::string username;
  long long expires_ms = 0;
};
std::string sign_job_token(const JobTokenClaims& claims, std::string_view secret);
// False when the signature or the form is wrong (expiry is the caller's check).
bool verify_job_token(std::string_view token, std::string_view secret, JobTokenClaims& out);

// The signature of a resume or cancel URL of a suspended flow step (lowercase hex HMAC-SHA256 of
// the workspace, the step's job id, the resume id and the approver), as Windmill's resume_urls
// give.
std::string resume_signature(std::string_view workspace, std::string_view job_id,
                             long long resume_id, std::string_view approver,
                             std::string_view secret);

}  // namespace millrace::auth
