#include "auth/token.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "auth/identity.h"
#include "auth/password.h"

namespace millrace::auth {
namespace {

TEST(TokenTest, TokensAreThirtyTwoAlphanumericsAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string t = generate_token();
    ASSERT_EQ(t.size(), 32u);
    for (char c : t) ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(TokenTest, HashIsLowercaseHexSha256) {
  EXPECT_EQ(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hash_token(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(token_prefix("abcdefghijklmnop"), "abcdefghij");
}

TEST(TokenTest, ConstantTimeEqualCompares) {
  EXPECT_TRUE(constant_time_equal("same", "same"));
  EXPECT_FALSE(constant_time_equal("same", "sane"));
  EXPECT_FALSE(constant_time_equal("same", "same2"));
}

TEST(TokenTest, JobTokensVerifyOnlyWithTheirSecret) {
  JobTokenClaims c{"0190f1c2-0000-7000-8000-000000000000", "admins", "a@b.c", "a", 12345};
  std::string t = sign_job_token(c, "secret-1");
  ASSERT_EQ(t.rfind("jwt_", 0), 0u);
  JobTokenClaims out;
  ASSERT_TRUE(verify_job_token(t, "secret-1", out));
  EXPECT_EQ(out.job_id, c.job_id);
  EXPECT_EQ(out.workspace_id, "admins");
  EXPECT_EQ(out.username, "a");
  EXPECT_EQ(out.expires_ms, 12345);
  EXPECT_FALSE(verify_job_token(t, "secret-2", out));
  std::string tampered = t;
  tampered[6] = tampered[6] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_job_token(tampered, "secret-1", out));
  EXPECT_FALSE(verify_job_token("jwt_nodot", "secret-1", out));
}

TEST(TokenTest, DisplayNameFollowsTheLabel) {
  Identity id;
  id.username = "alice";
  EXPECT_EQ(id.display_name(), "alice");
  id.token_label = "webhook-hello";
  EXPECT_EQ(id.display_name(), "webhook-hello");
  id.token_label = "http-x";
  EXPECT_EQ(id.display_name(), "http-x");
  id.token_label = "ci";
  EXPECT_EQ(id.display_name(), "label-ci");
  id.token_label = "session";
  EXPECT_EQ(id.display_name(), "alice");
  id.token_label = "";
  EXPECT_EQ(id.display_name(), "alice");
}

TEST(PasswordTest, Argon2idRoundTrip) {
  auto h = hash_password("correct horse");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password(*h, "correct horse"));
  EXPECT_FALSE(verify_password(*h, "wrong horse"));
}

}  // namespace
}  // namespace millrace::auth
