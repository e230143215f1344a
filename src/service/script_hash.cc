#include "service/script_hash.h"

#include <sodium.h>

#include <cctype>
#include <cstdio>

namespace millrace::service {

std::string compute_script_hash(const store::ScriptRecord& s) {
  // Fields are length-prefixed so that no two different versions share an input.
  std::string input;
  auto add = [&](const std::string& field) {
    input += std::to_string(field.size());
    input += ':';
    input += field;
  };
  add(s.workspace_id);
  add(s.path);
  add(s.parent_hash.value_or(""));
  add(s.summary);
  add(s.description);
  add(s.content);
  add(s.language);
  add(s.schema_json.value_or(""));
  add(s.kind);
  add(s.lock.value_or(""));
  add(s.timeout_s ? std::to_string(*s.timeout_s) : "");
  add(s.extra_json.value_or(""));
  static const unsigned char kKey[crypto_shorthash_KEYBYTES] = {
      'm', 'i', 'l', 'l', 'r', 'a', 'c', 'e', '-', 's', 'c', 'r', 'i', 'p', 't', '1'};
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(input.data()), input.size(), kKey);
  char hex[17];
  for (int i = 0; i < 8; ++i) snprintf(hex + 2 * i, 3, "%02x", out[i]);
  return std::string(hex, 16);
}

bool is_valid_script_hash(std::string_view hash) {
  if (hash.size() != 16) return false;
  for (char c : hash) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace millrace::service
