// The lines of an embedded data file (data/*.txt) that are not blank or `#` comments, trimmed.
#pragma once

#include <string_view>
#include <vector>

#include "common/strings.h"

namespace millrace::packages {

inline std::vector<std::string_view> data_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line[0] != '#') out.push_back(line);
  }
  return out;
}

}  // namespace millrace::packages
