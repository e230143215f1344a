// Base64 (standard and URL-safe alphabets) for `?payload=` and binary results.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace millrace {

std::string base64_encode(std::string_view in);
// Accepts both alphabets, with or without padding; nullopt on any other character.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace millrace
