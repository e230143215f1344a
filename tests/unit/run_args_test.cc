#include "api/run_args.h"

#include <gtest/gtest.h>

namespace millrace::api {
namespace {

TEST(RunArgsTest, ObjectBodyIsStoredAsSent) {
  std::string body = R"({"a": 1,  "b":"x"})";
  std::string ct = "application/json";
  RunArgsRequest req;
  req.content_type = &ct;
  req.body = &body;
  auto args = build_run_args(req);
  ASSERT_TRUE(args);
  EXPECT_EQ(*args, body);
}

}  // namespace
}  // namespace millrace::api
