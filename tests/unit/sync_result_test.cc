#include "api/sync_result.h"

#include <gtest/gtest.h>

namespace millrace::api {
namespace {

http::Response respond(const std::string& status, const std::string& result,
                       const SyncResponseOptions& options = {}) {
  return sync_response({"id", parse_job_status(status).value(), result}, options);
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
  // A document of the job's, on the app's origin: sandboxed and not sniffed.
  using Headers = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(r.headers, (Headers{{"X-A", "b"},
                                {"Content-Security-Policy", "sandbox"},
                                {"X-Content-Type-Options", "nosniff"}}));
  SyncResponseOptions trusting;
  trusting.sandbox_raw_bodies = false;
  EXPECT_EQ(respond("success", R"({"wm_content_type":"text/html","result":"x"})", trusting).headers,
            Headers{});

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

TEST(SyncResultTest, AResultMayNotActForTheApp) {
  const std::string origin = "http://app.example:8000";
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"set-cookie", "token=x"},
           {"content-security-policy", "default-src *"},
           {"access-control-allow-origin", "*"},
           {"location", "https://evil.example/"},
           {"location", "//evil.example/x"},
           {"refresh", "0; url=https://evil.example/"},
           {"transfer-encoding", "chunked"},
           {"connection", "close"},
           {"content-length", "1"}}) {
    EXPECT_NE(refused_result_header(name, value, origin), "") << name << ": " << value;
  }
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"location", "/api/version"},
                                                        {"location", "http://APP.example:8000/x"},
                                                        {"x-custom", "1"},
                                                        {"cache-control", "no-store"}}) {
    EXPECT_EQ(refused_result_header(name, value, origin), "") << name << ": " << value;
  }
  SyncResponseOptions options;
  options.origin = origin;
  auto r = respond("success", R"({"wm_headers":{"Set-Cookie":"token=x"},"result":1})", options);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "Bad request: the job's result may not set the header Set-Cookie (the app's own or a "
            "hop-by-hop header)");
}

}  // namespace
}  // namespace millrace::api
