// Masks secrets in a stream of output, as CI systems do: every occurrence of a secret's exact
// bytes becomes `***`, also when it arrives split across chunks (the end of a chunk that could
// be the start of a secret is held until the next chunk tells). Not caught: a secret printed
// transformed (encoded, escaped, reversed, cut by other output between its halves), and
// secrets shorter than kMinLength (masking "a" would mask every "a").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace millrace::worker {

class SecretMask {
 public:
  static constexpr size_t kMinLength = 3;
  static constexpr std::string_view kMask = "***";

  explicit SecretMask(std::vector<std::string> secrets);
  bool empty() const { return secrets_.empty(); }
  // The output that is now known to be safe, masked.
  std::string add(std::string_view chunk);
  // What was held, masked, once the output is over.
  std::string finish();

 private:
  std::string mask(std::string_view text) const;
  std::vector<std::string> secrets_;  // longest first, so a secret inside another is not cut
  std::string held_;
};

}  // namespace millrace::worker
