// Job ids: UUID version 7 (time-ordered, like Windmill's ULID-based ids), printed lowercase.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"

namespace millrace {

std::string new_uuid_v7(EpochMs now);
// True for the canonical 8-4-4-4-12 hex form (any case).
bool is_uuid(std::string_view s);
std::string lowercase_uuid(std::string_view s);

}  // namespace millrace
