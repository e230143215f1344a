// Authenticated encryption of small values (secrets, wrapped keys): XChaCha20-Poly1305 from
// libsodium, a fresh random 24-byte nonce per value, and associated data that binds a sealed
// value to what it is (a workspace's key, a workspace's secret), so a value copied to another
// place does not open there. Sealed form: base64 of nonce ‖ ciphertext ‖ tag. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace millrace::secrets {

constexpr size_t kKeyBytes = 32;

// kKeyBytes random bytes.
std::string generate_key();
std::string seal(std::string_view key, std::string_view plaintext, std::string_view context);
// nullopt when `sealed` is malformed, or was sealed with another key or context.
std::optional<std::string> open(std::string_view key, std::string_view sealed,
                                std::string_view context);

}  // namespace millrace::secrets
