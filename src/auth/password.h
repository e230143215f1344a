// Password hashing: argon2id (libsodium's crypto_pwhash_str, interactive limits).
#pragma once

#include <optional>
#include <string>

namespace millrace::auth {

std::optional<std::string> hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);

}  // namespace millrace::auth
