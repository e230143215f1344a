#include "api/paths.h"

#include <gtest/gtest.h>

namespace millrace::api {
namespace {

TEST(PathsTest, ScriptPathsFollowWindmillsRule) {
  for (const char* ok : {"u/admin/hello", "f/folder/sub/x", "g/group/a-b_c", "u/a/b/c/d"}) {
    EXPECT_TRUE(is_valid_script_path(ok)) << ok;
  }
  for (const char* bad : {"", "hello", "u/admin", "u/admin/", "x/a/b", "u//b", "u/a/b.py",
                          "u/a/has space", "u/a/b@c", "/u/a/b", "u/a/../b", "U/a/b"}) {
    EXPECT_FALSE(is_valid_script_path(bad)) << bad;
  }
}

TEST(PathsTest, WorkspaceIdsAreWordsJoinedByDashes) {
  for (const char* ok : {"admins", "my-team", "a_b-c", "x1"})
    EXPECT_TRUE(is_valid_workspace_id(ok));
  for (const char* bad : {"", "-a", "a-", "a--b", "a b", "a/b", "a.b"}) {
    EXPECT_FALSE(is_valid_workspace_id(bad)) << bad;
  }
}

TEST(PathsTest, HashesAreSixteenHexDigits) {
  EXPECT_TRUE(is_valid_script_hash("0123456789abcdef"));
  EXPECT_TRUE(is_valid_script_hash("0123456789ABCDEF"));
  EXPECT_FALSE(is_valid_script_hash("0123456789abcde"));
  EXPECT_FALSE(is_valid_script_hash("0123456789abcdefa"));
  EXPECT_FALSE(is_valid_script_hash("0123456789abcdeg"));
}

TEST(PathsTest, LanguagesAreWindmillsNames) {
  EXPECT_TRUE(is_known_language("python3"));
  EXPECT_TRUE(is_known_language("bash"));
  EXPECT_TRUE(is_known_language("bun"));
  EXPECT_FALSE(is_known_language("python"));
  EXPECT_FALSE(is_known_language("cobol"));
}

}  // namespace
}  // namespace millrace::api
