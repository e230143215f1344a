#include <gtest/gtest.h>

#include "http/message.h"
#include "http/router.h"

namespace millrace::http {
namespace {

class CapturingResponder : public Responder {
 public:
  void send(Response r) override { response = std::move(r); }
  void on_disconnect(std::function<void()>) override {}
  void start_stream(Response) override {}
  void write(std::string) override {}
  void end() override {}
  Response response;
};

TEST(MaskTokenTest, HidesTokenValuesInLogs) {
  EXPECT_EQ(mask_token("/api/x?token=abc&a=1"), "/api/x?token=***&a=1");
  EXPECT_EQ(mask_token("/api/x?a=1&token=abc"), "/api/x?a=1&token=***");
  EXPECT_EQ(mask_token("/api/x?mytoken=abc"), "/api/x?mytoken=abc");
  EXPECT_EQ(mask_token("/api/x"), "/api/x");
  EXPECT_EQ(mask_token("/api/x?%74oken=abc"), "/api/x?%74oken=***");
}

TEST(RequestTest, QueryCookiesAndHeaders) {
  Request r;
  r.query = "a=1&b=x%20y&c=p+q&flag";
  r.headers = {{"cookie", "x=1; token=abc; y=2"}, {"x-sign", "s"}};
  EXPECT_EQ(r.query_param("b"), "x y");
  EXPECT_EQ(r.query_param("c"), "p q");
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_FALSE(r.query_param("zzz"));
  EXPECT_EQ(r.cookie("token"), "abc");
  ASSERT_NE(r.header("x-sign"), nullptr);
  Request bad;
  bad.query = "a=%zz";
  std::vector<std::pair<std::string, std::string>> all;
  EXPECT_FALSE(bad.query_params(all));
}

TEST(RouterTest, MatchesParamsAndTails) {
  Router router;
  std::string seen;
  router.add("POST", "/api/w/:workspace/jobs/run/p/*path", [&](Request& q, ResponderPtr r) {
    seen = q.params["workspace"] + "|" + q.params["path"];
    r->send(Response::text(201, "ok"));
  });
  router.add("GET", "/api/version",
             [&](Request&, ResponderPtr r) { r->send(Response::text(200, "v")); });

  auto responder = std::make_shared<CapturingResponder>();
  Request req;
  req.method = "POST";
  req.path = "/api/w/admins/jobs/run/p/u/alice/hello";
  router.dispatch(req, responder);
  EXPECT_EQ(responder->response.status, 201);
  EXPECT_EQ(seen, "admins|u/alice/hello");

  req.method = "GET";
  router.dispatch(req, responder);
  EXPECT_EQ(responder->response.status, 405);

  req.method = "POST";
  req.path = "/api/w/admins/jobs/run/p/";
  router.dispatch(req, responder);
  EXPECT_EQ(responder->response.status, 404);

  req.method = "HEAD";
  req.path = "/api/version";
  router.dispatch(req, responder);
  EXPECT_EQ(responder->response.status, 200);
}

TEST(RouterTest, FallbackTakesOnlyUnknownPaths) {
  Router router;
  router.add("GET", "/api/version",
             [&](Request&, ResponderPtr r) { r->send(Response::text(200, "v")); });
  std::string fallback_saw;
  router.set_fallback([&](Request& q, ResponderPtr r) {
    fallback_saw = q.method + " " + q.path;
    r->send(Response::text(299, "app"));
  });
  auto responder = std::make_shared<CapturingResponder>();
  Request req;
  req.method = "GET";
  req.path = "/scripts/get/u/alice/hello";
  router.dispatch(req, responder);
  EXPECT_EQ(responder->response.status, 299);
  EXPECT_EQ(fallback_saw, "GET /scripts/get/u/alice/hello");

  fallback_saw.clear();
  req.method = "POST";
  req.path = "/api/version";  // a known path with another method stays a 405
  router.dispatch(req, responder);
  EXPECT_EQ(responder->response.status, 405);
  EXPECT_EQ(fallback_saw, "");
}

}  // namespace
}  // namespace millrace::http
