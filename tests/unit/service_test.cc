// The resource services against a real database file: what they refuse, what they keep, the
// audit row each change writes with it, and the caches they drop.
#include <gtest/gtest.h>

#include "auth/authenticator.h"
#include "auth/identity.h"
#include "auth/token.h"
#include "common/fake_clock.h"
#include "service/flows.h"
#include "service/folders.h"
#include "service/scripts.h"
#include "service/tokens.h"
#include "service/users.h"
#include "store/audit.h"
#include "store/database.h"
#include "temp_database.h"

namespace millrace::service {
namespace {

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(temp_.opened());
    auth_ = std::make_unique<auth::Authenticator>(*db_, clock_, "superadmin-secret",
                                                  "job-token-secret-of-this-test");
    alice_.email = "alice@example.com";
    alice_.username = "alice";
  }
  void TearDown() override { auth_.reset(); }

  store::ScriptRecord draft(const std::string& content) {
    store::ScriptRecord s;
    s.workspace_id = "w";
    s.path = "u/alice/s";
    s.summary = "";
    s.content = content;
    s.language = "bash";
    return s;
  }
  std::vector<store::AuditRecord> audit(const std::string& ws) {
    store::AuditFilter f;
    auto rows = db_->read([&](store::Connection& c) { return store::list_audit(c, ws, f); });
    EXPECT_TRUE(rows);
    return rows ? *rows : std::vector<store::AuditRecord>{};
  }

  TempDatabase temp_{"service"};
  store::Database* db_ = &temp_.db();
  FakeClock clock_;
  std::unique_ptr<auth::Authenticator> auth_;
  auth::Identity alice_;
};

TEST_F(ServiceTest, ScriptVersionsFormOneLineagePerPathAndEachSaveIsAudited) {
  Scripts scripts(*db_, clock_);
  auto first = scripts.save(alice_, draft("echo 1"), {});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(scripts.latest("w", "u/alice/s"));  // now cached

  // A second root at a live path is a conflict; its child is the new head, cache and all.
  auto conflict = scripts.save(alice_, draft("echo 2"), {});
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().kind, ErrorKind::Invalid);
  EXPECT_NE(conflict.error().message.find("Path conflict"), std::string::npos);
  auto second = scripts.save(alice_, draft("echo 2"), {/*auto_parent=*/true, false});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(*second, *first);
  auto head = scripts.latest("w", "u/alice/s");
  ASSERT_TRUE(head);
  EXPECT_EQ((*head)->hash, *second);
  EXPECT_EQ((*head)->created_by, "alice");

  // The lineage never forks: the first version already has a child.
  auto fork = draft("echo 3");
  fork.parent_hash = *first;
  auto forked = scripts.save(alice_, fork, {});
  ASSERT_FALSE(forked);
  EXPECT_NE(forked.error().message.find("already has a child"), std::string::npos);

  // Nothing new with skip_if_noop: the parent's hash, and nothing saved.
  auto same = scripts.save(alice_, draft("echo 2"), {true, /*skip_if_noop=*/true});
  ASSERT_TRUE(same);
  EXPECT_EQ(*same, *second);
  auto versions = scripts.history("w", "u/alice/s");
  ASSERT_TRUE(versions);
  EXPECT_EQ(versions->size(), 2u);

  auto rows = audit("w");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].operation, "scripts.update");  // newest first
  EXPECT_EQ(rows[1].operation, "scripts.create");
  EXPECT_EQ(rows[1].username, "alice");
}

TEST_F(ServiceTest, ArchivingAPathIsAuditedAndSeenByTheNextLookup) {
  Scripts scripts(*db_, clock_);
  auto hash = scripts.save(alice_, draft("echo 1"), {});
  ASSERT_TRUE(hash);
  ASSERT_FALSE((*scripts.latest("w", "u/alice/s"))->archived);
  ASSERT_TRUE(scripts.set_archived(alice_, "w", "u/alice/s", true));
  EXPECT_TRUE((*scripts.latest("w", "u/alice/s"))->archived);
  Status missing = scripts.set_archived(alice_, "w", "u/alice/none", true);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
  auto rows = audit("w");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].operation, "scripts.archive");
  EXPECT_EQ(rows[0].resource, *hash);
}

TEST_F(ServiceTest, AFlowIsSavedRenamedButNeverOntoAnotherAndEveryChangeIsAudited) {
  Flows flows(*db_, clock_);
  auto flow_at = [](const std::string& path) {
    store::FlowRecord f;
    f.workspace_id = "w";
    f.path = path;
    f.value_json = R"({"modules":[]})";
    return f;
  };
  auto a = flow_at("u/alice/a");
  ASSERT_TRUE(flows.save(alice_, a, std::nullopt, std::nullopt));
  EXPECT_GT(a.version_id, 0);
  auto b = flow_at("u/alice/b");
  ASSERT_TRUE(flows.save(alice_, b, std::nullopt, std::nullopt));

  auto again = flow_at("u/alice/a");
  Status taken = flows.save(alice_, again, std::nullopt, std::nullopt);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::Invalid);
  auto onto_b = flow_at("u/alice/b");
  ASSERT_FALSE(flows.save(alice_, onto_b, std::string("u/alice/a"), std::nullopt));
  auto of_nothing = flow_at("u/alice/c");
  Status missing = flows.save(alice_, of_nothing, std::string("u/alice/none"), std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);

  auto renamed = flow_at("u/alice/c");
  ASSERT_TRUE(flows.save(alice_, renamed, std::string("u/alice/a"), std::string("moved")));
  auto gone = flows.find("w", "u/alice/a");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
  auto moved = flows.find("w", "u/alice/c");
  ASSERT_TRUE(moved && *moved);
  EXPECT_EQ((*moved)->edited_by, "alice");

  ASSERT_TRUE(flows.set_archived(alice_, "w", "u/alice/c", true));
  ASSERT_TRUE(flows.remove(alice_, "w", "u/alice/b"));
  EXPECT_EQ(flows.remove(alice_, "w", "u/alice/b").error().kind, ErrorKind::NotFound);
  auto rows = audit("w");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].operation, "flows.delete");
  EXPECT_EQ(rows[1].operation, "flows.archive");
  EXPECT_EQ(rows[2].operation, "flows.update");
  EXPECT_NE(rows[2].parameters_json->find("renamed_from"), std::string::npos);
}

TEST_F(ServiceTest, AFolderIsOwnedByItsCreatorAndChangedOnlyByItsOwnersOrAnAdmin) {
  Folders folders(*db_, clock_);
  store::FolderRecord f;
  f.workspace_id = "w";
  f.name = "team";
  auth::Identity op = alice_;
  op.is_operator = true;
  EXPECT_EQ(folders.create(op, f).error().kind, ErrorKind::Forbidden);
  ASSERT_TRUE(folders.create(alice_, f));
  EXPECT_EQ(folders.create(alice_, f).error().kind, ErrorKind::Invalid);  // the name is taken

  auth::Identity bob;
  bob.email = "bob@example.com";
  bob.username = "bob";
  EXPECT_EQ(folders.owned(bob, "w", "team").error().kind, ErrorKind::Forbidden);
  EXPECT_EQ(folders.owned(alice_, "w", "nothing").error().kind, ErrorKind::NotFound);
  auto mine = folders.owned(alice_, "w", "team");
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->owners, std::vector<std::string>{"u/alice"});
  mine->owners.push_back("u/bob");
  ASSERT_TRUE(folders.update(alice_, *mine, FolderChange::AddOwner));
  ASSERT_TRUE(folders.owned(bob, "w", "team"));  // bob owns it now
  ASSERT_TRUE(folders.remove(bob, "w", "team"));
  auto gone = folders.find("w", "team");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
  auto rows = audit("w");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].operation, "folder.delete");
  EXPECT_EQ(rows[1].operation, "folder.add_owner");
  EXPECT_EQ(rows[2].operation, "folder.create");
}

TEST_F(ServiceTest, UsersGetFreeNamesAndAWorkspacesCreatorIsItsFirstAdmin) {
  Users users(*db_, clock_, *auth_);
  auth::Identity root;
  root.email = "root@example.com";
  root.username = "root";
  root.super_admin = true;
  auto user = [](const std::string& email) {
    store::UserRecord u;
    u.email = email;
    u.password_hash = "hash";
    return u;
  };
  store::UserRecord a = user("alice@example.com");
  ASSERT_TRUE(users.create_user(root, a, "alice"));
  EXPECT_EQ(a.username, "alice");
  store::UserRecord other = user("alice@elsewhere.org");
  ASSERT_TRUE(users.create_user(root, other, "alice"));
  EXPECT_EQ(other.username, "alice1");  // the name was taken
  store::UserRecord again = user("alice@example.com");
  EXPECT_EQ(users.create_user(root, again, "x").error().kind, ErrorKind::Invalid);

  store::WorkspaceRecord w;
  w.id = "team";
  w.name = "Team";
  ASSERT_TRUE(users.create_workspace(alice_, w, std::nullopt));
  EXPECT_EQ(w.owner, "alice@example.com");
  auto admin = users.find_member("team", "alice@example.com");
  ASSERT_TRUE(admin && *admin);
  EXPECT_TRUE((*admin)->is_admin);
  EXPECT_EQ(users.create_workspace(alice_, w, std::nullopt).error().kind, ErrorKind::Invalid);

  store::MemberRecord m;
  m.workspace_id = "team";
  m.email = "nobody@example.com";
  EXPECT_EQ(users.add_member(alice_, m, std::nullopt).error().kind, ErrorKind::NotFound);
  m.email = "alice@elsewhere.org";
  EXPECT_EQ(users.add_member(alice_, m, std::string("alice")).error().kind,
            ErrorKind::Invalid);  // taken in the workspace
  EXPECT_EQ(users.add_member(alice_, m, std::string("no spaces")).error().kind, ErrorKind::Invalid);
  ASSERT_TRUE(users.add_member(alice_, m, std::nullopt));
  EXPECT_EQ(m.username, "alice1");
  EXPECT_EQ(users.add_member(alice_, m, std::nullopt).error().kind, ErrorKind::Invalid);
  auto rows = audit("team");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].operation, "users.add_to_workspace");
  EXPECT_EQ(rows[1].operation, "workspaces.create");
}

TEST_F(ServiceTest, AScopedCallerCannotMintABroaderTokenAndATokenIsDeletedOnce) {
  Tokens tokens(*db_, clock_, *auth_);
  auth::Identity scoped = alice_;
  scoped.scopes = {"jobs:run:scripts:u/alice/s"};
  NewToken full;
  auto refused = tokens.create(scoped, full);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::Forbidden);
  NewToken narrow;
  narrow.scopes = std::vector<std::string>{"jobs:run:scripts:u/alice/s"};
  ASSERT_TRUE(tokens.create(scoped, narrow));

  NewToken elsewhere;
  elsewhere.workspace_id = "nowhere";
  auto no_workspace = tokens.create(alice_, elsewhere);
  ASSERT_FALSE(no_workspace);
  EXPECT_EQ(no_workspace.error().kind, ErrorKind::Invalid);

  full.label = "ci";
  auto token = tokens.create(alice_, full);
  ASSERT_TRUE(token) << token.error().message;
  auto listed = tokens.list(alice_.email, true);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 2u);
  for (const auto& t : *listed) EXPECT_EQ(token->find(t.hash), std::string::npos);  // no secret

  const std::string prefix = token->substr(0, 10);
  auto removed = tokens.remove(alice_, prefix);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(*removed, 1u);
  auto again = tokens.remove(alice_, prefix);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::NotFound);
  auto rows = audit("global");
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows[0].operation, "users.token.delete");
}

TEST_F(ServiceTest, LogoutEndsASessionAndNeverAnApiToken) {
  Tokens tokens(*db_, clock_, *auth_);
  store::UserRecord user;
  user.email = alice_.email;
  user.username = "alice";
  auto session = tokens.open_session(user, 3600);
  ASSERT_TRUE(session) << session.error().message;
  auto api_token = tokens.create(alice_, NewToken{});
  ASSERT_TRUE(api_token);
  auto count = [&] {
    auto all = tokens.list(alice_.email, /*exclude_sessions=*/false);
    EXPECT_TRUE(all);
    return all ? all->size() : 0;
  };
  ASSERT_EQ(count(), 2u);
  tokens.end_session(auth::hash_token(*api_token));
  EXPECT_EQ(count(), 2u);
  tokens.end_session(auth::hash_token(*session));
  EXPECT_EQ(count(), 1u);
  auto rows = audit("global");
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.back().operation, "users.login");
}

}  // namespace
}  // namespace millrace::service
