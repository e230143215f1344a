#include "api/address_allow_list.h"

#include <arpa/inet.h>

#include <cstring>

#include "common/strings.h"

namespace millrace::api {
namespace {

// Parses one address into 16 bytes (IPv4 in the first 4); an IPv4-mapped IPv6 address is
// taken as its IPv4 address.
bool parse_address(const std::string& text, std::array<uint8_t, 16>& out, bool& v6) {
  out.fill(0);
  if (inet_pton(AF_INET, text.c_str(), out.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), out.data()) != 1) return false;
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (memcmp(out.data(), kMapped, 12) == 0) {
    memmove(out.data(), out.data() + 12, 4);
    memset(out.data() + 4, 0, 12);
    v6 = false;
    return true;
  }
  v6 = true;
  return true;
}

bool same_prefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  int whole = bits / 8;
  if (memcmp(a.data(), b.data(), static_cast<size_t>(whole)) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

Result<AddressAllowList> AddressAllowList::parse(std::string_view list) {
  AddressAllowList out;
  for (auto& raw : split(list, ',')) {
    std::string entry(trim(raw));
    if (entry.empty()) continue;
    Range r;
    std::string address = entry;
    int max_bits = 0;
    size_t slash = entry.find('/');
    if (slash != std::string::npos) address = entry.substr(0, slash);
    if (!parse_address(address, r.bytes, r.v6)) {
      return Error::of(ErrorKind::Invalid, "not an address or a CIDR range: " + entry);
    }
    max_bits = r.v6 ? 128 : 32;
    r.prefix_bits = max_bits;
    if (slash != std::string::npos) {
      std::string bits = entry.substr(slash + 1);
      if (bits.empty() || bits.size() > 3 ||
          bits.find_first_not_of("0123456789") != std::string::npos || std::stoi(bits) > max_bits) {
        return Error::of(ErrorKind::Invalid, "not an address or a CIDR range: " + entry);
      }
      r.prefix_bits = std::stoi(bits);
    }
    out.ranges_.push_back(r);
  }
  return out;
}

bool AddressAllowList::allows(std::string_view address) const {
  std::array<uint8_t, 16> bytes;
  bool v6 = false;
  if (!parse_address(std::string(address), bytes, v6)) return false;
  for (const auto& r : ranges_) {
    if (r.v6 == v6 && same_prefix(bytes, r.bytes, r.prefix_bits)) return true;
  }
  return false;
}

}  // namespace millrace::api
