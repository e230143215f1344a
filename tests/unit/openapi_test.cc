// The API document (api/openapi.yaml) and the router describe the same routes: a route served
// without being described, or described without being served, fails here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "api/context.h"
#include "api/openapi_document.h"
#include "api/routes.h"
#include "auth/authenticator.h"
#include "auth/login_limiter.h"
#include "auth/password_pool.h"
#include "common/config.h"
#include "common/fake_clock.h"
#include "common/timer_queue.h"
#include "http/router.h"
#include "queue/job_queue.h"
#include "secrets/vault.h"
#include "store/database.h"

namespace millrace::api {
namespace {

// `/api/w/:workspace/jobs/run/p/*path` → `/api/w/{workspace}/jobs/run/p/{path}`.
std::string as_openapi_path(const std::string& pattern) {
  std::string out;
  std::istringstream parts(pattern.substr(1));
  std::string seg;
  while (std::getline(parts, seg, '/')) {
    out += '/';
    out += (!seg.empty() && (seg[0] == ':' || seg[0] == '*')) ? "{" + seg.substr(1) + "}" : seg;
  }
  return out;
}

// "METHOD path" for every operation under `paths:`: a path is a key at two spaces, its
// operations keys at four.
std::set<std::string> described_operations(const std::string& yaml) {
  std::set<std::string> out;
  std::istringstream lines(yaml);
  std::string line, path;
  bool in_paths = false;
  while (std::getline(lines, line)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') {
      in_paths = line.starts_with("paths:");
      continue;
    }
    if (!in_paths) continue;
    if (line.starts_with("  /")) {
      path = line.substr(2, line.rfind(':') - 2);
      if (path.size() > 1 && (path.front() == '"' || path.front() == '\'')) {
        path = path.substr(1, path.size() - 2);
      }
    } else if (line.starts_with("    ") && line.size() > 4 && line[4] != ' ') {
      std::string key = line.substr(4, line.find(':') - 4);
      for (const char* method : {"get", "post", "put", "patch", "delete", "head", "options"}) {
        if (key != method) continue;
        std::string upper = key;
        for (char& c : upper) c = static_cast<char>(toupper(c));
        out.insert(upper + " " + path);
      }
    }
  }
  return out;
}

TEST(OpenApiDocumentTest, DescribesExactlyTheRoutesTheRouterServes) {
  auto dir = std::filesystem::temp_directory_path() /
             ("millrace-openapi-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    auto db = store::Database::open((dir / "db").string());
    ASSERT_TRUE(db) << db.error().message;
    FakeClock clock;
    Config config;
    auth::Authenticator authenticator(**db, clock, "", "secret");
    queue::JobQueue queue(**db, clock, 0);
    TimerQueue timers;
    auth::PasswordPool passwords(1, 1);
    auth::LoginLimiter logins(clock);
    auto vault = secrets::Vault::open(**db, {"", (dir / "master.key").string()}, clock);
    ASSERT_TRUE(vault) << vault.error().message;
    ApiContext ctx{config,
                   clock,
                   **db,
                   authenticator,
                   queue,
                   timers,
                   service::Scripts(**db, clock),
                   service::Flows(**db, clock),
                   service::Folders(**db, clock),
                   service::Tokens(**db, clock, authenticator),
                   service::Users(**db, clock, authenticator),
                   service::Jobs(**db, queue, clock),
                   service::AuditLog(**db),
                   service::Variables(**db, clock, **vault),
                   service::Resources(**db, clock),
                   service::HttpTriggers(**db, clock),
                   flow::Approvals(**db, queue, clock),
                   KnownWorkspaces(**db),
                   "http://localhost",
                   passwords,
                   logins,
                   {},
                   {},
                   BackPressure(config, clock, **db)};
    http::Router router;
    register_routes(router, ctx);

    std::set<std::string> served;
    for (const auto& [method, pattern] : router.table()) {
      served.insert(method + " " + as_openapi_path(pattern));
    }
    const std::set<std::string> described = described_operations(kOpenApiYaml);
    ASSERT_GT(served.size(), 50u);
    for (const auto& op : served) {
      EXPECT_TRUE(described.count(op)) << op << " is served but not described in openapi.yaml";
    }
    for (const auto& op : described) {
      EXPECT_TRUE(served.count(op)) << op << " is described in openapi.yaml but not served";
    }
    timers.stop();
    passwords.stop();
  }
  std::filesystem::remove_all(dir);
}

TEST(OpenApiDocumentTest, PathsAreWrittenAsTheDocumentWritesThem) {
  EXPECT_EQ(as_openapi_path("/api/w/:workspace/jobs/run/p/*path"),
            "/api/w/{workspace}/jobs/run/p/{path}");
  auto ops = described_operations(
      "openapi: 3.0.3\npaths:\n  /api/version:\n    get:\n      summary: x\n"
      "    parameters: []\n  /metrics:\n    head:\n      x: y\ncomponents:\n  /nope:\n"
      "    get: {}\n");
  EXPECT_EQ(ops, (std::set<std::string>{"GET /api/version", "HEAD /metrics"}));
}

}  // namespace
}  // namespace millrace::api
