#include "ui/static_site.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ui/embedded_files.h"

namespace millrace::ui {
namespace {

class CapturingResponder : public http::Responder {
 public:
  void send(http::Response r) override { response = std::move(r); }
  void on_disconnect(std::function<void()>) override {}
  void start_stream(http::Response) override {}
  void write(std::string) override {}
  void end() override {}
  http::Response response;
};

http::Response get(const http::Handler& handler, const std::string& path,
                   const std::string& method = "GET", const std::string& if_none_match = "") {
  http::Request req;
  req.method = method;
  req.path = path;
  if (!if_none_match.empty()) req.headers.emplace_back("if-none-match", if_none_match);
  auto r = std::make_shared<CapturingResponder>();
  handler(req, r);
  return r->response;
}

std::string header(const http::Response& res, const std::string& name) {
  for (const auto& [k, v] : res.headers)
    if (k == name) return v;
  return "";
}

TEST(StaticSiteTest, EmbeddedAppServesFilesAndDeepLinks) {
  auto site = static_site_handler("");
  auto index = get(site, "/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("/js/main.js"), std::string::npos);
  EXPECT_NE(header(index, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);

  // The app's own routes answer its index.html, so a reload of a deep link works.
  auto deep = get(site, "/scripts/get/u/admin/hello");
  EXPECT_EQ(deep.status, 200);
  EXPECT_EQ(deep.body, index.body);

  auto js = get(site, "/js/main.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(get(site, "/js/missing.js").status, 404);  // never index.html for a file
  EXPECT_EQ(get(site, "/api/no/such/route").status, 404);
  EXPECT_EQ(get(site, "/", "POST").status, 405);

  // Revalidation: the ETag from the build answers 304 without a body.
  std::string etag = header(js, "ETag");
  ASSERT_FALSE(etag.empty());
  auto again = get(site, "/js/main.js", "GET", etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
}

TEST(StaticSiteTest, EmbeddedFilesMatchTheSourceFolder) {
  size_t count = 0;
  for (const auto& f : embedded_files()) {
    ++count;
    EXPECT_EQ(f.path[0], '/');
    EXPECT_GT(f.size, 0u) << f.path;
  }
  EXPECT_GE(count, 10u);
}

TEST(StaticSiteTest, DevelopmentFolderIsReadLiveAndConfined) {
  auto dir = std::filesystem::temp_directory_path() / "millrace-static-site-test";
  std::filesystem::create_directories(dir / "js");
  std::ofstream(dir / "index.html") << "<p>v1</p>";
  std::ofstream(dir / "js" / "a.js") << "export {}";
  auto site = static_site_handler(dir.string());
  EXPECT_EQ(get(site, "/runs").body, "<p>v1</p>");
  std::ofstream(dir / "index.html") << "<p>v2</p>";
  EXPECT_EQ(get(site, "/runs").body, "<p>v2</p>");
  EXPECT_EQ(get(site, "/js/a.js").status, 200);
  EXPECT_EQ(get(site, "/js/../../../etc/passwd.txt").status, 404);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace millrace::ui
