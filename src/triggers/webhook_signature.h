// Whether a third-party webhook delivery was signed by its sender: the schemes GitHub, Stripe,
// Slack, Shopify and Standard Webhooks (and Svix, its origin) use, exactly as each documents
// it, and a custom one (a header, an HMAC algorithm, hex or base64, a prefix). Every
// comparison is in constant time; a timestamped scheme refuses a delivery older or newer than
// its tolerance (a replay). Pure functions: the secrets come in already opened.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace millrace::triggers {

enum class SignatureScheme {
  kGitHub,            // X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>
  kStripe,            // Stripe-Signature: t=<time>,v1=<hex HMAC-SHA256 of "<time>.<body>">
  kSlack,             // X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<time>:<body>">
  kShopify,           // X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>
  kStandardWebhooks,  // webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<time>.<body>">
  kCustom,            // a header, an algorithm, an encoding and a prefix of your choice
};

struct SignatureSettings {
  SignatureScheme scheme = SignatureScheme::kCustom;
  // Any of these may have signed it (more than one while a secret is rotated). Standard
  // Webhooks' are base64, with or without their `whsec_` prefix; the others are used as given.
  std::vector<std::string> secrets;
  // kCustom only:
  std::string header;                // where the signature is
  std::string algorithm = "sha256";  // sha1, sha256 or sha512
  std::string encoding = "hex";      // hex or base64
  std::string prefix;                // before the signature ("sha256="), required when set
  int64_t tolerance_s = 300;         // Stripe, Slack, Standard Webhooks: the largest clock gap
};

// The settings a `webhook_signature` resource holds: {"provider": "github" | "stripe" | "slack" |
// "shopify" | "standard_webhooks" | "custom", "secret": "<value>" or ["<value>", ...], and for
// custom "header", "algorithm", "encoding", "prefix"; "tolerance_s"}. 400 naming what is wrong.
// `$var:` references in it are resolved before, by whoever reads the resource.
Result<SignatureSettings> parse_signature_settings(std::string_view json_text);

// A request's header by its name in lower case; nullopt when it has none.
using HeaderLookup = std::function<std::optional<std::string>(std::string_view lower_name)>;

struct SignatureCheck {
  bool valid = false;
  std::string reason;  // when not valid, in words for the log and the sender's 401
};

SignatureCheck verify_signature(const SignatureSettings& settings, const HeaderLookup& header,
                                std::string_view body, int64_t now_s);

// HMAC of `data` with `key` (algorithm sha1, sha256 or sha512; empty for another), raw bytes.
std::string hmac(std::string_view algorithm, std::string_view key, std::string_view data);

}  // namespace millrace::triggers
