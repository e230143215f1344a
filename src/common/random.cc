#include "common/random.h"

#include <sodium.h>

#include <cstdlib>

namespace millrace {
namespace {

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) abort();  // no randomness, no tokens: refuse to run
    return true;
  }();
  (void)ready;
}

}  // namespace

std::string random_alphanumeric(size_t n) {
  ensure_sodium();
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out(n, ' ');
  for (auto& c : out) c = kAlphabet[randombytes_uniform(62)];
  return out;
}

uint64_t random_u64() {
  uint64_t v;
  random_bytes(&v, sizeof v);
  return v;
}

void random_bytes(void* buf, size_t n) {
  ensure_sodium();
  randombytes_buf(buf, n);
}

}  // namespace millrace
