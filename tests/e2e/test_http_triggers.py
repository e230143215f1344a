"""HTTP routes (Windmill's http_triggers) through the real server: made, read, listed, changed,
moved and deleted with their audit rows; routes that would answer the same requests refused,
across workspaces too unless workspaced; and who may do what (a member outside their paths, a
token scoped to reading, another workspace)."""
import unittest

from e2e_util import audit_list
from harness import WS, ServerTestCase


def trigger(path, route, method="post", **extra):
    body = {"path": path, "script_path": "u/admin/handler", "route_path": route,
            "is_flow": False, "http_method": method, "authentication_method": "none",
            "is_static_website": False}
    body.update(extra)
    return body


class HttpTriggersTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bob = cls.server.add_member(cls.token, "bob@example.com", "bob-password-123")
        r = cls.server.request("POST", "/api/workspaces/create", token=cls.token,
                               json_body={"id": "other", "name": "Other"})
        assert r.status == 200, r

    def api(self, method, route, token=None, ws=WS, **kw):
        return self.server.request(method, f"/api/w/{ws}/http_triggers/{route}",
                                   token=token or self.token, **kw)

    def create(self, body, token=None, ws=WS):
        return self.api("POST", "create", token=token, ws=ws, json_body=body)

    def test_create_read_list_update_move_delete_with_audit(self):
        r = self.create(trigger("u/admin/gh", "github/push", summary="GitHub pushes",
                                request_type="async", authentication_method="signature",
                                authentication_resource_path="u/admin/gh_secret",
                                custom_field={"kept": True}))
        self.assertEqual((r.status, r.text), (201, "u/admin/gh"))
        t = self.api("GET", "get/u/admin/gh").json()
        self.assertEqual((t["route_path"], t["http_method"], t["script_path"], t["request_type"],
                          t["is_async"], t["authentication_method"],
                          t["authentication_resource_path"], t["summary"], t["custom_field"],
                          t["workspace_id"], t["edited_by"], t["email"]),
                         ("github/push", "post", "u/admin/handler", "async", True, "signature",
                          "u/admin/gh_secret", "GitHub pushes", {"kept": True}, WS, "admin",
                          "admin@windmill.dev"))
        self.assertIs(self.api("GET", "exists/u/admin/gh").json(), True)
        self.assertIs(self.api("GET", "exists/u/admin/nothing").json(), False)
        listed = self.api("GET", "list?path_start=u/admin/g").json()
        self.assertEqual([x["path"] for x in listed], ["u/admin/gh"])
        r = self.api("POST", "update/u/admin/gh",
                     json_body=trigger("u/admin/github", "github/push", method="put"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.api("GET", "get/u/admin/gh").status, 404)
        moved = self.api("GET", "get/u/admin/github").json()
        self.assertEqual((moved["http_method"], moved["request_type"]), ("put", "sync"))
        self.assertEqual(self.api("DELETE", "delete/u/admin/github").status, 200)
        self.assertEqual(self.api("DELETE", "delete/u/admin/github").status, 404)
        ops = [a["operation"] for a in audit_list(self.server, self.token, resource="u/admin/gh")]
        self.assertIn("http_triggers.create", ops)
        ops = [a["operation"] for a in audit_list(self.server, self.token,
                                                  resource="u/admin/github")]
        self.assertIn("http_triggers.update", ops)
        self.assertIn("http_triggers.delete", ops)

    def test_routes_answering_the_same_requests_collide_across_workspaces(self):
        self.assertEqual(self.create(trigger("u/admin/by_id", "orders/:id")).status, 201)
        r = self.create(trigger("u/admin/by_name", "orders/:name"))
        self.assertEqual(r.status, 400, r)
        self.assertIn("collides with the existing route orders/:id", r.text)
        # Another method, or a static segment where the other has a parameter: no collision.
        self.assertEqual(self.create(trigger("u/admin/get_id", "orders/:id", "get")).status, 201)
        self.assertEqual(self.create(trigger("u/admin/new", "orders/new")).status, 201)
        # The URL is the instance's: another workspace may not take it...
        r = self.create(trigger("u/admin/theirs", "orders/:order"), ws="other")
        self.assertEqual(r.status, 400, r)
        # ...unless its route is workspaced (/api/r/other/orders/:id).
        self.assertEqual(self.create(trigger("u/admin/theirs", "orders/:order",
                                             workspaced_route=True), ws="other").status, 201)
        taken = self.api("POST", "route_exists",
                         json_body={"route_path": "orders/:x", "http_method": "post"}).json()
        self.assertIs(taken, True)
        free = self.api("POST", "route_exists",
                        json_body={"route_path": "orders/:x", "http_method": "delete"}).json()
        self.assertIs(free, False)
        itself = self.api("POST", "route_exists",
                          json_body={"route_path": "orders/:x", "http_method": "post",
                                     "trigger_path": "u/admin/by_id"}).json()
        self.assertIs(itself, False)

    def test_malformed_routes_and_settings_are_refused_in_words(self):
        cases = [
            (trigger("u/admin/a", "/leading"), 400, "must not start with /"),
            (trigger("u/admin/a", "a//b"), 400, "empty segment"),
            (trigger("u/admin/a", "a/b c"), 400, "may hold only"),
            (trigger("u/admin/a", "a/:1"), 400, "parameter"),
            (trigger("not a path", "a"), 400, ""),
            (trigger("u/admin/a", "a", method="trace"), 422, "http_method"),
            (trigger("u/admin/a", "a", authentication_method="magic"), 422,
             "authentication_method"),
            (trigger("u/admin/a", "a", authentication_method="api_key"), 400,
             "needs authentication_resource_path"),
            (trigger("u/admin/a", "a", is_static_website=True), 400, "static websites"),
            (trigger("u/admin/a", "a", request_type="later"), 422, "request_type"),
            ({"path": "u/admin/a"}, 422, "missing field"),
        ]
        for body, status, words in cases:
            with self.subTest(body=body):
                r = self.create(body)
                self.assertEqual(r.status, status, r)
                self.assertIn(words, r.text)
        self.assertEqual(self.api("GET", "exists/u/admin/a").json(), False)

    def test_who_may_do_what(self):
        self.assertEqual(self.create(trigger("u/admin/private", "private/hook")).status, 201)
        # A member writes under their own path, not under another user's.
        r = self.create(trigger("u/admin/bobs", "bob/hook"), token=self.bob)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.create(trigger("u/bob/hook", "bob/hook"), token=self.bob).status,
                         201)
        self.assertEqual(self.api("GET", "get/u/admin/private", token=self.bob).status, 404)
        self.assertEqual(self.api("DELETE", "delete/u/admin/private", token=self.bob).status,
                         403)
        listed = [t["path"] for t in self.api("GET", "list", token=self.bob).json()]
        self.assertIn("u/bob/hook", listed)
        self.assertNotIn("u/admin/private", listed)
        # A token that may only read triggers changes none.
        reader = self.server.create_token(self.token, label="reader",
                                          scopes=["http_triggers:read"])
        self.assertEqual(self.api("GET", "get/u/admin/private", token=reader).status, 200)
        r = self.create(trigger("u/admin/by_reader", "reader/hook"), token=reader)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.api("DELETE", "delete/u/admin/private", token=reader).status, 403)
        # Another workspace's routes are not this one's.
        self.assertEqual(self.api("GET", "get/u/admin/private", ws="other").status, 404)
        self.assertEqual(self.server.request("GET", f"/api/w/{WS}/http_triggers/list").status,
                         401)


if __name__ == "__main__":
    unittest.main()
