// Small string functions shared by the parsers and the HTTP layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace millrace {

std::vector<std::string> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
// Percent-decoding for URL paths and query values; `plus_is_space` for form/query encoding.
// Returns false on a malformed escape.
bool url_decode(std::string_view in, std::string& out, bool plus_is_space);
// A URL path, decoded but for %2F, kept as it is: an encoded slash never splits a segment (nor
// reaches a route as one).
bool url_decode_path(std::string_view in, std::string& out);
std::string hex_encode(const unsigned char* data, size_t n);
bool is_valid_utf8(std::string_view s);
// The whole of `s` as a base-10 integer (an optional sign, digits, nothing else), if it is one
// that fits in 64 bits.
std::optional<int64_t> parse_int64(std::string_view s);
// The origin of an absolute URL, lower case: "scheme://host[:port]" ("//host" for a
// scheme-relative one); empty for a relative URL.
std::string url_origin(std::string_view url);
// An email address as accounts take it: one @, a local part and a dotted domain of printable
// ASCII without spaces, quotes, brackets or commas, at most 254 characters.
bool is_valid_email(std::string_view email);
// Characters (not bytes) of UTF-8 text, as Windmill counts log offsets: its lead bytes.
int64_t count_characters(std::string_view text);

}  // namespace millrace
