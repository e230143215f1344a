// Cryptographic randomness (libsodium). Tokens, passwords and job ids all come from here.
#pragma once

#include <cstdint>
#include <string>

namespace millrace {

// n characters from [A-Za-z0-9], uniformly (log2(62) ≈ 5.95 bits each).
std::string random_alphanumeric(size_t n);
uint64_t random_u64();
void random_bytes(void* buf, size_t n);

}  // namespace millrace
