"""An HTTP route's deliveries: every call kept as received (credentials masked, body up to a
size), with whether it passed authentication, its answer and its job; the newest first, the
last few per route; a verified one replayed as a new job (audited), a refused one never; who
may read and replay them."""
import json
import unittest

from e2e_util import KWARGS_PY, audit_list, poll, sign
from harness import WS, ServerTestCase





class DeliveriesTest(ServerTestCase):
    server_env = {"DELIVERIES_KEPT": "3"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.create_script(cls.token, "u/admin/echo", KWARGS_PY)
        r = s.request("POST", f"/api/w/{WS}/resources/create", token=cls.token, json_body={
            "path": "u/admin/gh", "resource_type": "webhook_signature",
            "value": {"provider": "github", "secret": "s"}})
        assert r.status == 201, r
        r = s.request("POST", f"/api/w/{WS}/http_triggers/create", token=cls.token, json_body={
            "path": "u/admin/gh_route", "script_path": "u/admin/echo", "is_flow": False,
            "route_path": "deliveries/gh", "http_method": "post", "request_type": "async",
            "authentication_method": "signature", "authentication_resource_path": "u/admin/gh",
            "is_static_website": False})
        assert r.status == 201, r
        cls.bob = s.add_member(cls.token, "bob@example.com", "bob-password-123")

    def deliveries(self, token=None):
        def listed():
            r = self.server.request("GET", f"/api/w/{WS}/http_triggers/deliveries/u/admin/gh_route",
                                    token=token or self.token)
            self.assertEqual(r.status, 200, r)
            return r.json()
        return listed()

    def post(self, payload, headers):
        return self.server.request("POST", "/api/r/deliveries/gh", body=payload,
                                   headers=dict(headers, **{"Content-Type": "application/json"}))

    def test_deliveries_are_kept_masked_and_replayed(self):
        payload = json.dumps({"action": "opened"})
        good = sign("github", "s", payload, id="first")
        accepted = self.server.request(
            "POST", "/api/r/deliveries/gh?token=not-for-your-eyes&x=1", body=payload,
            headers=dict(good, Cookie="session=abc", **{"X-Api-Key": "k",
                                                        "Content-Type": "application/json"}))
        self.assertEqual(accepted.status, 201, accepted)
        refused = self.post(payload, sign("github", "wrong", payload, id="forged"))
        self.assertEqual(refused.status, 401, refused)
        def both():
            kept = self.deliveries()
            by_id = {d["headers"].get("x-github-delivery"): d for d in kept}
            if "first" not in by_id or "forged" not in by_id:
                return None
            self.assertLess(kept.index(by_id["forged"]), kept.index(by_id["first"]))  # newest first
            return by_id["forged"], by_id["first"]
        newest, oldest = poll(both, what="both deliveries")
        self.assertEqual((oldest["status"], oldest["verified"], oldest["job_id"], oldest["body"]),
                         (201, True, accepted.text, payload))
        self.assertEqual((oldest["headers"]["cookie"], oldest["headers"]["x-api-key"],
                          oldest["query"]), ("***", "***", "token=***&x=1"))
        self.assertEqual(oldest["headers"]["x-github-delivery"], "first")
        self.assertEqual((newest["status"], newest["verified"], newest["job_id"]),
                         (401, False, None))
        self.assertIn("signature", newest["reason"])

        # A verified delivery is replayed as a new job of the route; a refused one never.
        r = self.server.request("POST", f"/api/w/{WS}/http_triggers/replay/{oldest['id']}",
                                token=self.token)
        self.assertEqual(r.status, 201, r)
        self.assertNotEqual(r.text, accepted.text)  # not an idempotent replay: a new run
        job = self.server.wait_job(self.token, r.text)
        self.assertEqual((job["success"], job["args"]), (True, {"action": "opened"}))
        r = self.server.request("POST", f"/api/w/{WS}/http_triggers/replay/{newest['id']}",
                                token=self.token)
        self.assertEqual(r.status, 400, r)
        self.assertIn("did not pass its route's authentication", r.text)
        replays = [a for a in audit_list(self.server, self.token, operation="http_triggers.replay")
                   if a["parameters"]["delivery"] == oldest["id"]]
        self.assertEqual(len(replays), 1)
        poll(lambda: any(d["replay_of"] == oldest["id"] for d in self.deliveries()),
             what="the replay among the deliveries")

        # Only the last DELIVERIES_KEPT stay.
        for i in range(3):
            body = json.dumps({"i": i})
            self.assertEqual(self.post(body, sign("github", "s", body, id=f"more-{i}")).status,
                             201)
        kept = poll(lambda: (lambda d: d if d and d[0]["body"] == '{"i": 2}' else None)(
            self.deliveries()), what="the newest delivery")
        self.assertEqual([d["body"] for d in kept], ['{"i": 2}', '{"i": 1}', '{"i": 0}'])

    def test_a_member_may_neither_read_nor_replay_anothers_route(self):
        r = self.server.request("GET", f"/api/w/{WS}/http_triggers/deliveries/u/admin/gh_route",
                                token=self.bob)
        self.assertEqual(r.status, 404, r)
        payload = "{}"
        self.assertEqual(self.post(payload, sign("github", "s", payload, id="b")).status, 201)
        delivery = poll(lambda: next((d for d in self.deliveries()
                                      if d["headers"].get("x-github-delivery") == "b"), None),
                        what="the delivery")
        r = self.server.request("POST", f"/api/w/{WS}/http_triggers/replay/{delivery['id']}",
                                token=self.bob)
        self.assertEqual(r.status, 403, r)
        r = self.server.request("POST", f"/api/w/{WS}/http_triggers/replay/no-such-id",
                                token=self.token)
        self.assertEqual(r.status, 404, r)
        # A token that may only read routes reads the deliveries, and replays none.
        reader = self.server.create_token(self.token, label="reader",
                                          scopes=["http_triggers:read:u/admin/gh_route"])
        self.assertEqual(len(self.deliveries(token=reader)) > 0, True)
        r = self.server.request("POST", f"/api/w/{WS}/http_triggers/replay/{delivery['id']}",
                                token=reader)
        self.assertEqual(r.status, 403, r)

    def test_another_workspace_sees_and_replays_nothing(self):
        r = self.server.request("POST", "/api/workspaces/create", token=self.token,
                                json_body={"id": "other", "name": "Other"})
        self.assertEqual(r.status, 200, r)
        payload = "{}"
        self.assertEqual(self.post(payload, sign("github", "s", payload, id="x-ws")).status, 201)
        delivery = poll(lambda: next((d for d in self.deliveries()
                                      if d["headers"].get("x-github-delivery") == "x-ws"), None),
                        what="the delivery")
        # The admin is a member of both: the other workspace's URLs find nothing of this one.
        r = self.server.request("GET", "/api/w/other/http_triggers/deliveries/u/admin/gh_route",
                                token=self.token)
        self.assertEqual((r.status, r.json()), (200, []))
        r = self.server.request("POST", f"/api/w/other/http_triggers/replay/{delivery['id']}",
                                token=self.token)
        self.assertEqual(r.status, 404, r)


if __name__ == "__main__":
    unittest.main()
