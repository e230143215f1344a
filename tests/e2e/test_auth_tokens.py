"""Authentication, sessions, users, workspaces and API tokens."""
import datetime
import time
import unittest

from e2e_util import rfc3339, utcnow
from harness import ADMIN_EMAIL, ADMIN_PASSWORD, WS, ServerTestCase

HELLO = "def main(name: str = 'world'):\n    return f'hello {name}'\n"
UNAUTHORIZED = "Not authorized: Unauthorized"


def is_text(r):
    return r.content_type.startswith("text/plain")


class LoginTest(ServerTestCase):
    def test_login_answers_200_text_token_and_sets_httponly_token_cookie(self):
        r = self.server.request("POST", "/api/auth/login",
                                json_body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(is_text(r), r.content_type)
        self.assertRegex(r.text, r"^[A-Za-z0-9]{32}$")
        cookie = r.headers.get("set-cookie", "")
        self.assertTrue(cookie.startswith("token=" + r.text + ";"), cookie)
        attrs = [a.strip().lower() for a in cookie.split(";")]
        self.assertIn("httponly", attrs)
        self.assertIn("path=/", attrs)
        # Strict: no page of another site gets the session sent along, not even by a link.
        self.assertIn("samesite=strict", attrs)

    def test_login_email_is_case_insensitive(self):
        r = self.server.request("POST", "/api/auth/login",
                                json_body={"email": ADMIN_EMAIL.upper(), "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 200, r)

    def test_bad_password_is_400_invalid_login(self):
        r = self.server.request("POST", "/api/auth/login",
                                json_body={"email": ADMIN_EMAIL, "password": "wrong"})
        self.assertEqual((r.status, r.text), (400, "Bad request: Invalid login"))
        self.assertTrue(is_text(r), r.content_type)

    def test_unknown_email_is_400_invalid_login(self):
        r = self.server.request("POST", "/api/auth/login",
                                json_body={"email": "nobody@example.com", "password": "x"})
        self.assertEqual((r.status, r.text), (400, "Bad request: Invalid login"))

    def test_logout_ends_the_session_and_clears_the_cookie(self):
        session = self.server.login()
        self.assertEqual(self.server.request("GET", "/api/users/whoami", token=session).status, 200)
        # From another site, a cookie-only logout is refused (and the session lives on).
        r = self.server.request("POST", "/api/auth/logout",
                                headers={"Cookie": "token=" + session, "Sec-Fetch-Site": "cross-site"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.server.request("GET", "/api/users/whoami", token=session).status, 200)
        r = self.server.request("POST", "/api/auth/logout",
                                headers={"Cookie": "token=" + session, "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(r.status, 200, r)
        cookie = r.headers.get("set-cookie", "")
        self.assertTrue(cookie.startswith("token=;"), cookie)
        r = self.server.request("GET", "/api/users/whoami", token=session)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))

    def test_version_needs_no_auth_and_is_text(self):
        r = self.server.request("GET", "/api/version")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(is_text(r), r.content_type)
        self.assertRegex(r.text, r"^(CE|EE) v\d+\.\d+\.\d+")


class WhoamiTest(ServerTestCase):
    def test_global_whoami_has_global_user_fields(self):
        r = self.server.request("GET", "/api/users/whoami", token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.content_type.startswith("application/json"))
        o = r.json()
        for f in ("email", "login_type", "super_admin", "devops", "verified", "name", "company",
                  "username", "operator_only", "first_time_user", "role_source", "disabled"):
            self.assertIn(f, o)
        self.assertEqual(o["email"], ADMIN_EMAIL)
        self.assertEqual(o["username"], "admin")
        self.assertIs(o["super_admin"], True)
        self.assertIs(o["disabled"], False)

    def test_workspace_whoami_has_user_fields(self):
        r = self.server.request("GET", f"/api/w/{WS}/users/whoami", token=self.token)
        self.assertEqual(r.status, 200, r)
        o = r.json()
        for f in ("workspace_id", "email", "username", "is_admin", "is_super_admin", "created_at",
                  "operator", "disabled", "role", "groups", "folders", "folders_read",
                  "folders_owners", "is_service_account"):
            self.assertIn(f, o)
        self.assertEqual(o["workspace_id"], WS)
        self.assertEqual(o["email"], ADMIN_EMAIL)
        self.assertEqual(o["username"], "admin")
        self.assertIs(o["is_admin"], True)
        self.assertIs(o["is_super_admin"], True)
        self.assertIs(o["operator"], False)
        self.assertIsInstance(o["groups"], list)


class UsersWorkspacesTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        r = s.request("POST", "/api/users/create", token=cls.token,
                      json_body={"email": "bob@example.com", "password": "bob-password",
                                 "super_admin": False, "name": "Bob"})
        assert r.status == 201, r
        cls.create_user_response = r
        r = s.request("POST", f"/api/w/{WS}/workspaces/add_user", token=cls.token,
                      json_body={"email": "bob@example.com", "is_admin": False, "operator": False})
        assert r.status == 200, r
        r = s.request("POST", "/api/workspaces/create", token=cls.token,
                      json_body={"id": "other", "name": "Other"})
        cls.create_ws_response = r
        cls.bob = s.login("bob@example.com", "bob-password")

    def test_users_create_by_superadmin_is_201(self):
        self.assertEqual(self.create_user_response.status, 201)

    def test_users_create_rejects_duplicate_email(self):
        r = self.server.request("POST", "/api/users/create", token=self.token,
                                json_body={"email": "bob@example.com", "password": "x",
                                           "super_admin": False})
        self.assertEqual(r.status, 400, r)

    def test_users_create_by_non_superadmin_is_401_requires_super_admin(self):
        # Windmill's require_super_admin fails with Error::NotAuthorized (401).
        r = self.server.request("POST", "/api/users/create", token=self.bob,
                                json_body={"email": "eve@example.com", "password": "x",
                                           "super_admin": True})
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.text, "Not authorized: This endpoint requires the caller to be a super admin")
        r = self.server.request("POST", "/api/auth/login",
                                json_body={"email": "eve@example.com", "password": "x"})
        self.assertEqual(r.status, 400, r)

    def test_workspaces_create_answers_200_created_workspace(self):
        r = self.create_ws_response
        self.assertEqual((r.status, r.text), (200, "Created workspace other"))

    def test_workspaces_create_rejects_duplicate_id(self):
        r = self.server.request("POST", "/api/workspaces/create", token=self.token,
                                json_body={"id": "other", "name": "Again"})
        self.assertEqual(r.status, 400, r)

    def test_workspaces_list_shows_callers_workspaces(self):
        r = self.server.request("GET", "/api/workspaces/list", token=self.token)
        self.assertEqual(r.status, 200, r)
        ids = {w["id"] for w in r.json()}
        self.assertTrue({"admins", "other"} <= ids, ids)
        for w in r.json():
            self.assertIn("name", w)
            self.assertIn("owner", w)
        r = self.server.request("GET", "/api/workspaces/list", token=self.bob)
        self.assertEqual(r.status, 200, r)
        ids = {w["id"] for w in r.json()}
        self.assertIn("admins", ids)
        self.assertNotIn("other", ids)

    def test_workspaces_exists_true_and_false(self):
        r = self.server.request("POST", "/api/workspaces/exists", json_body={"id": "other"},
                                token=self.token)
        self.assertEqual((r.status, r.json()), (200, True))
        r = self.server.request("POST", "/api/workspaces/exists", json_body={"id": "nope"},
                                token=self.token)
        self.assertEqual((r.status, r.json()), (200, False))

    def test_added_normal_user_logs_in_and_runs_own_script(self):
        s = self.server
        r = s.request("GET", f"/api/w/{WS}/users/whoami", token=self.bob)
        self.assertEqual(r.status, 200, r)
        me = r.json()
        self.assertEqual(me["email"], "bob@example.com")
        self.assertIs(me["is_admin"], False)
        self.assertIs(me["is_super_admin"], False)
        path = f"u/{me['username']}/hello"
        s.create_script(self.bob, path, HELLO)
        r = s.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/{path}",
                      json_body={"name": "bob"}, token=self.bob)
        self.assertEqual((r.status, r.json()), (200, "hello bob"))
        job = s.run_async(self.bob, path, {"name": "async"})
        done = s.wait_job(self.bob, job)
        self.assertTrue(done["success"], done)
        self.assertEqual(done["result"], "hello async")
        self.assertEqual(done["permissioned_as"], f"u/{me['username']}")
        self.assertEqual(done["email"], "bob@example.com")

    def test_normal_user_global_whoami_is_not_superadmin(self):
        r = self.server.request("GET", "/api/users/whoami", token=self.bob)
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json()["super_admin"], False)

    def test_user_not_member_of_workspace_is_401_there(self):
        r = self.server.request("GET", "/api/w/other/users/whoami", token=self.bob)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))
        r = self.server.request("GET", "/api/w/other/scripts/list", token=self.bob)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))

    def test_creator_of_workspace_is_its_admin_member(self):
        r = self.server.request("GET", "/api/w/other/users/whoami", token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["username"], "admin")
        self.assertIs(r.json()["is_admin"], True)

    def test_add_user_needs_workspace_admin(self):
        r = self.server.request("POST", f"/api/w/{WS}/workspaces/add_user", token=self.bob,
                                json_body={"email": ADMIN_EMAIL, "is_admin": False,
                                           "operator": False})
        self.assertEqual((r.status, r.text), (403, "Require Admin privileges for bob"))


class TokensTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.create_script(cls.token, "u/admin/a", HELLO)
        s.create_script(cls.token, "u/admin/b", HELLO)
        s.create_script(cls.token, "f/team/c", HELLO)
        r = s.request("POST", "/api/workspaces/create", token=cls.token,
                      json_body={"id": "other", "name": "Other"})
        assert r.status == 200, r

    # --- create / list / delete -----------------------------------------------------------

    def test_create_token_is_201_text_32_alphanumeric(self):
        r = self.server.request("POST", "/api/users/tokens/create", json_body={"label": "x"},
                                token=self.token)
        self.assertEqual(r.status, 201, r)
        self.assertTrue(is_text(r), r.content_type)
        self.assertRegex(r.text, r"^[A-Za-z0-9]{32}$")

    def test_list_shows_prefix_and_never_the_token(self):
        tok = self.server.create_token(self.token, label="listed", scopes=["jobs:run:scripts:u/admin/a"])
        r = self.server.request("GET", "/api/users/tokens/list", token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(tok, r.text)
        mine = [t for t in r.json() if t["token_prefix"] == tok[:10]]
        self.assertEqual(len(mine), 1, r.json())
        t = mine[0]
        self.assertEqual(len(t["token_prefix"]), 10)
        self.assertEqual(t["label"], "listed")
        self.assertEqual(t["scopes"], ["jobs:run:scripts:u/admin/a"])
        for f in ("expiration", "created_at", "last_used_at", "workspace_id"):
            self.assertIn(f, t)
        self.assertNotIn("token", t)

    def test_list_exclude_ephemeral_param_is_accepted(self):
        r = self.server.request("GET", "/api/users/tokens/list?exclude_ephemeral=true",
                                token=self.token)
        self.assertEqual(r.status, 200, r)

    def test_deleted_token_is_401(self):
        tok = self.server.create_token(self.token, label="doomed")
        self.assertEqual(self.server.request("GET", "/api/users/whoami", token=tok).status, 200)
        r = self.server.request("DELETE", f"/api/users/tokens/delete/{tok[:10]}", token=self.token)
        self.assertEqual(r.status, 200, r)
        r = self.server.request("GET", "/api/users/whoami", token=tok)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))
        r = self.server.request("GET", "/api/users/tokens/list", token=self.token)
        self.assertFalse([t for t in r.json() if t["token_prefix"] == tok[:10]])

    # --- where the token comes from --------------------------------------------------------

    def test_token_accepted_in_bearer_header(self):
        r = self.server.request("GET", "/api/users/whoami",
                                headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(r.status, 200, r)

    def test_token_accepted_in_token_cookie(self):
        r = self.server.request("GET", "/api/users/whoami",
                                headers={"Cookie": "other=1; token=" + self.token})
        self.assertEqual(r.status, 200, r)

    def test_token_accepted_in_query_param(self):
        r = self.server.request("GET", "/api/users/whoami?token=" + self.token)
        self.assertEqual(r.status, 200, r)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/a?token={self.token}",
                                json_body={"name": "q"})
        self.assertEqual((r.status, r.json()), (200, "hello q"))

    def test_non_bearer_authorization_falls_back_to_cookie(self):
        r = self.server.request("GET", "/api/users/whoami",
                                headers={"Authorization": "Basic abc", "Cookie": "token=" + self.token})
        self.assertEqual(r.status, 200, r)

    def test_no_token_is_401_unauthorized_plain(self):
        r = self.server.request("GET", "/api/users/whoami")
        self.assertEqual((r.status, r.text), (401, "Unauthorized"))
        self.assertTrue(is_text(r), r.content_type)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/a", json_body={})
        self.assertEqual((r.status, r.text), (401, "Unauthorized"))

    def test_bad_token_is_401_not_authorized(self):
        r = self.server.request("GET", "/api/users/whoami", token="x" * 32)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/a", json_body={},
                                token="nonsense")
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))

    # --- expiration --------------------------------------------------------------------------

    def test_token_expired_in_the_past_is_401(self):
        past = rfc3339(utcnow() - datetime.timedelta(hours=1))
        tok = self.server.create_token(self.token, label="old", expiration=past)
        r = self.server.request("GET", "/api/users/whoami", token=tok)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))
        r = self.server.request("GET", f"/api/w/{WS}/scripts/list", token=tok)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))

    def test_token_stops_working_once_its_expiration_passes(self):
        expires = utcnow() + datetime.timedelta(seconds=2)
        tok = self.server.create_token(self.token, label="short", expiration=rfc3339(expires))
        r = self.server.request("GET", f"/api/w/{WS}/users/whoami", token=tok)
        self.assertEqual(r.status, 200, r)  # used (and cached) while valid
        wait = (expires - utcnow()).total_seconds() + 0.2
        if wait > 0:
            time.sleep(wait)
        r = self.server.request("GET", f"/api/w/{WS}/users/whoami", token=tok)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))
        r = self.server.request("GET", "/api/users/whoami", token=tok)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))

    # --- workspace-bound ---------------------------------------------------------------------

    def test_workspace_bound_token_only_works_in_its_workspace(self):
        tok = self.server.create_token(self.token, label="bound", workspace_id="other")
        r = self.server.request("GET", "/api/w/other/users/whoami", token=tok)
        self.assertEqual(r.status, 200, r)
        r = self.server.request("GET", f"/api/w/{WS}/users/whoami", token=tok)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/a", json_body={}, token=tok)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))
        r = self.server.request("GET", "/api/users/whoami", token=tok)
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))

    # --- scopes -------------------------------------------------------------------------------

    def _run(self, tok, path, ws=WS):
        return self.server.request("POST", f"/api/w/{ws}/jobs/run/p/{path}", json_body={"name": "s"},
                                   token=tok)

    def test_scoped_token_runs_its_script(self):
        tok = self.server.create_token(self.token, label="webhook-a", scopes=["jobs:run:scripts:u/admin/a"])
        r = self._run(tok, "u/admin/a")
        self.assertEqual(r.status, 201, r)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/a",
                                json_body={"name": "sync"}, token=tok)
        self.assertEqual((r.status, r.json()), (200, "hello sync"))

    def test_scoped_token_other_script_is_403_required_scope(self):
        tok = self.server.create_token(self.token, scopes=["jobs:run:scripts:u/admin/a"])
        r = self._run(tok, "u/admin/b")
        self.assertEqual((r.status, r.text),
                         (403, "Permission denied: Required scope: jobs:run:scripts:u/admin/b"))
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/b",
                                json_body={}, token=tok)
        self.assertEqual((r.status, r.text),
                         (403, "Permission denied: Required scope: jobs:run:scripts:u/admin/b"))

    def test_scoped_token_by_hash_checks_the_scripts_path(self):
        tok = self.server.create_token(self.token, scopes=["jobs:run:scripts:u/admin/a"])
        ha = self.server.request("GET", f"/api/w/{WS}/scripts/get/p/u/admin/a", token=self.token).json()["hash"]
        hb = self.server.request("GET", f"/api/w/{WS}/scripts/get/p/u/admin/b", token=self.token).json()["hash"]
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/h/{ha}", json_body={}, token=tok)
        self.assertEqual(r.status, 201, r)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/h/{hb}", json_body={}, token=tok)
        self.assertEqual((r.status, r.text),
                         (403, "Permission denied: Required scope: jobs:run:scripts:u/admin/b"))

    def test_scoped_token_other_routes_are_403_access_denied(self):
        tok = self.server.create_token(self.token, scopes=["jobs:run:scripts:u/admin/a"])
        r = self.server.request("GET", f"/api/w/{WS}/scripts/list", token=tok)
        self.assertEqual((r.status, r.text),
                         (403, "Permission denied: Access denied. Required scope: scripts:read"))
        r = self.server.request("POST", f"/api/w/{WS}/scripts/create", token=tok,
                                json_body={"path": "u/admin/z", "summary": "", "content": HELLO,
                                           "language": "python3"})
        self.assertEqual((r.status, r.text),
                         (403, "Permission denied: Access denied. Required scope: scripts:write"))

    def test_scoped_token_polls_its_own_jobs_result(self):
        tok = self.server.create_token(self.token, scopes=["jobs:run:scripts:u/admin/a"])
        r = self._run(tok, "u/admin/a")
        self.assertEqual(r.status, 201, r)
        job = r.text
        done = self.server.wait_job(tok, job)
        self.assertEqual(done["result"], "hello s")
        r = self.server.request("GET", f"/api/w/{WS}/jobs_u/completed/get_result/{job}", token=tok)
        self.assertEqual((r.status, r.json()), (200, "hello s"))
        r = self.server.request("GET", f"/api/w/{WS}/jobs_u/completed/get/{job}", token=tok)
        self.assertEqual(r.status, 200, r)
        r = self.server.request("GET", f"/api/w/{WS}/jobs_u/getupdate/{job}", token=tok)
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json()["completed"], True)
        r = self.server.request("GET", f"/api/w/{WS}/jobs_u/get/{job}", token=tok)
        self.assertEqual(r.status, 200, r)

    def test_wildcard_scope_covers_the_prefix_only(self):
        tok = self.server.create_token(self.token, scopes=["jobs:run:scripts:u/admin/*"])
        self.assertEqual(self._run(tok, "u/admin/a").status, 201)
        self.assertEqual(self._run(tok, "u/admin/b").status, 201)
        r = self._run(tok, "f/team/c")
        self.assertEqual((r.status, r.text),
                         (403, "Permission denied: Required scope: jobs:run:scripts:f/team/c"))

    def test_unrestricted_run_scope_runs_any_script_but_not_other_routes(self):
        tok = self.server.create_token(self.token, scopes=["jobs:run:scripts"])
        self.assertEqual(self._run(tok, "f/team/c").status, 201)
        r = self.server.request("GET", f"/api/w/{WS}/scripts/list", token=tok)
        self.assertEqual(r.status, 403, r)

    def test_legacy_run_script_scope_is_translated(self):
        tok = self.server.create_token(self.token, scopes=["run:script/u/admin/a"])
        self.assertEqual(self._run(tok, "u/admin/a").status, 201)
        r = self._run(tok, "u/admin/b")
        self.assertEqual((r.status, r.text),
                         (403, "Permission denied: Required scope: jobs:run:scripts:u/admin/b"))

    def test_scripts_read_scope_reads_but_cannot_run(self):
        tok = self.server.create_token(self.token, scopes=["scripts:read"])
        r = self.server.request("GET", f"/api/w/{WS}/scripts/list", token=tok)
        self.assertEqual(r.status, 200, r)
        r = self._run(tok, "u/admin/a")
        self.assertEqual((r.status, r.text),
                         (403, "Permission denied: Access denied. Required scope: jobs:run:scripts"))


class SuperadminSecretTest(ServerTestCase):
    server_env = {"SUPERADMIN_SECRET": "e2e-superadmin-secret-value"}
    SECRET = "e2e-superadmin-secret-value"

    def test_superadmin_secret_is_a_superadmin_token(self):
        s = self.server
        r = s.request("GET", "/api/users/whoami", token=self.SECRET)
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json()["super_admin"], True)
        s.create_script(self.token, "u/admin/hello", HELLO)
        r = s.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/hello",
                      json_body={"name": "secret"}, token=self.SECRET)
        self.assertEqual((r.status, r.json()), (200, "hello secret"))
        r = s.request("POST", "/api/users/create", token=self.SECRET,
                      json_body={"email": "carol@example.com", "password": "pw", "super_admin": False})
        self.assertEqual(r.status, 201, r)

    def test_a_wrong_secret_is_401(self):
        r = self.server.request("GET", "/api/users/whoami", token=self.SECRET + "x")
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))


class NoSuperadminSecretTest(ServerTestCase):
    def test_without_env_no_secret_works(self):
        r = self.server.request("GET", "/api/users/whoami", token="e2e-superadmin-secret-value")
        self.assertEqual(r.status, 401, r)


JOB_TOKEN_PROBE = """
import os, urllib.error, urllib.request
def call(path, body=None):
    req = urllib.request.Request(os.environ["WM_BASE_URL"] + path, data=body,
                                 headers={"Authorization": "Bearer " + os.environ["WM_TOKEN"],
                                          "Content-Type": "application/json"})
    try:
        return urllib.request.urlopen(req, timeout=10).status
    except urllib.error.HTTPError as e:
        return e.code
def main():
    return {"own": call("/api/w/admins/scripts/list"),
            "other_workspace": call("/api/w/elsewhere/scripts/list"),
            "global": call("/api/users/tokens/create", b'{"label": "minted"}'),
            "token": os.environ["WM_TOKEN"]}
"""


class JobTokenTest(ServerTestCase):
    def test_a_jobs_token_holds_in_its_workspace_only_and_ends_with_its_job(self):
        # The job's user is a superadmin, and a member of both workspaces.
        r = self.server.request("POST", "/api/workspaces/create", token=self.token,
                                json_body={"id": "elsewhere", "name": "Elsewhere"})
        self.assertEqual(r.status, 200, r)
        self.server.create_script(self.token, "u/admin/job_token", JOB_TOKEN_PROBE)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/job_token",
                                json_body={}, token=self.token)
        self.assertEqual(r.status, 200, r)
        seen = r.json()
        self.assertEqual((seen["own"], seen["other_workspace"], seen["global"]), (200, 401, 401))
        # The job is over: its token is no more.
        r = self.server.request("GET", f"/api/w/{WS}/scripts/list", token=seen["token"])
        self.assertEqual((r.status, r.text), (401, UNAUTHORIZED))


if __name__ == "__main__":
    unittest.main()
