#include "common/tar_archive.h"

#include <cstring>

namespace millrace {
namespace {

constexpr size_t kBlock = 512;

// `value` in octal, zero-padded to width-1 digits and a NUL, as ustar numbers are.
void octal(char* field, size_t width, uint64_t value) {
  field[width - 1] = '\0';
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
}

}  // namespace

Status TarArchive::add_file(std::string_view path, std::string_view content, int64_t mtime_s) {
  // A long path is cut at a '/' into prefix (155) and name (100).
  std::string_view prefix;
  std::string_view name = path;
  if (name.size() > 100) {
    size_t cut = path.rfind('/', 155);
    if (cut != std::string_view::npos && path.size() - cut - 1 > 100) cut = std::string_view::npos;
    if (cut == std::string_view::npos || cut == 0) {
      return Error::bad_request("the path " + std::string(path) + " is too long for a tar archive");
    }
    prefix = path.substr(0, cut);
    name = path.substr(cut + 1);
  }
  if (path.empty() || path.find('\0') != std::string_view::npos) {
    return Error::bad_request("a file of the archive has no name");
  }
  char header[kBlock];
  std::memset(header, 0, sizeof header);
  std::memcpy(header, name.data(), name.size());
  octal(header + 100, 8, 0644);
  octal(header + 108, 8, 0);
  octal(header + 116, 8, 0);
  octal(header + 124, 12, content.size());
  octal(header + 136, 12, static_cast<uint64_t>(mtime_s < 0 ? 0 : mtime_s));
  header[156] = '0';  // a regular file
  std::memcpy(header + 257, "ustar", 6);
  std::memcpy(header + 263, "00", 2);
  if (!prefix.empty()) std::memcpy(header + 345, prefix.data(), prefix.size());
  // The checksum is taken with its own field as spaces.
  std::memset(header + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : header) sum += c;
  octal(header + 148, 7, sum);
  header[155] = ' ';
  out_.append(header, kBlock);
  out_.append(content);
  out_.append((kBlock - content.size() % kBlock) % kBlock, '\0');
  return Status::ok();
}

std::string TarArchive::finish() {
  out_.append(2 * kBlock, '\0');
  std::string archive = std::move(out_);
  out_.clear();
  return archive;
}

}  // namespace millrace
