#include "queue/jobs_by_due.h"

#include <gtest/gtest.h>

namespace millrace::queue {
namespace {

std::string id(int n) {
  char text[37];
  std::snprintf(text, sizeof text, "0190c3a4-1b2c-7d3e-8f40-%012d", n);
  return text;
}

TEST(JobsByDueTest, TakesTheEarliestDueFirstThenTheFirstAdded) {
  JobsByDue ready;
  ASSERT_TRUE(ready.add(id(1), 200));
  ASSERT_TRUE(ready.add(id(2), 100));
  ASSERT_TRUE(ready.add(id(3), 100));
  EXPECT_EQ(ready.size(), 3u);
  EXPECT_EQ(ready.next_due(), 100);
  EXPECT_EQ(ready.take_due(1000), id(2));
  EXPECT_EQ(ready.take_due(1000), id(3));
  EXPECT_EQ(ready.take_due(1000), id(1));
  EXPECT_EQ(ready.take_due(1000), std::nullopt);
  EXPECT_TRUE(ready.empty());
  EXPECT_EQ(ready.next_due(), std::nullopt);
}

TEST(JobsByDueTest, AJobIsNotTakenBeforeItIsDue) {
  JobsByDue ready;
  ready.add(id(1), 500);
  EXPECT_EQ(ready.take_due(499), std::nullopt);
  EXPECT_TRUE(ready.contains(id(1)));
  EXPECT_EQ(ready.take_due(500), id(1));
  EXPECT_FALSE(ready.contains(id(1)));
}

TEST(JobsByDueTest, AddingAJobAgainMovesItInsteadOfHoldingItTwice) {
  JobsByDue ready;
  ready.add(id(1), 100);
  ready.add(id(2), 100);
  ready.add(id(1), 100);  // now behind id(2)
  ready.add(id(3), 900);
  ready.add(id(3), 50);  // earlier
  EXPECT_EQ(ready.size(), 3u);
  EXPECT_EQ(ready.take_due(1000), id(3));
  EXPECT_EQ(ready.take_due(1000), id(2));
  EXPECT_EQ(ready.take_due(1000), id(1));
  EXPECT_EQ(ready.take_due(1000), std::nullopt);
}

TEST(JobsByDueTest, RemovedJobsAreGoneAndOnlyUuidsAreHeld) {
  JobsByDue ready;
  ready.add(id(1), 100);
  ready.add(id(2), 200);
  EXPECT_TRUE(ready.remove(id(1)));
  EXPECT_FALSE(ready.remove(id(1)));
  EXPECT_EQ(ready.next_due(), 200);
  EXPECT_FALSE(ready.add("not-a-uuid", 0));
  EXPECT_FALSE(ready.remove("not-a-uuid"));
  EXPECT_FALSE(ready.contains("not-a-uuid"));
  EXPECT_EQ(ready.size(), 1u);
  // Ids are given back in canonical (lowercase) form.
  ready.add("0190C3A4-1B2C-7D3E-8F40-00000000000A", 0);
  EXPECT_EQ(ready.take_due(0), "0190c3a4-1b2c-7d3e-8f40-00000000000a");
}

}  // namespace
}  // namespace millrace::queue
