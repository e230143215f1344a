// What verifying a delivery's signature costs, without the server around it (bench/routes runs
// it after the HTTP figures): verify_signature() on a body of N bytes, for each sender's scheme,
// many times. Prints the microseconds per verification.
// Usage: millrace_signature_bench [iterations] [body bytes]  (default: 20000, 2048)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/base64.h"
#include "common/strings.h"
#include "triggers/webhook_signature.h"

using namespace millrace;

namespace {

std::string hex(const std::string& raw) {
  return hex_encode(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  const size_t size = argc > 2 ? static_cast<size_t>(std::atol(argv[2])) : 2048;
  const std::string body = "{\"x\":\"" + std::string(size > 8 ? size - 8 : 0, 'a') + "\"}";
  const int64_t now = std::time(nullptr);
  const std::string ts = std::to_string(now);
  struct Case {
    const char* name;
    std::string settings;
    std::string header;
    std::string value;
  };
  const std::string whsec_key = "a Standard Webhooks key!";
  const Case cases[] = {
      {"github", R"({"provider":"github","secret":"s"})", "x-hub-signature-256",
       "sha256=" + hex(triggers::hmac("sha256", "s", body))},
      {"stripe", R"({"provider":"stripe","secret":"whsec_s"})", "stripe-signature",
       "t=" + ts + ",v1=" + hex(triggers::hmac("sha256", "whsec_s", ts + "." + body))},
      {"shopify", R"({"provider":"shopify","secret":"s"})", "x-shopify-hmac-sha256",
       base64_encode(triggers::hmac("sha256", "s", body))},
      {"standard_webhooks",
       R"({"provider":"standard_webhooks","secret":"whsec_)" + base64_encode(whsec_key) + "\"}",
       "webhook-signature",
       "v1," + base64_encode(triggers::hmac("sha256", whsec_key, "msg_1." + ts + "." + body))},
  };
  printf("{\"body_bytes\": %zu, \"iterations\": %d", body.size(), n);
  for (const auto& c : cases) {
    auto settings = triggers::parse_signature_settings(c.settings);
    if (!settings) {
      fprintf(stderr, "%s: %s\n", c.name, settings.error().message.c_str());
      return 1;
    }
    auto header = [&](std::string_view name) -> std::optional<std::string> {
      if (name == c.header) return c.value;
      if (name == "webhook-id") return std::string("msg_1");
      if (name == "webhook-timestamp") return ts;
      return std::nullopt;
    };
    auto start = std::chrono::steady_clock::now();
    int valid = 0;
    for (int i = 0; i < n; ++i)
      valid += triggers::verify_signature(*settings, header, body, now).valid;
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                    .count() /
                n;
    if (valid != n) {
      fprintf(stderr, "%s: %d of %d verified\n", c.name, valid, n);
      return 1;
    }
    printf(", \"%s_us\": %.2f", c.name, us);
  }
  printf("}\n");
  return 0;
}
