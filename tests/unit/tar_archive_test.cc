#include "common/tar_archive.h"

#include <gtest/gtest.h>

#include <string>

namespace millrace {
namespace {

// The header field at [at, at + len) up to its first NUL.
std::string field(const std::string& block, size_t at, size_t len) {
  std::string f = block.substr(at, len);
  return f.substr(0, f.find('\0'));
}

unsigned checksum(std::string block) {
  for (size_t i = 148; i < 156; ++i) block[i] = ' ';
  unsigned sum = 0;
  for (unsigned char c : block.substr(0, 512)) sum += c;
  return sum;
}

TEST(TarArchiveTest,
     AFileIsAUstarHeaderThenItsBytesPaddedToABlockAndTheArchiveEndsWithTwoEmptyBlocks) {
  TarArchive tar;
  ASSERT_TRUE(tar.add_file("u/admin/hello.py", "print(1)\n", 1700000000));
  std::string out = tar.finish();
  ASSERT_EQ(out.size(), 512u + 512u + 1024u);
  std::string header = out.substr(0, 512);
  EXPECT_EQ(field(header, 0, 100), "u/admin/hello.py");
  EXPECT_EQ(field(header, 124, 12), "00000000011");  // 9 bytes, in octal
  EXPECT_EQ(field(header, 257, 6), "ustar");
  EXPECT_EQ(header[156], '0');
  EXPECT_EQ(std::stoul(field(header, 148, 8), nullptr, 8), checksum(header));
  EXPECT_EQ(out.substr(512, 9), "print(1)\n");
  EXPECT_EQ(out.substr(521), std::string(out.size() - 521, '\0'));
}

TEST(TarArchiveTest, ALongPathIsSplitIntoPrefixAndNameAndOneTooLongIsRefused) {
  TarArchive tar;
  const std::string folder = "f/" + std::string(120, 'd');
  ASSERT_TRUE(tar.add_file(folder + "/script.flow.json", "{}", 0));
  std::string header = tar.finish().substr(0, 512);
  EXPECT_EQ(field(header, 345, 155), folder);
  EXPECT_EQ(field(header, 0, 100), "script.flow.json");
  TarArchive refused;
  EXPECT_FALSE(refused.add_file("f/" + std::string(300, 'x'), "{}", 0));
  EXPECT_FALSE(refused.add_file("", "{}", 0));
}

}  // namespace
}  // namespace millrace
