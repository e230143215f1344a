// Job ids: UUID version 7 (time-ordered, like Windmill's ULID-based ids), printed lowercase.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace millrace {

std::string new_uuid_v7(EpochMs now);
// True for the canonical 8-4-4-4-12 hex form (any case).
bool is_uuid(std::string_view s);
std::string lowercase_uuid(std::string_view s);

// The 16 bytes of a UUID: a compact key for large in-memory sets of job ids.
using UuidBytes = std::array<uint8_t, 16>;
std::optional<UuidBytes> uuid_bytes(std::string_view canonical);
std::string uuid_text(const UuidBytes& bytes);  // lowercase canonical form
struct UuidBytesHash {
  size_t operator()(const UuidBytes& b) const;
};

}  // namespace millrace
