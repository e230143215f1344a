#include "common/uuid.h"

#include <cctype>
#include <cstdint>

#include "common/random.h"

namespace millrace {

std::string new_uuid_v7(EpochMs now) {
  UuidBytes b;
  random_bytes(b.data(), b.size());
  uint64_t ms = static_cast<uint64_t>(now);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  b[6] = static_cast<uint8_t>(0x70 | (b[6] & 0x0f));
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3f));
  return uuid_text(b);
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

std::string lowercase_uuid(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<UuidBytes> uuid_bytes(std::string_view s) {
  if (!is_uuid(s)) return std::nullopt;
  auto nibble = [](char c) {
    return static_cast<uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  };
  UuidBytes out{};
  size_t j = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-') continue;
    out[j / 2] = static_cast<uint8_t>(out[j / 2] | (nibble(s[i]) << (j % 2 ? 0 : 4)));
    ++j;
  }
  return out;
}

std::string uuid_text(const UuidBytes& b) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

size_t UuidBytesHash::operator()(const UuidBytes& b) const {
  // Version-7 ids start with a timestamp: mix in the random tail.
  uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) hi = (hi << 8) | b[i];
  for (int i = 8; i < 16; ++i) lo = (lo << 8) | b[i];
  return static_cast<size_t>(lo ^ (hi * 0x9E3779B97F4A7C15ull));
}

}  // namespace millrace
