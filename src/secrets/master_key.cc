#include "secrets/master_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/base64.h"
#include "common/strings.h"
#include "secrets/cipher.h"

namespace millrace::secrets {
namespace {

std::optional<std::string> from_hex(std::string_view text) {
  if (text.size() % 2) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    auto digit = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = digit(text[i]), lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

std::string MasterKeySource::describe() const {
  return value.empty() ? "the key file " + file : "MILLRACE_MASTER_KEY";
}

Result<std::string> decode_key(const std::string& text, const std::string& where) {
  std::string t(trim(text));
  std::optional<std::string> key = t.size() == 2 * kKeyBytes ? from_hex(t) : base64_decode(t);
  if (!key || key->size() != kKeyBytes) {
    return Error::internal(where + " does not hold a master key: expected " +
                           std::to_string(kKeyBytes) + " bytes as base64 or hex");
  }
  return *key;
}

std::string encode_key(const std::string& key) {
  return base64_encode(key);
}

Result<std::optional<std::string>> read_master_key(const MasterKeySource& source) {
  if (!source.value.empty()) {
    auto key = decode_key(source.value, source.describe());
    if (!key) return key.error();
    return std::optional<std::string>(*key);
  }
  if (::access(source.file.c_str(), F_OK) != 0 && errno == ENOENT) {
    return std::optional<std::string>();
  }
  std::ifstream in(source.file);
  if (!in) return Error::internal("cannot read " + source.describe() + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  auto key = decode_key(text.str(), source.describe());
  if (!key) return key.error();
  return std::optional<std::string>(*key);
}

Status write_key_file(const std::string& path, const std::string& key) {
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error::internal("cannot write " + temporary + ": " + std::strerror(errno));
  const std::string text = encode_key(key) + "\n";
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return Error::internal("cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::ok();
}

}  // namespace millrace::secrets
