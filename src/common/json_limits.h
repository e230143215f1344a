// Limits on JSON that comes from outside (request bodies, job results). The JSON library
// recurses when it prints a value, so unbounded nesting would let one request overflow a
// thread's stack; this check runs first, in one pass, without recursion.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace millrace {

// Request bodies: serde_json's (Windmill's) limit.
constexpr size_t kMaxRequestJsonDepth = 128;
// Job results: generous, still far from any stack limit.
constexpr size_t kMaxResultJsonDepth = 1000;

// True when no array or object in `text` is nested deeper than `max_depth` (strings skipped).
bool json_depth_within(std::string_view text, size_t max_depth);
// True when `text` starts with a UTF-8 byte-order mark (which JSON does not allow).
bool starts_with_bom(std::string_view text);
// The parser's own words on why `text` is not JSON (empty when it is).
std::string json_error_detail(const std::string& text);

}  // namespace millrace
