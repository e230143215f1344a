#include "runtime/signature.h"

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>

#include "common/strings.h"

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

TEST(BashSignatureTest, ALongLineIsReadWithoutRecursion) {
  // A regex recursed once per character here: a 1 MB header line overflowed the stack.
  std::string value(1 << 20, 'v');
  auto params = parse_bash_signature("a=\"${1:-" + value + "}\"\nb=\"$2\" # " + value + "\n");
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].default_value, value);
  EXPECT_EQ(params[1].name, "b");
}

TEST(BashSignatureTest, ReadsEveryLineAsThePatternItReplaces) {
  // The header pattern Windmill documents, against the hand-written reader, on lines made of
  // the pieces that matter (quotes, braces, blanks, comments, line breaks).
  const std::regex pattern(R"re(^(\w+)="\$(?:(\d+)|\{(\d+)\}|\{(\d+):-(.*)\})"\s*(?:#.*)?$)re");
  const char pieces[] = {'a', '_', '1', '"', '}', '{', ':', '-', '#', ' ', '\t', '\r', '$', '='};
  std::mt19937 random(42);
  auto noise = [&](int max) {
    std::string out;
    for (int n = static_cast<int>(random() % (max + 1)); n > 0; --n) {
      out += pieces[random() % sizeof pieces];
    }
    return out;
  };
  const char* heads[] = {"x=\"$1", "x=\"${1}", "x=\"${1:-", "x_2=\"$1\"", "=\"$1\""};
  int with_default = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string line = heads[random() % 5] + noise(6) + (random() % 2 ? "}\"" : "\"") + noise(6);
    std::string trimmed(trim(line));
    std::smatch m;
    // (A number other than 1 starts no list: nothing to compare then but that.)
    const bool matches = std::regex_match(trimmed, m, pattern) && (m[2].matched   ? m[2]
                                                                   : m[3].matched ? m[3]
                                                                                  : m[4])
                                                                          .str() == "1";
    auto params = parse_bash_signature(line);
    ASSERT_EQ(params.size(), matches ? 1u : 0u) << "line: " << line;
    if (!matches) continue;
    EXPECT_EQ(params[0].name, m[1].str()) << line;
    EXPECT_EQ(params[0].default_value.has_value(), m[4].matched) << line;
    if (m[4].matched) {
      EXPECT_EQ(*params[0].default_value, m[5].str()) << line;
      ++with_default;
    }
  }
  EXPECT_GT(with_default, 2000);  // the lines do exercise the greedy default
  // A line break in the last candidate's default, with an earlier one that fits.
  auto params = parse_bash_signature("x=\"${1:-a}\"\r#c}\"\n");
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].default_value, "a");
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

TEST(PreprocessorTest, ATopLevelOrExportedPreprocessorIsFound) {
  EXPECT_TRUE(declares_preprocessor("python3", "def preprocessor(event):\n  pass\n"));
  EXPECT_TRUE(declares_preprocessor("python3", "x = 1\nasync def preprocessor(event):\n"));
  EXPECT_FALSE(declares_preprocessor("python3", "class A:\n    def preprocessor(self):\n"));
  EXPECT_FALSE(declares_preprocessor("python3", "def preprocessor_x(event):\n"));
  EXPECT_TRUE(declares_preprocessor("bun", "export async function preprocessor(event) {}\n"));
  EXPECT_TRUE(declares_preprocessor("deno", "export const preprocessor = async (e) => e;\n"));
  EXPECT_FALSE(declares_preprocessor("bun", "async function preprocessor(event) {}\n"));
  EXPECT_FALSE(declares_preprocessor("bash", "def preprocessor(event):\n"));
}

}  // namespace
}  // namespace millrace::runtime
