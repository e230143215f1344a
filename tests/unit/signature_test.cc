#include "runtime/signature.h"

#include <gtest/gtest.h>

namespace millrace::runtime {
namespace {

TEST(BashSignatureTest, ReadsConsecutiveHeaderArguments) {
  auto params = parse_bash_signature(
      "#!/bin/bash\n"
      "name=\"$1\"\n"
      "count=\"${2}\"\n"
      "greeting=\"${3:-hello world}\"  # comment\n"
      "echo \"$greeting $name\"\n");
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0].name, "name");
  EXPECT_FALSE(params[0].default_value);
  EXPECT_EQ(params[1].name, "count");
  EXPECT_EQ(params[2].name, "greeting");
  EXPECT_EQ(params[2].default_value, "hello world");
}

TEST(BashSignatureTest, AGapEndsTheList) {
  auto params = parse_bash_signature("a=\"$1\"\nc=\"$3\"\n");
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].name, "a");
}

TEST(BashSignatureTest, OrderFollowsNumbersNotLines) {
  auto params = parse_bash_signature("b=\"$2\"\na=\"$1\"\n");
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "a");
  EXPECT_EQ(params[1].name, "b");
}

TEST(BashSignatureTest, NumbersBeyondAnyListAreIgnoredNotThrown) {
  // Found by the signatures fuzz target: std::stoi threw out of a worker.
  auto params = parse_bash_signature(
      "a=\"$1\"\nb=\"$99999999999999999999\"\nc=\"${4294967297}\"\nd=\"${0:-x}\"\n");
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].name, "a");
}

TEST(BashSignatureTest, IgnoresOtherAssignments) {
  EXPECT_TRUE(parse_bash_signature("x=$1\ny='$1'\nz=\"$HOME\"\n").empty());
}

TEST(PythonSignatureTest, ReadsNamesAnnotationsAndDefaults) {
  auto params = parse_python_signature(
      "import os\n\n"
      "def helper(x):\n    pass\n\n"
      "def main(name: str, n: int = 2, tags: list[str] = [\"a\", \"b\"],\n"
      "         opt: Optional[dict] = None, *args, flag=True, **kwargs):\n"
      "    return name\n");
  ASSERT_TRUE(params);
  ASSERT_EQ(params->size(), 5u);
  EXPECT_EQ((*params)[0].name, "name");
  EXPECT_EQ((*params)[0].type, "str");
  EXPECT_FALSE((*params)[0].default_value);
  EXPECT_EQ((*params)[1].default_value, "2");
  EXPECT_EQ((*params)[2].type, "list[str]");
  EXPECT_EQ((*params)[2].default_value, "[\"a\", \"b\"]");
  EXPECT_EQ((*params)[3].type, "Optional[dict]");
  EXPECT_EQ((*params)[4].name, "flag");
  EXPECT_EQ((*params)[4].default_value, "True");
}

TEST(PythonSignatureTest, AsyncMainAndStringsWithCommas) {
  auto params = parse_python_signature("async def main(a: str = \"x, y)\", b=(1, 2)):\n  pass\n");
  ASSERT_TRUE(params);
  ASSERT_EQ(params->size(), 2u);
  EXPECT_EQ((*params)[0].default_value, "\"x, y)\"");
  EXPECT_EQ((*params)[1].default_value, "(1, 2)");
}

TEST(PythonSignatureTest, NoMainIsNullopt) {
  EXPECT_FALSE(parse_python_signature("def helper():\n  pass\n"));
  EXPECT_FALSE(parse_python_signature("  def main():\n  pass\n"));  // not top level
  auto empty = parse_python_signature("def main():\n  return 1\n");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace millrace::runtime
