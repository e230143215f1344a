// Webhook signatures as each sender makes them: the published examples of GitHub, Slack and
// Standard Webhooks, Stripe's and Shopify's schemes signed here with libsodium's HMAC (an
// implementation other than the verifier's), and every way a delivery is refused.
#include "triggers/webhook_signature.h"

#include <sodium.h>

#include <map>

#include <gtest/gtest.h>

#include "common/base64.h"
#include "common/strings.h"

namespace millrace::triggers {
namespace {

// Headers as a request carries them (lookups are by lower-case name).
HeaderLookup headers(std::map<std::string, std::string> h) {
  return [h = std::move(h)](std::string_view name) -> std::optional<std::string> {
    auto it = h.find(std::string(name));
    if (it == h.end()) return std::nullopt;
    return it->second;
  };
}

std::string sodium_hmac256(std::string_view key, std::string_view data) {
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&st, out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string hex(std::string_view raw) {
  return hex_encode(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

SignatureSettings settings(SignatureScheme scheme, std::vector<std::string> secrets) {
  SignatureSettings s;
  s.scheme = scheme;
  s.secrets = std::move(secrets);
  return s;
}

TEST(WebhookSignature, GitHubsPublishedExample) {
  auto s = settings(SignatureScheme::kGitHub, {"It's a Secret to Everybody"});
  const std::string sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
  EXPECT_TRUE(
      verify_signature(s, headers({{"x-hub-signature-256", sig}}), "Hello, World!", 0).valid);
  auto tampered = verify_signature(s, headers({{"x-hub-signature-256", sig}}), "Hello, World?", 0);
  EXPECT_FALSE(tampered.valid);
  EXPECT_EQ(tampered.reason, "the signature does not match the body");
  auto missing = verify_signature(s, headers({}), "Hello, World!", 0);
  EXPECT_FALSE(missing.valid);
  EXPECT_EQ(missing.reason, "no x-hub-signature-256 header");
  auto other = settings(SignatureScheme::kGitHub, {"another secret"});
  EXPECT_FALSE(
      verify_signature(other, headers({{"x-hub-signature-256", sig}}), "Hello, World!", 0).valid);
  // SHA-1's older header alone is not enough.
  EXPECT_FALSE(
      verify_signature(
          s,
          headers({{"x-hub-signature",
                    "sha1=" + hex(hmac("sha1", "It's a Secret to Everybody", "Hello, World!"))}}),
          "Hello, World!", 0)
          .valid);
}

TEST(WebhookSignature, SlacksPublishedExampleWithinItsFiveMinutes) {
  const std::string body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
      "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
      "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%"
      "2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
      "803a0bc887a14d10d2c447fce8b6703c";
  auto s = settings(SignatureScheme::kSlack, {"8f742231b10e8888abcd99yyyzzz85a5"});
  auto h = headers(
      {{"x-slack-signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"},
       {"x-slack-request-timestamp", "1531420618"}});
  EXPECT_TRUE(verify_signature(s, h, body, 1531420618 + 299).valid);
  auto late = verify_signature(s, h, body, 1531420618 + 301);
  EXPECT_FALSE(late.valid);
  EXPECT_NE(late.reason.find("tolerance of 300 s"), std::string::npos) << late.reason;
  EXPECT_FALSE(verify_signature(s, h, body + "&x=1", 1531420618).valid);
}

TEST(WebhookSignature, StandardWebhooksPublishedExampleWithRotationAndSvixHeaders) {
  const std::string body = R"({"test": 2432232314})";
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  auto h = headers(
      {{"webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"},
       {"webhook-timestamp", "1614265330"},
       {"webhook-signature", "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}});
  auto s = settings(SignatureScheme::kStandardWebhooks, {secret});
  EXPECT_TRUE(verify_signature(s, h, body, 1614265330).valid);
  // While a secret is rotated, the old one and the new one both verify.
  auto rotating = settings(SignatureScheme::kStandardWebhooks,
                           {"whsec_" + base64_encode("new key, not this one"), secret});
  EXPECT_TRUE(verify_signature(rotating, h, body, 1614265330).valid);
  // The same without the whsec_ prefix; and Svix's own header names.
  auto bare = settings(SignatureScheme::kStandardWebhooks, {"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"});
  auto svix = headers({{"svix-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"},
                       {"svix-timestamp", "1614265330"},
                       {"svix-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}});
  EXPECT_TRUE(verify_signature(bare, svix, body, 1614265330).valid);
  EXPECT_FALSE(verify_signature(s, h, body, 1614265330 + 400).valid);
  auto other_id =
      headers({{"webhook-id", "msg_other"},
               {"webhook-timestamp", "1614265330"},
               {"webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}});
  EXPECT_FALSE(verify_signature(s, other_id, body, 1614265330).valid);
}

TEST(WebhookSignature, StripesSchemeWithSeveralV1AndItsTolerance) {
  const std::string secret = "whsec_test_secret";
  const std::string body = R"({"id": "evt_1", "type": "charge.succeeded"})";
  const int64_t t = 1700000000;
  const std::string good = hex(sodium_hmac256(secret, std::to_string(t) + "." + body));
  auto s = settings(SignatureScheme::kStripe, {secret});
  auto signed_with = [&](const std::string& header) {
    return headers({{"stripe-signature", header}});
  };
  EXPECT_TRUE(verify_signature(s, signed_with("t=" + std::to_string(t) + ",v1=" + good + ",v0=00"),
                               body, t + 10)
                  .valid);
  // A new signature beside an old one, in either order.
  EXPECT_TRUE(
      verify_signature(
          s, signed_with("t=" + std::to_string(t) + ",v1=" + std::string(64, 'a') + ",v1=" + good),
          body, t)
          .valid);
  EXPECT_FALSE(
      verify_signature(s, signed_with("t=" + std::to_string(t) + ",v1=" + good), body, t + 301)
          .valid);
  // The time is signed too: another t with the same v1 does not verify.
  EXPECT_FALSE(
      verify_signature(s, signed_with("t=" + std::to_string(t + 1) + ",v1=" + good), body, t)
          .valid);
  EXPECT_FALSE(verify_signature(s, signed_with("t=" + std::to_string(t)), body, t).valid);
  EXPECT_FALSE(verify_signature(s, signed_with("v1=" + good), body, t).valid);
}

TEST(WebhookSignature, ShopifysBase64Scheme) {
  const std::string body = R"({"id": 820982911946154508})";
  const std::string sig = base64_encode(sodium_hmac256("shpss_secret", body));
  auto s = settings(SignatureScheme::kShopify, {"shpss_secret"});
  EXPECT_TRUE(verify_signature(s, headers({{"x-shopify-hmac-sha256", sig}}), body, 0).valid);
  EXPECT_FALSE(verify_signature(s, headers({{"x-shopify-hmac-sha256", sig}}), body + " ", 0).valid);
  EXPECT_FALSE(
      verify_signature(s, headers({{"x-shopify-hmac-sha256", "not base64!"}}), body, 0).valid);
}

TEST(WebhookSignature, ACustomSchemeOfEveryAlgorithmAndEncoding) {
  const std::string body = "payload";
  for (const char* algorithm : {"sha1", "sha256", "sha512"}) {
    for (const char* encoding : {"hex", "base64"}) {
      auto parsed = parse_signature_settings(
          std::string(
              R"({"provider": "custom", "secret": "k", "header": "X-Sig", "algorithm": ")") +
          algorithm + R"(", "encoding": ")" + encoding + R"(", "prefix": "sig="})");
      ASSERT_TRUE(parsed) << parsed.error().message;
      const std::string mac = hmac(algorithm, "k", body);
      const std::string value =
          "sig=" + (std::string(encoding) == "hex" ? hex(mac) : base64_encode(mac));
      EXPECT_TRUE(verify_signature(*parsed, headers({{"x-sig", value}}), body, 0).valid)
          << algorithm << encoding;
      EXPECT_FALSE(verify_signature(*parsed, headers({{"x-sig", value.substr(4)}}), body, 0).valid);
    }
  }
  EXPECT_EQ(hex(hmac("sha256", "k", body)), hex(sodium_hmac256("k", body)));
  EXPECT_EQ(hmac("md5", "k", body), "");
}

TEST(WebhookSignature, SettingsAreCheckedWhenTheyAreRead) {
  auto github = parse_signature_settings(
      R"({"provider": "github", "secret": ["a", "b"], "tolerance_s": 60})");
  ASSERT_TRUE(github) << github.error().message;
  EXPECT_EQ(github->scheme, SignatureScheme::kGitHub);
  EXPECT_EQ(github->secrets, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(github->tolerance_s, 60);
  for (const char* bad :
       {"[]", R"({"provider": "gitlab", "secret": "x"})", R"({"provider": "github"})",
        R"({"provider": "github", "secret": ""})", R"({"provider": "custom", "secret": "x"})",
        R"({"provider": "custom", "secret": "x", "header": "h", "algorithm": "md5"})",
        R"({"provider": "custom", "secret": "x", "header": "h", "encoding": "base32"})",
        R"({"provider": "standard_webhooks", "secret": "whsec_***"})",
        R"({"provider": "stripe", "secret": "x", "tolerance_s": 0})"}) {
    auto parsed = parse_signature_settings(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_NE(parsed.error().message.find("webhook_signature"), std::string::npos) << bad;
    }
  }
}

}  // namespace
}  // namespace millrace::triggers
