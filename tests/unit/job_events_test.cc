#include "queue/job_events.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace millrace::queue {
namespace {

TEST(JobEventsTest, EachWaiterHearsTheOutcomeOnceAndOnlyOfItsJob) {
  JobEvents events;
  std::vector<std::string> heard;
  events.wait_for_outcome("a",
                          [&](const JobCompletion& c) { heard.push_back("1:" + c.result_json); });
  events.wait_for_outcome("a",
                          [&](const JobCompletion& c) { heard.push_back("2:" + c.result_json); });
  events.wait_for_outcome("b", [&](const JobCompletion&) { heard.push_back("b"); });
  EXPECT_TRUE(events.has_waiters("a"));
  events.completed({"a", JobStatus::Success, "7"});
  EXPECT_EQ(heard, (std::vector<std::string>{"1:7", "2:7"}));
  EXPECT_FALSE(events.has_waiters("a"));
  events.completed({"a", JobStatus::Success, "8"});  // no one waits any more
  EXPECT_EQ(heard.size(), 2u);
  EXPECT_TRUE(events.has_waiters("b"));
}

TEST(JobEventsTest, AForgottenWaiterOrWatcherIsNotCalled) {
  JobEvents events;
  int calls = 0;
  uint64_t w = events.wait_for_outcome("a", [&](const JobCompletion&) { ++calls; });
  uint64_t n = events.watch_news("a", [&] { ++calls; });
  events.forget_waiter("a", w);
  events.forget_news("a", n);
  EXPECT_FALSE(events.watched("a"));
  events.completed({"a", JobStatus::Failure, "{}"});
  events.news("a");
  EXPECT_EQ(calls, 0);
}

TEST(JobEventsTest, NewsWatchersAreCalledOnceAndMayWatchAgainFromTheirCallback) {
  JobEvents events;
  int calls = 0;
  std::function<void()> watch = [&] {
    ++calls;
    if (calls < 3) events.watch_news("a", watch);  // a long poll asks again
  };
  events.watch_news("a", watch);
  for (int i = 0; i < 5; ++i) events.news("a");
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE(events.watched("a"));
}

TEST(JobEventsTest, WatchedJobsListsBothKindsAndDropAllCallsNoOne) {
  JobEvents events;
  int calls = 0;
  events.wait_for_outcome("a", [&](const JobCompletion&) { ++calls; });
  events.watch_news("b", [&] { ++calls; });
  auto watched = events.watched_jobs();
  std::sort(watched.begin(), watched.end());
  EXPECT_EQ(watched, (std::vector<std::string>{"a", "b"}));
  events.drop_all();
  events.completed({"a", JobStatus::Success, "1"});
  events.news("b");
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(events.watched_jobs().empty());
}

}  // namespace
}  // namespace millrace::queue
