// What a cancel finds of a running job: its handler, and the first canceler's mark.
#include "queue/running_jobs.h"

#include <gtest/gtest.h>

namespace millrace::queue {
namespace {

TEST(RunningJobsTest, ACancelReachesTheHandlerOfAJobThatRunsHereAndTheFirstMarkIsKept) {
  RunningJobs running;
  EXPECT_FALSE(running.mark_canceled("a", "alice", "why").runs);  // not running here
  EXPECT_EQ(running.set_cancel_handler("a", [] {}), std::nullopt);

  running.add("a");
  int calls = 0;
  EXPECT_EQ(running.set_cancel_handler("a", [&] { ++calls; }), false);
  auto first = running.mark_canceled("a", "alice", "enough");
  EXPECT_TRUE(first.runs);
  EXPECT_TRUE(first.first);
  ASSERT_TRUE(first.on_cancel);
  first.on_cancel();
  EXPECT_EQ(calls, 1);
  auto second = running.mark_canceled("a", "bob", "me too");
  EXPECT_TRUE(second.runs);
  EXPECT_FALSE(second.first);
  EXPECT_EQ(running.cancel_mark("a"), CancelMark("alice", "enough"));

  EXPECT_EQ(running.remove("a"), CancelMark("alice", "enough"));
  EXPECT_FALSE(running.runs("a"));
  EXPECT_EQ(running.remove("a"), std::nullopt);
}

TEST(RunningJobsTest, AJobCanceledBeforeItsHandlerIsSetIsToldSoAtOnce) {
  RunningJobs running;
  running.add("b");
  running.mark_canceled("b", "alice", "early");
  running.add("b");  // added again: kept as it is, mark and all
  EXPECT_EQ(running.set_cancel_handler("b", [] {}), true);
  running.add("c");
  running.set_cancel_handler("c", [] {});
  EXPECT_EQ(running.ids().size(), 2u);
  EXPECT_EQ(running.handlers().size(), 2u);
}

}  // namespace
}  // namespace millrace::queue
