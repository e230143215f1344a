#include "worker/secret_mask.h"

#include <algorithm>

namespace millrace::worker {

SecretMask::SecretMask(std::vector<std::string> secrets) {
  for (auto& s : secrets) {
    if (s.size() >= kMinLength) secrets_.push_back(std::move(s));
  }
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  secrets_.erase(std::unique(secrets_.begin(), secrets_.end()), secrets_.end());
}

std::string SecretMask::mask(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool masked = false;
    for (const auto& s : secrets_) {
      if (text.compare(i, s.size(), s) == 0) {
        out += kMask;
        i += s.size();
        masked = true;
        break;
      }
    }
    if (!masked) out += text[i++];
  }
  return out;
}

std::string SecretMask::add(std::string_view chunk) {
  if (secrets_.empty()) return std::string(chunk);
  held_.append(chunk);
  // Release all but the longest tail that is a proper prefix of some secret (it may complete
  // with the next chunk). A secret wholly inside the released part is masked; one that starts
  // in the released part and ends in the tail cannot exist, since the tail is the longest.
  size_t keep = 0;
  for (const auto& s : secrets_) {
    for (size_t n = std::min(s.size() - 1, held_.size()); n > keep; --n) {
      if (held_.compare(held_.size() - n, n, s, 0, n) == 0) {
        keep = n;
        break;
      }
    }
  }
  // A secret may start before the tail and run into it: release only up to a point where no
  // secret is in the middle of a match.
  std::string_view text(held_);
  size_t cut = text.size() - keep;
  std::string out;
  size_t i = 0;
  while (i < cut) {
    bool masked = false;
    for (const auto& s : secrets_) {
      if (i + s.size() <= text.size() && text.compare(i, s.size(), s) == 0) {
        out += kMask;
        i += s.size();
        masked = true;
        break;
      }
    }
    if (!masked) out += text[i++];
  }
  held_.erase(0, std::max(i, cut));
  return out;
}

std::string SecretMask::finish() {
  std::string out = mask(held_);
  held_.clear();
  return out;
}

}  // namespace millrace::worker
