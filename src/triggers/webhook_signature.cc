#include "triggers/webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/strings.h"

namespace millrace::triggers {
namespace {

std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]);
    int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// Constant time for equal lengths (the length of a MAC is no secret).
bool same_bytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Whether `expected` (raw) equals `given` in `encoding`.
bool matches(std::string_view expected, std::string_view given, std::string_view encoding) {
  auto decoded = encoding == "base64" ? base64_decode(trim(given)) : hex_decode(trim(given));
  return decoded && same_bytes(expected, *decoded);
}

std::optional<int64_t> parse_time(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

SignatureCheck refused(std::string reason) {
  return {false, std::move(reason)};
}

// A timestamped scheme's time, within the tolerance of now.
std::optional<SignatureCheck> stale(std::optional<int64_t> t, int64_t now_s, int64_t tolerance_s) {
  if (!t) return refused("the timestamp is not a number of seconds");
  if (std::llabs(now_s - *t) > tolerance_s) {
    return refused("the timestamp is " + std::to_string(now_s - *t) +
                   " s away from now, more than the tolerance of " + std::to_string(tolerance_s) +
                   " s");
  }
  return std::nullopt;
}

// The pieces of a header split on `sep`, trimmed, empty ones dropped.
std::vector<std::string_view> pieces(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t at = text.find(sep);
    std::string_view piece = trim(text.substr(0, at));
    if (!piece.empty()) out.push_back(piece);
    if (at == std::string_view::npos) break;
    text = text.substr(at + 1);
  }
  return out;
}

// Standard Webhooks' key: base64, after `whsec_` when there is one.
std::optional<std::string> standard_key(std::string_view secret) {
  if (secret.starts_with("whsec_")) secret.remove_prefix(6);
  return base64_decode(secret);
}

const char* header_of(SignatureScheme s) {
  switch (s) {
    case SignatureScheme::kGitHub:
      return "x-hub-signature-256";
    case SignatureScheme::kStripe:
      return "stripe-signature";
    case SignatureScheme::kSlack:
      return "x-slack-signature";
    case SignatureScheme::kShopify:
      return "x-shopify-hmac-sha256";
    case SignatureScheme::kStandardWebhooks:
      return "webhook-signature";
    case SignatureScheme::kCustom:
      break;
  }
  return "";
}

}  // namespace

std::string hmac(std::string_view algorithm, std::string_view key, std::string_view data) {
  const EVP_MD* md = algorithm == "sha256"   ? EVP_sha256()
                     : algorithm == "sha512" ? EVP_sha512()
                     : algorithm == "sha1"   ? EVP_sha1()
                                             : nullptr;
  if (!md) return "";
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(md, key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size)) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(out), size);
}

Result<SignatureSettings> parse_signature_settings(std::string_view json_text) {
  auto v = nlohmann::json::parse(json_text, nullptr, false);
  if (!v.is_object()) return Error::bad_request("webhook_signature: expected a JSON object");
  SignatureSettings s;
  const std::string provider =
      v.contains("provider") && v["provider"].is_string() ? v["provider"].get<std::string>() : "";
  if (provider == "github") {
    s.scheme = SignatureScheme::kGitHub;
  } else if (provider == "stripe") {
    s.scheme = SignatureScheme::kStripe;
  } else if (provider == "slack") {
    s.scheme = SignatureScheme::kSlack;
  } else if (provider == "shopify") {
    s.scheme = SignatureScheme::kShopify;
  } else if (provider == "standard_webhooks" || provider == "svix") {
    s.scheme = SignatureScheme::kStandardWebhooks;
  } else if (provider == "custom") {
    s.scheme = SignatureScheme::kCustom;
  } else {
    return Error::bad_request(
        "webhook_signature: provider must be github, stripe, slack, shopify, "
        "standard_webhooks or custom");
  }
  const auto& secret = v.contains("secret") ? v["secret"] : nlohmann::json();
  if (secret.is_string()) {
    s.secrets.push_back(secret.get<std::string>());
  } else if (secret.is_array()) {
    for (const auto& one : secret) {
      if (!one.is_string())
        return Error::bad_request("webhook_signature: secret: expected strings");
      s.secrets.push_back(one.get<std::string>());
    }
  }
  if (s.secrets.empty() ||
      std::any_of(s.secrets.begin(), s.secrets.end(), [](auto& x) { return x.empty(); })) {
    return Error::bad_request("webhook_signature: secret: expected a non-empty string");
  }
  if (s.scheme == SignatureScheme::kStandardWebhooks) {
    for (const auto& one : s.secrets) {
      if (!standard_key(one)) {
        return Error::bad_request(
            "webhook_signature: a Standard Webhooks secret is base64 "
            "(whsec_...)");
      }
    }
  }
  auto text = [&](const char* key, std::string& into) -> Status {
    if (!v.contains(key) || v[key].is_null()) return Status::ok();
    if (!v[key].is_string()) {
      return Error::bad_request(std::string("webhook_signature: ") + key + ": expected a string");
    }
    into = v[key].get<std::string>();
    return Status::ok();
  };
  MR_TRY(text("header", s.header));
  MR_TRY(text("algorithm", s.algorithm));
  MR_TRY(text("encoding", s.encoding));
  MR_TRY(text("prefix", s.prefix));
  s.header = to_lower(s.header);
  s.algorithm = to_lower(s.algorithm);
  s.encoding = to_lower(s.encoding);
  if (v.contains("tolerance_s") && !v["tolerance_s"].is_null()) {
    if (!v["tolerance_s"].is_number_integer() || v["tolerance_s"].get<int64_t>() <= 0) {
      return Error::bad_request("webhook_signature: tolerance_s: expected a positive integer");
    }
    s.tolerance_s = v["tolerance_s"].get<int64_t>();
  }
  if (s.scheme == SignatureScheme::kCustom) {
    if (s.header.empty()) return Error::bad_request("webhook_signature: header: required");
    if (s.algorithm != "sha1" && s.algorithm != "sha256" && s.algorithm != "sha512") {
      return Error::bad_request("webhook_signature: algorithm must be sha1, sha256 or sha512");
    }
    if (s.encoding != "hex" && s.encoding != "base64") {
      return Error::bad_request("webhook_signature: encoding must be hex or base64");
    }
  }
  return s;
}

SignatureCheck verify_signature(const SignatureSettings& s, const HeaderLookup& header,
                                std::string_view body, int64_t now_s) {
  const std::string name = s.scheme == SignatureScheme::kCustom ? s.header : header_of(s.scheme);
  std::optional<std::string> given = header(name);
  if (s.scheme == SignatureScheme::kStandardWebhooks && !given) given = header("svix-signature");
  if (!given) return refused("no " + name + " header");
  auto any_secret = [&](auto&& signed_with) {
    for (const auto& secret : s.secrets) {
      if (signed_with(secret)) return true;
    }
    return false;
  };
  switch (s.scheme) {
    case SignatureScheme::kGitHub: {
      std::string_view value = trim(*given);
      if (!value.starts_with("sha256=")) return refused(name + " does not start with sha256=");
      value.remove_prefix(7);
      if (any_secret([&](const std::string& k) {
            return matches(hmac("sha256", k, body), value, "hex");
          })) {
        return {true, ""};
      }
      break;
    }
    case SignatureScheme::kShopify:
      if (any_secret([&](const std::string& k) {
            return matches(hmac("sha256", k, body), *given, "base64");
          })) {
        return {true, ""};
      }
      break;
    case SignatureScheme::kCustom: {
      std::string_view value = trim(*given);
      if (!s.prefix.empty()) {
        if (!value.starts_with(s.prefix)) return refused(name + " does not start with " + s.prefix);
        value.remove_prefix(s.prefix.size());
      }
      if (any_secret([&](const std::string& k) {
            return matches(hmac(s.algorithm, k, body), value, s.encoding);
          })) {
        return {true, ""};
      }
      break;
    }
    case SignatureScheme::kStripe: {
      std::optional<int64_t> t;
      std::vector<std::string_view> v1;
      for (auto part : pieces(*given, ',')) {
        if (part.starts_with("t=")) t = parse_time(part.substr(2));
        if (part.starts_with("v1=")) v1.push_back(part.substr(3));
      }
      if (v1.empty()) return refused(name + " has no v1 signature");
      if (auto bad = stale(t, now_s, s.tolerance_s)) return *bad;
      const std::string payload = std::to_string(*t) + "." + std::string(body);
      if (any_secret([&](const std::string& k) {
            const std::string mac = hmac("sha256", k, payload);
            for (auto one : v1) {
              if (matches(mac, one, "hex")) return true;
            }
            return false;
          })) {
        return {true, ""};
      }
      break;
    }
    case SignatureScheme::kSlack: {
      auto ts = header("x-slack-request-timestamp");
      if (!ts) return refused("no x-slack-request-timestamp header");
      if (auto bad = stale(parse_time(*ts), now_s, s.tolerance_s)) return *bad;
      std::string_view value = trim(*given);
      if (!value.starts_with("v0=")) return refused(name + " does not start with v0=");
      value.remove_prefix(3);
      const std::string base = "v0:" + std::string(trim(*ts)) + ":" + std::string(body);
      if (any_secret([&](const std::string& k) {
            return matches(hmac("sha256", k, base), value, "hex");
          })) {
        return {true, ""};
      }
      break;
    }
    case SignatureScheme::kStandardWebhooks: {
      const bool svix = !header("webhook-signature");
      auto id = header(svix ? "svix-id" : "webhook-id");
      auto ts = header(svix ? "svix-timestamp" : "webhook-timestamp");
      if (!id || !ts) return refused("no webhook-id or webhook-timestamp header");
      if (auto bad = stale(parse_time(*ts), now_s, s.tolerance_s)) return *bad;
      const std::string payload =
          std::string(trim(*id)) + "." + std::string(trim(*ts)) + "." + std::string(body);
      if (any_secret([&](const std::string& secret) {
            auto key = standard_key(secret);
            if (!key) return false;
            const std::string mac = hmac("sha256", *key, payload);
            for (auto one : pieces(*given, ' ')) {
              if (one.starts_with("v1,") && matches(mac, one.substr(3), "base64")) return true;
            }
            return false;
          })) {
        return {true, ""};
      }
      break;
    }
  }
  return refused("the signature does not match the body");
}

}  // namespace millrace::triggers
