#include "secrets/vault.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/fake_clock.h"
#include "secrets/cipher.h"
#include "temp_database.h"

namespace millrace::secrets {
namespace {

TEST(CipherTest, OpensOnlyWithItsKeyAndContext) {
  std::string key = generate_key();
  std::string sealed = seal(key, "hunter2", "ws:a");
  EXPECT_EQ(open(key, sealed, "ws:a").value_or(""), "hunter2");
  EXPECT_FALSE(open(key, sealed, "ws:b"));
  EXPECT_FALSE(open(generate_key(), sealed, "ws:a"));
  EXPECT_FALSE(open(key, "not base64 !", "ws:a"));
  EXPECT_NE(seal(key, "hunter2", "ws:a"), sealed);  // a fresh nonce each time
  EXPECT_EQ(sealed.find("hunter2"), std::string::npos);
}

TEST(MasterKeyTest, DecodesBase64AndHexOf32Bytes) {
  std::string key = generate_key();
  EXPECT_EQ(*decode_key(encode_key(key), "x"), key);
  EXPECT_EQ(decode_key(std::string(64, 'a'), "x")->size(), kKeyBytes);
  EXPECT_FALSE(decode_key("c2hvcnQ=", "x"));
}

class VaultTest : public ::testing::Test {
 protected:
  MasterKeySource file_source() { return {"", (temp_.dir() / "master.key").string()}; }
  TempDatabase temp_{"vault"};
  FakeClock clock_;
};

TEST_F(VaultTest, TheFirstSecretMakesAPrivateKeyFileAndSealsPerWorkspace) {
  auto vault = Vault::open(temp_.db(), file_source(), clock_);
  ASSERT_TRUE(vault) << vault.error().message;
  // Nothing sealed yet, no key needed: a new node or a restored copy starts without one.
  EXPECT_FALSE(std::filesystem::exists(file_source().file));
  auto sealed = (*vault)->seal("ws1", "hunter2");
  ASSERT_TRUE(sealed);
  struct stat st;
  ASSERT_EQ(::stat(file_source().file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*(*vault)->unseal("ws1", *sealed), "hunter2");
  EXPECT_FALSE((*vault)->unseal("ws2", *sealed));  // another workspace's key
  // A second start opens what the first sealed.
  auto again = Vault::open(temp_.db(), file_source(), clock_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*(*again)->unseal("ws1", *sealed), "hunter2");
}

TEST_F(VaultTest, AMissingOrWrongKeyIsRefusedWithWords) {
  {
    auto vault = Vault::open(temp_.db(), file_source(), clock_);
    ASSERT_TRUE(vault);
    ASSERT_TRUE((*vault)->seal("ws1", "x"));
  }
  MasterKeySource wrong{encode_key(generate_key()), ""};
  auto refused = Vault::open(temp_.db(), wrong, clock_);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("does not open"), std::string::npos);
  std::filesystem::remove(file_source().file);
  auto missing = Vault::open(temp_.db(), file_source(), clock_);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("missing"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(file_source().file));  // never made anew
}

TEST_F(VaultTest, RotationKeepsEverySecretReadable) {
  std::string sealed;
  {
    auto vault = Vault::open(temp_.db(), file_source(), clock_);
    ASSERT_TRUE(vault);
    sealed = *(*vault)->seal("ws1", "hunter2");
  }
  std::ifstream before(file_source().file);
  std::string old_text((std::istreambuf_iterator<char>(before)), {});
  auto rotated = rotate_master_key(temp_.db(), file_source());
  ASSERT_TRUE(rotated) << rotated.error().message;
  std::ifstream after(file_source().file);
  std::string new_text((std::istreambuf_iterator<char>(after)), {});
  EXPECT_NE(old_text, new_text);
  auto vault = Vault::open(temp_.db(), file_source(), clock_);
  ASSERT_TRUE(vault) << vault.error().message;
  auto opened = (*vault)->unseal("ws1", sealed);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, "hunter2");
  // The old key opens nothing any more.
  EXPECT_FALSE(Vault::open(temp_.db(), {old_text, ""}, clock_));
}

TEST_F(VaultTest, ANodeWithoutTheKeyFileCannotSealOnceAnotherNodeHas) {
  auto first = Vault::open(temp_.db(), file_source(), clock_);
  auto second = Vault::open(temp_.db(), {"", (temp_.dir() / "other.key").string()}, clock_);
  ASSERT_TRUE(first && second);
  ASSERT_TRUE((*first)->seal("ws1", "x"));
  auto refused = (*second)->seal("ws1", "y");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("missing"), std::string::npos);
}

TEST_F(VaultTest, RotatingWithoutSecretsSaysThereIsNothingToRotate) {
  auto rotated = rotate_master_key(temp_.db(), file_source());
  ASSERT_FALSE(rotated);
  EXPECT_NE(rotated.error().message.find("no secret yet"), std::string::npos);
}

TEST_F(VaultTest, ARotationCutAfterItsCommitIsFinishedAtTheNextStart) {
  {
    auto vault = Vault::open(temp_.db(), file_source(), clock_);
    ASSERT_TRUE(vault);
    ASSERT_TRUE((*vault)->seal("ws1", "x"));
  }
  std::string old_file = file_source().file + ".old";
  std::filesystem::copy_file(file_source().file, old_file);
  ASSERT_TRUE(rotate_master_key(temp_.db(), file_source()));
  // As if the rename had not happened: the new key waits in .new, the old one in place.
  std::filesystem::rename(file_source().file, file_source().file + ".new");
  std::filesystem::rename(old_file, file_source().file);
  auto vault = Vault::open(temp_.db(), file_source(), clock_);
  ASSERT_TRUE(vault) << vault.error().message;
  EXPECT_FALSE(std::filesystem::exists(file_source().file + ".new"));
}

}  // namespace
}  // namespace millrace::secrets
