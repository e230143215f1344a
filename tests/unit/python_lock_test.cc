// The Python lock: what pip's report becomes, and which lines may name a cache folder.
#include "packages/python_lock.h"

#include <gtest/gtest.h>

namespace millrace::packages {
namespace {

TEST(PythonLock, NamesAreCanonicalAsPep503Says) {
  EXPECT_EQ(canonical_name("PyYAML"), "pyyaml");
  EXPECT_EQ(canonical_name("typing_extensions"), "typing-extensions");
  EXPECT_EQ(canonical_name("zope.interface"), "zope-interface");
  EXPECT_EQ(canonical_name("A__b--c"), "a-b-c");
}

TEST(PythonLock, ALockIsItsPackagesInOrderWithoutCommentsOrBlankLines) {
  auto lock = parse_python_lock("# py: 3.11\nrequests==2.31.0\n\nPyYAML==6.0.1\r\n");
  ASSERT_TRUE(lock) << lock.error().message;
  ASSERT_EQ(lock->size(), 2u);
  EXPECT_EQ((*lock)[0].folder(), "requests==2.31.0");
  EXPECT_EQ((*lock)[1].folder(), "pyyaml==6.0.1");
  EXPECT_TRUE(parse_python_lock("")->empty());
}

TEST(PythonLock, ALineThatCouldNameAnotherFolderIsRefused) {
  for (const char* bad :
       {"requests", "requests>=2", "../x==1", "x==../1", "x==1/2", "x==..", "a/b==1", "x==", "==1",
        "x[extra]==1", "x==1 ; python_version<'3'", "-e ./x", "x==1\ny"}) {
    auto lock = parse_python_lock(bad);
    EXPECT_FALSE(lock) << bad;
    if (!lock) {
      EXPECT_NE(lock.error().message.find("lock line"), std::string::npos) << bad;
    }
  }
  EXPECT_TRUE(parse_python_lock("x==1.0.post1+local.2"));
  EXPECT_TRUE(parse_python_lock("x==1!2.0rc1"));
}

TEST(PythonLock, PipsReportBecomesSortedNameEqualsVersionLines) {
  auto lock = python_lock_from_pip_report(R"({"version": "1", "install": [
      {"metadata": {"name": "Requests", "version": "2.31.0"}},
      {"metadata": {"name": "charset_normalizer", "version": "3.3.2"}}]})");
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_EQ(*lock, "charset-normalizer==3.3.2\nrequests==2.31.0");
  EXPECT_EQ(*python_lock_from_pip_report(R"({"install": []})"), "");
}

TEST(PythonLock, AReportThatIsNotOneIsAnError) {
  EXPECT_FALSE(python_lock_from_pip_report("not json"));
  EXPECT_FALSE(python_lock_from_pip_report(R"({"installs": []})"));
  EXPECT_FALSE(python_lock_from_pip_report(R"({"install": [{"metadata": {"name": "x"}}]})"));
  EXPECT_FALSE(python_lock_from_pip_report(
      R"({"install": [{"metadata": {"name": "x", "version": "../1"}}]})"));
}

}  // namespace
}  // namespace millrace::packages
