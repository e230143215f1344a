#include "worker/secret_mask.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace millrace::worker {
namespace {

// Feeds `chunks` through a mask of `secrets` and answers all it released.
std::string masked(std::vector<std::string> secrets, const std::vector<std::string>& chunks) {
  SecretMask mask(std::move(secrets));
  std::string out;
  for (const auto& c : chunks) out += mask.add(c);
  return out + mask.finish();
}

TEST(SecretMaskTest, MasksEveryOccurrenceInOneChunk) {
  EXPECT_EQ(masked({"hunter2"}, {"pw=hunter2 again hunter2\n"}), "pw=*** again ***\n");
}

TEST(SecretMaskTest, MasksASecretSplitAcrossChunks) {
  EXPECT_EQ(masked({"hunter2"}, {"pw=hun", "ter", "2!\n"}), "pw=***!\n");
  EXPECT_EQ(masked({"hunter2"}, {"h", "u", "n", "t", "e", "r", "2"}), "***");
}

TEST(SecretMaskTest, HoldsOnlyWhatMayStartASecret) {
  SecretMask mask({"hunter2"});
  EXPECT_EQ(mask.add("hello hu"), "hello ");  // "hu" may start the secret
  EXPECT_EQ(mask.add("sh\n"), "hush\n");      // it did not
  EXPECT_EQ(mask.add("plain\n"), "plain\n");
  EXPECT_EQ(mask.finish(), "");
}

TEST(SecretMaskTest, ReleasesAHeldStartAtTheEnd) {
  EXPECT_EQ(masked({"hunter2"}, {"ends with hunt"}), "ends with hunt");
}

TEST(SecretMaskTest, TheLongerOfTwoOverlappingSecretsWins) {
  EXPECT_EQ(masked({"abc", "abcdef"}, {"xabcdefx abcx"}), "x***x ***x");
}

TEST(SecretMaskTest, IgnoresSecretsTooShortToMask) {
  EXPECT_EQ(masked({"a", "", "ab"}, {"a cab"}), "a cab");
  SecretMask none({"x"});
  EXPECT_TRUE(none.empty());
}

TEST(SecretMaskTest, AStartThatFailsLeavesALaterMatchIntact) {
  // "sesame" held as "ses", then "ses" + "sesame" arrives: the first s-e-s is plain text.
  EXPECT_EQ(masked({"sesame"}, {"ses", "sesame\n"}), "ses***\n");
}

}  // namespace
}  // namespace millrace::worker
