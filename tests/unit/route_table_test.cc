// HTTP routes: which one a request is for, and which ones cannot both exist.
#include "triggers/route_table.h"

#include <gtest/gtest.h>

namespace millrace::triggers {
namespace {

TEST(RouteTable, AStaticSegmentWinsOverAParameterWhateverTheOrderOfCreation) {
  for (bool static_first : {true, false}) {
    RouteTable t;
    if (static_first) {
      ASSERT_TRUE(t.add("new", "POST", "users/new"));
    }
    ASSERT_TRUE(t.add("by_id", "POST", "users/:id"));
    if (!static_first) {
      ASSERT_TRUE(t.add("new", "POST", "users/new"));
    }
    EXPECT_EQ(t.match("POST", "users/new")->id, "new");
    auto m = t.match("POST", "users/42");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->id, "by_id");
    EXPECT_EQ(m->params, (std::vector<std::pair<std::string, std::string>>{{"id", "42"}}));
  }
}

TEST(RouteTable, TheFirstPlaceTwoRoutesDifferDecides) {
  RouteTable t;
  ASSERT_TRUE(t.add("a", "GET", "orgs/:org/repos/:repo"));
  ASSERT_TRUE(t.add("b", "GET", "orgs/acme/repos/:repo"));
  ASSERT_TRUE(t.add("c", "GET", ":any/acme/repos/main"));
  EXPECT_EQ(t.match("GET", "orgs/acme/repos/main")->id, "b");
  EXPECT_EQ(t.match("GET", "orgs/other/repos/main")->id, "a");
  EXPECT_EQ(t.match("GET", "teams/acme/repos/main")->id, "c");
  auto m = t.match("GET", "orgs/x/repos/y");
  EXPECT_EQ(m->params,
            (std::vector<std::pair<std::string, std::string>>{{"org", "x"}, {"repo", "y"}}));
}

TEST(RouteTable, MethodAndLengthMustMatchAndAParameterIsNeverEmpty) {
  RouteTable t;
  ASSERT_TRUE(t.add("hook", "post", "github/push"));
  ASSERT_TRUE(t.add("item", "POST", "items/:id"));
  EXPECT_TRUE(t.match("POST", "github/push"));
  EXPECT_FALSE(t.match("GET", "github/push"));
  EXPECT_FALSE(t.match("POST", "github/push/more"));
  EXPECT_FALSE(t.match("POST", "github"));
  EXPECT_FALSE(t.match("POST", "items/"));
  EXPECT_FALSE(t.match("POST", "GitHub/push"));  // segments are case-sensitive
}

TEST(RouteTable, RoutesMatchingTheSameRequestsCollide) {
  RouteTable t;
  ASSERT_TRUE(t.add("one", "POST", "users/:id"));
  auto second = t.add("two", "POST", "users/:name");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message,
            "Bad request: the route POST users/:name collides with the existing route users/:id");
  EXPECT_TRUE(t.add("three", "GET", "users/:name"));  // another method
  EXPECT_TRUE(t.add("one", "POST", "users/:name"));   // a route may change itself
  t.remove("one");
  EXPECT_TRUE(t.add("two", "POST", "users/:id"));
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.match("POST", "users/7")->id, "two");
}

TEST(RouteTable, RoutePathsAreCheckedInWords) {
  EXPECT_TRUE(RouteTable::check_route_path("api/v1/stripe_events"));
  EXPECT_TRUE(RouteTable::check_route_path("a.b~c-d/:param_1"));
  for (const char* bad : {"", "/leading", "trailing/", "a//b", "a/:", "a/:1x", "a/:x-y", "a/b c",
                          "a/%2e%2e", "a/:x/:x", "a/*rest"}) {
    auto s = RouteTable::check_route_path(bad);
    EXPECT_FALSE(s) << bad;
    if (!s) {
      EXPECT_NE(s.error().message.find("route_path"), std::string::npos) << bad;
    }
  }
  RouteTable t;
  EXPECT_FALSE(t.add("x", "POST", "a//b"));
  EXPECT_EQ(t.size(), 0u);
}

}  // namespace
}  // namespace millrace::triggers
