#include "secrets/cipher.h"

#include <sodium.h>

#include "common/base64.h"
#include "common/random.h"

namespace millrace::secrets {
namespace {

constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string generate_key() {
  std::string key(kKeyBytes, '\0');
  random_bytes(key.data(), key.size());
  return key;
}

std::string seal(std::string_view key, std::string_view plaintext, std::string_view context) {
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  random_bytes(nonce, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &written, bytes(plaintext),
                                             plaintext.size(), bytes(context), context.size(),
                                             nullptr, nonce, bytes(key));
  out.resize(kNonceBytes + written);
  return base64_encode(out);
}

std::optional<std::string> open(std::string_view key, std::string_view sealed,
                                std::string_view context) {
  if (key.size() != kKeyBytes || sodium_init() < 0) return std::nullopt;
  auto raw = base64_decode(sealed);
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return std::nullopt;
  std::string_view box = std::string_view(*raw).substr(kNonceBytes);
  std::string out(box.size() - kTagBytes, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &written, nullptr, bytes(box), box.size(),
          bytes(context), context.size(), bytes(*raw), bytes(key)) != 0) {
    return std::nullopt;
  }
  out.resize(written);
  return out;
}

}  // namespace millrace::secrets
