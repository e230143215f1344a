"""A workspace's members, as the user page manages them: listed by any member; made admin or
operator and removed by admins only (never the last admin); one's own password changed. Who may
not: a member, an admin of another workspace, a narrower token."""
import unittest

from harness import ServerTestCase, WS


class MembersTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.bob = s.add_member(cls.token, "bob@example.com", "bob-password-1")
        cls.carl = s.add_member(cls.token, "carl@example.com", "carl-password-1")
        r = s.request("POST", "/api/workspaces/create", token=cls.token,
                      json_body={"id": "other", "name": "Other"})
        assert r.status == 200, r
        cls.olive = s.add_member(cls.token, "olive@example.com", "olive-password-1", ws="other",
                                 is_admin=True)

    def members(self, token=None, ws=WS):
        r = self.server.request("GET", f"/api/w/{ws}/users/list", token=token or self.token)
        self.assertEqual(r.status, 200, r)
        return {m["username"]: m for m in r.json()}

    def update(self, username, body, token=None, ws=WS):
        return self.server.request("POST", f"/api/w/{ws}/users/update/{username}",
                                   json_body=body, token=token or self.token)

    def test_members_are_listed_for_any_member(self):
        seen = self.members(self.bob)
        self.assertLessEqual({"admin", "bob", "carl"}, set(seen))
        self.assertEqual((seen["admin"]["is_admin"], seen["bob"]["is_admin"]), (True, False))
        self.assertEqual(seen["bob"]["email"], "bob@example.com")
        r = self.server.request("GET", "/api/w/other/users/list", token=self.bob)
        self.assertEqual(r.status, 401, r)

    def test_an_admin_makes_a_member_operator_then_admin_and_it_takes_effect(self):
        r = self.update("carl", {"operator": True})
        self.assertEqual((r.status, r.text), (200, "user carl updated"))
        me = self.server.request("GET", f"/api/w/{WS}/users/whoami", token=self.carl).json()
        self.assertTrue(me["operator"])
        r = self.server.request("POST", f"/api/w/{WS}/scripts/create", token=self.carl, json_body={
            "path": "u/carl/x", "summary": "", "content": "echo 1", "language": "bash"})
        self.assertIn(r.status, (401, 403), r)
        r = self.update("carl", {"operator": False, "is_admin": True})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(self.members()["carl"]["is_admin"])
        self.assertTrue(self.server.request("GET", f"/api/w/{WS}/users/whoami",
                                            token=self.carl).json()["is_admin"])
        r = self.update("carl", {"is_admin": False})
        self.assertEqual(r.status, 200, r)
        rows = self.server.request("GET", f"/api/w/{WS}/audit/list?operation=users.update",
                                   token=self.token).json()
        self.assertTrue(any(row["resource"] == "carl" for row in rows), rows)

    def test_who_may_not_change_members(self):
        # A member, an admin of another workspace, a read-only token: refused, nothing changed.
        r = self.update("bob", {"is_admin": True}, token=self.bob)
        self.assertEqual(r.status, 403, r)
        r = self.update("bob", {"is_admin": True}, token=self.olive)
        self.assertEqual(r.status, 401, r)
        r = self.update("bob", {"is_admin": True}, token=self.olive, ws="other")
        self.assertEqual(r.status, 404, r)
        reader = self.server.create_token(self.token, label="reader", scopes=["users:read"])
        r = self.update("bob", {"is_admin": True}, token=reader)
        self.assertEqual(r.status, 403, r)
        r = self.server.request("DELETE", f"/api/w/{WS}/users/delete/carl", token=self.bob)
        self.assertEqual(r.status, 403, r)
        self.assertFalse(self.members()["bob"]["is_admin"])
        self.assertIn("carl", self.members())

    def test_bad_bodies_and_unknown_members(self):
        self.assertEqual(self.update("bob", {"is_admin": "yes"}).status, 422)
        r = self.update("bob", {"disabled": True})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.update("nobody", {"is_admin": True}).status, 404)
        r = self.server.request("DELETE", f"/api/w/{WS}/users/delete/nobody", token=self.token)
        self.assertEqual(r.status, 404, r)

    def test_the_last_admin_stays(self):
        r = self.server.request("POST", "/api/workspaces/create", token=self.token,
                                json_body={"id": "solo", "name": "Solo"})
        self.assertEqual(r.status, 200, r)
        r = self.update("admin", {"is_admin": False}, ws="solo")
        self.assertEqual(r.status, 400, r)
        self.assertIn("solo would have no admin left", r.text)
        r = self.server.request("DELETE", "/api/w/solo/users/delete/admin", token=self.token)
        self.assertEqual(r.status, 400, r)
        self.assertTrue(self.members(ws="solo")["admin"]["is_admin"])
        # With a second admin, the first may step down.
        self.server.add_member(self.token, "sol@example.com", "sol-password-1", ws="solo",
                               is_admin=True)
        self.assertEqual(self.update("admin", {"is_admin": False}, ws="solo").status, 200)

    def test_a_removed_member_is_refused_at_once_and_stays_a_user(self):
        dora = self.server.add_member(self.token, "dora@example.com", "dora-password-1")
        self.assertEqual(self.server.request("GET", f"/api/w/{WS}/users/whoami",
                                             token=dora).status, 200)
        r = self.server.request("DELETE", f"/api/w/{WS}/users/delete/dora", token=self.token)
        self.assertEqual((r.status, r.text), (200, f"user dora removed from {WS}"))
        self.assertNotIn("dora", self.members())
        self.assertEqual(self.server.request("GET", f"/api/w/{WS}/users/whoami",
                                             token=dora).status, 401)
        self.assertEqual(self.server.request("GET", "/api/users/whoami", token=dora).status, 200)

    def test_a_user_changes_their_own_password(self):
        erin = self.server.add_member(self.token, "erin@example.com", "erin-password-1")
        r = self.server.request("POST", "/api/users/setpassword", token=erin,
                                json_body={"password": "short"})
        self.assertEqual(r.status, 400, r)
        r = self.server.request("POST", "/api/users/setpassword", token=erin,
                                json_body={"password": "erin-new-password"})
        self.assertEqual((r.status, r.text), (200, "password set"))
        r = self.server.request("POST", "/api/auth/login",
                                json_body={"email": "erin@example.com", "password": "erin-password-1"})
        self.assertEqual((r.status, r.text), (400, "Bad request: Invalid login"))
        self.server.login("erin@example.com", "erin-new-password")
        # Nobody else's: the call changes the caller's password only.
        self.server.login("bob@example.com", "bob-password-1")
        r = self.server.request("POST", "/api/users/setpassword", json_body={"password": "x" * 12})
        self.assertEqual(r.status, 401, r)


class SuperadminSecretPasswordTest(ServerTestCase):
    server_env = {"SUPERADMIN_SECRET": "members-superadmin-secret"}

    def test_the_superadmin_secret_has_no_password_to_set(self):
        r = self.server.request("POST", "/api/users/setpassword", token="members-superadmin-secret",
                                json_body={"password": "a-new-password"})
        self.assertEqual(r.status, 404, r)
        self.assertIn("user not found", r.text)


if __name__ == "__main__":
    unittest.main()
