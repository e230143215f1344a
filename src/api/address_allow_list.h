// Which client addresses may read a route without a token (METRICS_ALLOW): single addresses
// and CIDR ranges, IPv4 and IPv6. An IPv4 client seen as an IPv4-mapped IPv6 address
// (::ffff:10.1.2.3) matches the IPv4 entries.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace millrace::api {

class AddressAllowList {
 public:
  // "127.0.0.1, 10.0.0.0/8, ::1" (commas, spaces allowed). Empty: allows no one. 400-kind
  // error naming the entry that is neither an address nor a range.
  static Result<AddressAllowList> parse(std::string_view list);
  bool allows(std::string_view address) const;
  bool empty() const { return ranges_.empty(); }

 private:
  struct Range {
    std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4
    bool v6 = false;
    int prefix_bits = 0;
  };
  std::vector<Range> ranges_;
};

}  // namespace millrace::api
