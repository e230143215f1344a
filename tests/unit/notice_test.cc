#include "queue/notice.h"

#include <gtest/gtest.h>

namespace millrace::queue {
namespace {

const char* kId = "0190c3a4-1b2c-7d3e-8f40-5a6b7c8d9e0f";

TEST(NoticeTest, EachKindIsOneLetterAndRoundTrips) {
  const std::pair<Notice, std::string> cases[] = {
      {Notice::ready(), "q"},
      {Notice::done(kId), std::string("d ") + kId},
      {Notice::news(kId), std::string("n ") + kId},
      {Notice::canceled(kId), std::string("c ") + kId},
      {Notice::early_answer(kId), std::string("e ") + kId},
  };
  for (const auto& [notice, text] : cases) {
    EXPECT_EQ(notice.encode(), text);
    EXPECT_EQ(Notice::decode(text), notice) << text;
  }
}

TEST(NoticeTest, AnythingElseIsNotANotice) {
  for (std::string_view text : {"", "q ", "q x", "d", "d ", "dx", "x 1", "Q", "done 1"}) {
    EXPECT_EQ(Notice::decode(text), std::nullopt) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace millrace::queue
