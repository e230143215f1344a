#include "auth/scopes.h"

#include <gtest/gtest.h>

namespace millrace::auth {
namespace {

using Scopes = std::vector<std::string>;

TEST(ScopesTest, UnscopedTokensHaveFullRights) {
  EXPECT_TRUE(is_unscoped({}));
  EXPECT_TRUE(is_unscoped({"if_jobs:filter_tags:x"}));
  EXPECT_FALSE(is_unscoped({"jobs:read"}));
}

TEST(ScopesTest, ResourcePatterns) {
  EXPECT_TRUE(resource_matches("u/a/b", "u/a/b"));
  EXPECT_FALSE(resource_matches("u/a/b", "u/a/bc"));
  EXPECT_TRUE(resource_matches("u/a/*", "u/a/b"));
  EXPECT_TRUE(resource_matches("u/a/*", "u/a/b/c"));
  EXPECT_TRUE(resource_matches("u/a/*", "u/a"));
  EXPECT_FALSE(resource_matches("u/a/*", "u/ab/c"));
  EXPECT_TRUE(resource_matches("*", "f/x/y"));
}

TEST(ScopesTest, RunScopeIsCheckedPerPath) {
  Scopes s = {"jobs:run:scripts:u/admin/a,f/team/*"};
  EXPECT_TRUE(scopes_allow_run(s, "scripts", "u/admin/a"));
  EXPECT_TRUE(scopes_allow_run(s, "scripts", "f/team/x"));
  EXPECT_FALSE(scopes_allow_run(s, "scripts", "u/admin/b"));
  EXPECT_FALSE(scopes_allow_run(s, "flows", "u/admin/a"));
  EXPECT_TRUE(scopes_allow_run({"jobs:run"}, "flows", "u/x/y"));
  EXPECT_TRUE(scopes_allow_run({"jobs:run:scripts"}, "scripts", "u/x/y"));
  EXPECT_TRUE(scopes_allow_run({"*"}, "scripts", "u/x/y"));
  EXPECT_TRUE(scopes_allow_run({}, "scripts", "u/x/y"));
}

TEST(ScopesTest, UnsavedCodeNeedsARunScopeForEveryPath) {
  EXPECT_TRUE(scopes_allow_any_run({}, "scripts"));
  EXPECT_TRUE(scopes_allow_any_run({"*"}, "flows"));
  EXPECT_TRUE(scopes_allow_any_run({"jobs:run"}, "flows"));
  EXPECT_TRUE(scopes_allow_any_run({"jobs:run:scripts"}, "scripts"));
  EXPECT_TRUE(scopes_allow_any_run({"jobs:run:scripts:*"}, "scripts"));
  EXPECT_FALSE(scopes_allow_any_run({"jobs:run:scripts"}, "flows"));
  EXPECT_FALSE(scopes_allow_any_run({"jobs:run:scripts:u/admin/a"}, "scripts"));
  EXPECT_FALSE(scopes_allow_any_run({"jobs:run:scripts:u/admin/*"}, "scripts"));
  EXPECT_FALSE(scopes_allow_any_run({"jobs:read"}, "scripts"));
  // A flow preview's route asks for a flows scope, a script preview's for a scripts scope.
  EXPECT_EQ(route_requirement("POST", "w/a/jobs/run/preview_flow")->describe(), "jobs:run:flows");
  EXPECT_EQ(route_requirement("POST", "w/a/jobs/run_wait_result/preview_flow")->describe(),
            "jobs:run:flows");
  EXPECT_EQ(route_requirement("POST", "w/a/jobs/run/preview")->describe(), "jobs:run:scripts");
}

TEST(ScopesTest, LegacyFormsAreTranslated) {
  EXPECT_TRUE(scopes_allow_run({"run:script/u/a/b"}, "scripts", "u/a/b"));
  EXPECT_FALSE(scopes_allow_run({"run:script/u/a/b"}, "scripts", "u/a/c"));
  EXPECT_TRUE(scopes_allow_run({"run:flow/f/x/y"}, "flows", "f/x/y"));
  auto s = parse_scope("jobs:listjobs");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->domain, "jobs");
  EXPECT_EQ(s->action, "read");
  EXPECT_FALSE(parse_scope("jobs:explode"));
  EXPECT_FALSE(parse_scope("jobs:run:widgets:x"));
}

TEST(ScopesTest, RouteRequirementsFollowTheRoute) {
  auto run = route_requirement("POST", "w/admins/jobs/run/p/u/a/b");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->describe(), "jobs:run:scripts");
  auto sync = route_requirement("GET", "w/admins/jobs/run_wait_result/f/u/a/b");
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->describe(), "jobs:run:flows");
  auto poll = route_requirement("GET", "w/admins/jobs_u/completed/get_result/x");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->describe(), "jobs:read");
  EXPECT_TRUE(poll->on_own_job);
  auto cancel = route_requirement("POST", "w/admins/jobs_u/queue/cancel/x");
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->describe(), "jobs:write");
  EXPECT_TRUE(cancel->on_own_job);
  auto listing = route_requirement("GET", "w/admins/jobs/list");
  ASSERT_TRUE(listing);
  EXPECT_FALSE(listing->on_own_job);
  auto write = route_requirement("POST", "w/admins/scripts/create");
  ASSERT_TRUE(write);
  EXPECT_EQ(write->describe(), "scripts:write");
  auto global = route_requirement("GET", "users/whoami");
  ASSERT_TRUE(global);
  EXPECT_EQ(global->describe(), "users:read");
  auto unknown = route_requirement("GET", "w/admins/zzz/list");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "Bad request: Could not extract domain from route");
}

TEST(ScopesTest, RouteLevelGrants) {
  auto run = *route_requirement("POST", "w/admins/jobs/run/p/u/a/b");
  auto poll = *route_requirement("GET", "w/admins/jobs_u/completed/get_result/x");
  auto list = *route_requirement("GET", "w/admins/scripts/list");
  auto create = *route_requirement("POST", "w/admins/scripts/create");
  auto jobs = *route_requirement("GET", "w/admins/jobs/list");
  auto resume_urls = *route_requirement("GET", "w/admins/jobs/resume_urls/x/1");
  auto cancel = *route_requirement("POST", "w/admins/jobs_u/queue/cancel/x");
  Scopes webhook = {"jobs:run:scripts:u/a/b"};
  EXPECT_TRUE(scopes_allow_route(webhook, run));
  // On one job (the handler then checks that the token started it); never a list of jobs.
  EXPECT_TRUE(scopes_allow_route(webhook, poll));
  EXPECT_TRUE(scopes_allow_route(webhook, resume_urls));
  EXPECT_TRUE(scopes_allow_route(webhook, cancel));
  EXPECT_FALSE(scopes_allow_route(webhook, jobs));
  EXPECT_FALSE(scopes_allow_route(webhook, list));
  EXPECT_FALSE(scopes_read_all_jobs(webhook));
  EXPECT_TRUE(scopes_read_all_jobs({"jobs:read"}));
  EXPECT_TRUE(scopes_read_all_jobs({}));
  EXPECT_TRUE(scopes_allow_route({"jobs:read"}, jobs));
  EXPECT_FALSE(scopes_allow_route({"jobs:run"}, jobs));  // run is not read
  EXPECT_FALSE(scopes_allow_route({"jobs:run:flows"}, run));
  EXPECT_TRUE(scopes_allow_route({"scripts:write"}, list));  // write implies read
  EXPECT_TRUE(scopes_allow_route({"scripts:write"}, create));
  EXPECT_FALSE(scopes_allow_route({"scripts:read"}, create));
  EXPECT_TRUE(scopes_allow_route({"scripts:delete"}, create));  // delete is write
}

}  // namespace
}  // namespace millrace::auth
