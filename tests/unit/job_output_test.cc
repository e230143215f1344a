// Splitting a job's output into logs and result stream, and merging the stream into the result
// (worker/job_output.h; Windmill's result streaming).
#include "worker/job_output.h"

#include <gtest/gtest.h>

namespace millrace::worker {
namespace {

OutputSplitter::Parts split_all(std::initializer_list<std::string_view> chunks) {
  OutputSplitter s;
  OutputSplitter::Parts all;
  for (auto c : chunks) {
    auto p = s.add(c);
    all.logs += p.logs;
    all.stream += p.stream;
  }
  auto p = s.finish();
  all.logs += p.logs;
  all.stream += p.stream;
  return all;
}

TEST(OutputSplitterTest, StreamLinesLeaveTheLogsAndLoseTheirPrefix) {
  auto p = split_all({"before\nWM_STREAM: hello \nWM_STREAM: world\\nagain\nafter\n"});
  EXPECT_EQ(p.logs, "before\nafter\n");
  EXPECT_EQ(p.stream, "hello world\nagain");
}

TEST(OutputSplitterTest, LinesMayArriveInAnyPieces) {
  auto p = split_all({"WM_", "STR", "EAM: a", "b\nlog", " line\nW", "M_STREAM: c\n"});
  EXPECT_EQ(p.stream, "abc");
  EXPECT_EQ(p.logs, "log line\n");
}

TEST(OutputSplitterTest, OrdinaryOutputGoesOutAsItComesEvenWithoutANewline) {
  OutputSplitter s;
  EXPECT_EQ(s.add("progress: 10%").logs, "progress: 10%");
  EXPECT_EQ(s.add(" 20%").logs, " 20%");
  // A line start that may still be a stream line waits for more.
  EXPECT_EQ(s.add("\nWM_ST").logs, "\n");
  EXPECT_EQ(s.add("ART\n").logs, "WM_START\n");
}

TEST(OutputSplitterTest, AnEmptyPieceOrAnUnfinishedLineIsKeptAsItWas) {
  auto p = split_all({"WM_STREAM: \nWM_STREAM: last"});
  EXPECT_EQ(p.logs, "WM_STREAM: \n");  // nothing after the prefix: a log line, as in Windmill
  EXPECT_EQ(p.stream, "last");         // the last line counts, newline or not
  p = split_all({"no newline at the end"});
  EXPECT_EQ(p.logs, "no newline at the end");
  p = split_all({"W"});
  EXPECT_EQ(p.logs, "W");
}

TEST(MergeResultStreamTest, NullBecomesTheStreamAndObjectsGetIt) {
  EXPECT_EQ(merge_result_stream("null", "a\"b"), R"("a\"b")");
  EXPECT_EQ(merge_result_stream("{}", "s"), R"({"wm_stream":"s"})");
  EXPECT_EQ(merge_result_stream(R"({"n": 123456789012345678901234567890})", "s"),
            R"({"n": 123456789012345678901234567890,"wm_stream":"s"})");
  EXPECT_EQ(merge_result_stream("[1]", "s"), "[1]");
  EXPECT_EQ(merge_result_stream("\"text\"", "s"), "\"text\"");
  EXPECT_EQ(merge_result_stream("null", ""), "null");
}

}  // namespace
}  // namespace millrace::worker
