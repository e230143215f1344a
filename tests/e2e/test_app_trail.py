"""What the app leaves behind: a run started from the app (the session cookie) is the app's, not
a webhook's; logins, logouts and tokens made and deleted are in the instance's audit log, which
superadmins read (all_workspaces) and workspace admins do not."""
import unittest

from harness import ServerTestCase, WS


class AppTrailTest(ServerTestCase):
    def test_a_run_from_the_app_is_the_apps_and_one_with_a_bearer_token_a_webhooks(self):
        self.server.create_script(self.token, "u/admin/trail", "def main():\n    return 1\n")
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/trail", json_body={},
                                headers={"Cookie": f"token={self.token}",
                                         "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.server.wait_job(self.token, r.text)["trigger_kind"], "ui")
        job = self.server.wait_job(self.token, self.server.run_async(self.token, "u/admin/trail"))
        self.assertEqual(job["trigger_kind"], "webhook")
        # The filter takes the new kind as it takes the others.
        r = self.server.request("GET", f"/api/w/{WS}/jobs/list?trigger_kind=ui", token=self.token)
        self.assertEqual(r.status, 200, r)

    def global_rows(self, token, operation):
        r = self.server.request("GET", f"/api/w/{WS}/audit/list?all_workspaces=true"
                                f"&operation={operation}&per_page=100", token=token)
        self.assertEqual(r.status, 200, r)
        return [row for row in r.json() if row["workspace_id"] == "global"]

    def test_logins_logouts_and_tokens_are_in_the_instance_log_that_superadmins_read(self):
        session = self.server.login()
        made = self.server.create_token(self.token, label="trail-token")
        prefix = made[:10]
        r = self.server.request("DELETE", f"/api/users/tokens/delete/{prefix}", token=self.token)
        self.assertEqual(r.status, 200, r)
        r = self.server.request("POST", "/api/auth/logout", token=session)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(any(row["token_prefix"] == session[:10]
                            for row in self.global_rows(self.token, "users.login")))
        logouts = [row for row in self.global_rows(self.token, "users.logout")
                   if row["token_prefix"] == session[:10]]
        self.assertEqual(len(logouts), 1, logouts)
        self.assertEqual((logouts[0]["username"], logouts[0]["email"]),
                         ("admin", "admin@windmill.dev"))
        created = self.global_rows(self.token, "users.token.create")
        self.assertTrue(any(row["resource"] == prefix for row in created), created)
        deleted = self.global_rows(self.token, "users.token.delete")
        self.assertTrue(any(row["resource"] == prefix for row in deleted), deleted)
        # A logout with a token that is not a session, or none, writes nothing.
        before = len(self.global_rows(self.token, "users.logout"))
        self.server.request("POST", "/api/auth/logout", token=self.token + "x")
        self.server.request("POST", "/api/auth/logout")
        self.assertEqual(len(self.global_rows(self.token, "users.logout")), before)

    def test_a_workspace_admin_who_is_not_superadmin_does_not_read_the_instance_log(self):
        ws_admin = self.server.add_member(self.token, "wanda@example.com", "wanda-password-1",
                                          is_admin=True)
        self.assertEqual(self.global_rows(ws_admin, "users.login"), [])
        self.assertNotEqual(self.global_rows(self.token, "users.login"), [])


if __name__ == "__main__":
    unittest.main()
