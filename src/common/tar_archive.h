// A tar archive (POSIX ustar) built in memory: regular files with their paths, as `tar -x` and
// the Windmill CLI read them. For exports of a workspace; nothing here reads archives.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace millrace {

class TarArchive {
 public:
  // A file at `path` (relative, '/'-separated; up to 255 bytes, split as ustar allows), its
  // bytes, mode 0644, modified at `mtime_s`. 400 for a path ustar cannot hold.
  Status add_file(std::string_view path, std::string_view content, int64_t mtime_s);
  // The archive, ended with its two empty blocks. The builder is empty afterwards.
  std::string finish();

 private:
  std::string out_;
};

}  // namespace millrace
