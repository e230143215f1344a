// The Python, TypeScript and Bash signature scanners, and the schemas inferred from them: a
// script's source is whatever its author (or a webhook of `wmill script push`) sent.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/schema.h"
#include "runtime/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  (void)millrace::runtime::parse_python_signature(source);
  (void)millrace::runtime::parse_typescript_signature(source);
  (void)millrace::runtime::parse_bash_signature(source);
  for (const char* language : {"python3", "bun", "deno", "bash"}) {
    (void)millrace::runtime::infer_schema(language, source);
  }
  return 0;
}
