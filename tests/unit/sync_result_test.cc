#include "api/sync_result.h"

#include <gtest/gtest.h>

namespace millrace::api {
namespace {

http::Response respond(const std::string& status, const std::string& result) {
  return sync_response({"id", status, result});
}

TEST(SyncResultTest, SuccessIsTheBareResult) {
  auto r = respond("success", R"("hello")");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"("hello")");
}

TEST(SyncResultTest, FailureIs422WithTheError) {
  auto r = respond("failure", R"({"error":{"name":"E","message":"m"}})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body, R"({"error":{"name":"E","message":"m"}})");
  EXPECT_EQ(respond("canceled", R"({"error":{}})").status, 422);
}

TEST(SyncResultTest, ResultObjectsMayChooseStatusHeadersAndType) {
  auto r = respond("success", R"({"windmill_status_code":201,"windmill_content_type":"text/html",)"
                              R"("windmill_headers":{"X-A":"b"},"result":"<p>hi</p>"})");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "text/html");
  EXPECT_EQ(r.body, "<p>hi</p>");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "X-A");

  auto alias = respond("success", R"({"wm_status_code":418,"result":{"a":1}})");
  EXPECT_EQ(alias.status, 418);
  EXPECT_EQ(alias.body, R"({"a":1})");

  EXPECT_EQ(respond("success", R"({"wm_headers":{"X":"y"}})").status, 204);
  auto no_content = respond("success", R"({"wm_status_code":204,"result":1})");
  EXPECT_EQ(no_content.status, 204);
  EXPECT_TRUE(no_content.body.empty());
  EXPECT_EQ(respond("success", R"({"wm_status_code":101,"result":1})").status, 500);
  EXPECT_EQ(
      respond("success", R"({"wm_headers":{"X-A":"a\r\nSet-Cookie: x=1"},"result":1})").status,
      500);
  EXPECT_EQ(respond("success", R"({"wm_headers":{"Bad Name":"v"},"result":1})").status, 500);
  EXPECT_EQ(
      respond("success", R"({"wm_content_type":")" + std::string(20000, 'a') + R"(","result":1})")
          .status,
      500);
  EXPECT_EQ(respond("success", R"({"wm_status_code":"x","result":1})").status, 500);
  EXPECT_EQ(respond("success", R"({"wm_other":1})").status, 200);
}

}  // namespace
}  // namespace millrace::api
