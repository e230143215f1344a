"""Calls to HTTP routes (/api/r/...) through the real server: matched by method and path, run as
the route says (async, sync, a stream) with the body as arguments, and authenticated before any
job exists — each sender's signature made by that sender's own library (GitHub's, Stripe's,
Standard Webhooks'), or by its published algorithm (Slack, Shopify, a custom scheme); an API
key, HTTP basic, a Windmill token."""
import base64
import hashlib
import hmac
import json
import time
import unittest

from e2e_util import KWARGS_PY, audit_list, sign
from harness import WS, ServerTestCase


TRIGGER_PY = """def main(action: str = "", wm_trigger: dict = None):
    return {"action": action, "wm_trigger": wm_trigger}
"""




def route(path, route_path, script="u/admin/echo", method="post", **extra):
    body = {"path": path, "script_path": script, "route_path": route_path, "is_flow": False,
            "http_method": method, "authentication_method": "none", "is_static_website": False,
            "request_type": "sync"}
    body.update(extra)
    return body


class HttpRouteCallsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.create_script(cls.token, "u/admin/echo", KWARGS_PY)
        s.create_script(cls.token, "u/admin/trigger", TRIGGER_PY)
        s.create_script(cls.token, "u/admin/signed", KWARGS_PY)
        cls.bob = s.add_member(cls.token, "bob@example.com", "bob-password-123")

    def api(self, method, path, token=None, **kw):
        return self.server.request(method, f"/api/w/{WS}/{path}", token=token or self.token, **kw)

    def add_route(self, body):
        r = self.api("POST", "http_triggers/create", json_body=body)
        self.assertEqual(r.status, 201, r)

    def add_resource(self, path, value, secret=None):
        if secret is not None:
            r = self.api("POST", "variables/create", json_body={
                "path": path + "_secret", "value": secret, "is_secret": True, "description": ""})
            self.assertEqual(r.status, 201, r)
        r = self.api("POST", "resources/create?update_if_exists=true", json_body={
            "path": path, "value": value, "resource_type": "webhook_signature"})
        self.assertEqual(r.status, 201, r)

    def call(self, method, route_path, body=None, headers=None, **kw):
        return self.server.request(method, "/api/r/" + route_path, body=body, headers=headers,
                                   **kw)

    def jobs_of(self, script):
        return self.api("GET", f"jobs/list?script_path_exact={script}").json()

    def wait(self, job_id):
        return self.server.wait_job(self.token, job_id)

    # -- matching and answering -------------------------------------------------------------

    def test_an_async_route_with_params_runs_as_its_owner_and_is_audited(self):
        self.add_route(route("u/admin/orders", "shop/orders/:id", script="u/admin/trigger",
                             request_type="async"))
        r = self.call("POST", "shop/orders/42?expand=items", json.dumps({"action": "paid"}),
                      {"Content-Type": "application/json", "X-Shop": "demo",
                       "Authorization": "Bearer not-passed-on"})
        self.assertEqual(r.status, 201, r)
        job = self.wait(r.text)
        self.assertTrue(job["success"], job)
        trig = job["result"]["wm_trigger"]
        self.assertEqual(job["result"]["action"], "paid")
        self.assertEqual((trig["kind"], trig["http"]["route"], trig["http"]["path"],
                          trig["http"]["method"], trig["http"]["params"], trig["http"]["query"]),
                         ("http", "shop/orders/:id", "shop/orders/42", "post", {"id": "42"},
                          {"expand": "items"}))
        self.assertEqual(trig["http"]["headers"]["x-shop"], "demo")
        self.assertNotIn("authorization", trig["http"]["headers"])
        self.assertEqual((job["created_by"], job["permissioned_as"], job["trigger_kind"]),
                         ("admin", "u/admin", "http"))
        rows = audit_list(self.server, self.token, operation="jobs.run.script")
        row = next(a for a in rows if a["parameters"].get("uuid") == r.text)
        self.assertEqual((row["parameters"]["trigger"], row["parameters"]["trigger_kind"],
                          row["resource"]), ("u/admin/orders", "http", "u/admin/trigger"))

    def test_a_sync_route_answers_the_result_and_static_segments_win(self):
        self.add_route(route("u/admin/item_by_id", "items/:id", method="get",
                             script="u/admin/trigger"))
        self.add_route(route("u/admin/item_new", "items/new", method="get"))
        r = self.call("GET", "items/7")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["wm_trigger"]["http"]["params"], {"id": "7"})
        r = self.call("GET", "items/new")
        self.assertEqual((r.status, r.json()), (200, {}))
        # Another method, or a path no route has: 404, and no job.
        self.assertEqual(self.call("DELETE", "items/7").status, 404)
        r = self.call("POST", "nothing/here", "{}")
        self.assertEqual(r.status, 404, r)
        self.assertIn("no HTTP route answers POST /api/r/nothing/here", r.text)

    def test_a_workspaced_route_is_under_its_workspace(self):
        self.add_route(route("u/admin/ws_route", "hook", workspaced_route=True))
        r = self.call("POST", f"{WS}/hook", '{"a": 1}', {"Content-Type": "application/json"})
        self.assertEqual((r.status, r.json()), (200, {"a": 1}))
        self.assertEqual(self.call("POST", "hook", "{}").status, 404)

    def test_wrap_body_and_raw_string(self):
        self.add_route(route("u/admin/wrapped", "wrapped", wrap_body=True))
        r = self.call("POST", "wrapped", '{"a": 1}', {"Content-Type": "application/json"})
        self.assertEqual(r.json(), {"body": {"a": 1}})
        self.add_route(route("u/admin/raw", "raw", raw_string=True))
        sent = '{"b":  2 }'
        r = self.call("POST", "raw", sent, {"Content-Type": "application/json"})
        self.assertEqual(r.json(), {"b": 2, "raw_string": sent})

    def test_a_sync_sse_route_streams_the_result(self):
        self.add_route(route("u/admin/streamed", "streamed", request_type="sync_sse"))
        r = self.call("POST", "streamed", '{"x": 3}', {"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.content_type.startswith("text/event-stream"), r)
        self.assertIn('"only_result":{"x":3}', r.text.replace(" ", ""))

    def test_a_changed_or_deleted_route_answers_at_once(self):
        self.add_route(route("u/admin/moving", "moving"))
        self.assertEqual(self.call("POST", "moving", "{}").status, 200)
        r = self.api("POST", "http_triggers/update/u/admin/moving",
                     json_body=route("u/admin/moving", "moving", method="put"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.call("POST", "moving", "{}").status, 404)
        self.assertEqual(self.call("PUT", "moving", "{}").status, 200)
        self.assertEqual(self.api("DELETE", "http_triggers/delete/u/admin/moving").status, 200)
        self.assertEqual(self.call("PUT", "moving", "{}").status, 404)

    def test_a_large_body_is_read_for_a_route_only(self):
        self.add_route(route("u/admin/big", "big", raw_string=True))
        big = json.dumps({"blob": "x" * 300_000})
        r = self.call("POST", "big", big, {"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json()["blob"]), 300_000)
        r = self.call("POST", "not/a/route", big, {"Content-Type": "application/json"})
        self.assertEqual(r.status, 404, r)

    def test_a_sender_cannot_name_the_owners_secrets(self):
        r = self.api("POST", "variables/create", json_body={
            "path": "u/admin/owners_secret", "value": "s3cr3t-value", "is_secret": True,
            "description": ""})
        self.assertEqual(r.status, 201, r)
        self.add_route(route("u/admin/open", "open"))
        sent = {"x": "$var:u/admin/owners_secret", "y": ["$res:u/admin/anything"]}
        r = self.call("POST", "open", json.dumps(sent), {"Content-Type": "application/json"})
        self.assertEqual((r.status, r.json()), (200, sent))  # literally, never opened
        # A flow's steps would open them through its expressions: refused before any job.
        r = self.api("POST", "flows/create", json_body={
            "path": "u/admin/echo_flow", "summary": "", "value": {"modules": [{
                "id": "a", "value": {"type": "rawscript", "language": "python3",
                                     "content": "def main(x):\n    return x\n",
                                     "input_transforms": {"x": {"type": "javascript",
                                                                "expr": "flow_input.x"}}}}]},
            "schema": {"type": "object", "properties": {"x": {"type": "string"}}}})
        self.assertEqual(r.status, 201, r)
        self.add_route(route("u/admin/flow_route", "flow", script="u/admin/echo_flow",
                             is_flow=True))
        r = self.call("POST", "flow", json.dumps({"x": "plain"}),
                      {"Content-Type": "application/json"})
        self.assertEqual((r.status, r.json()), (200, "plain"))
        r = self.call("POST", "flow", json.dumps(sent), {"Content-Type": "application/json"})
        self.assertEqual(r.status, 400, r)
        self.assertIn("$var:u/admin/owners_secret", r.text)

    # -- signatures -------------------------------------------------------------------------

    def signed_route(self, name, value, secret=None, request_type="async"):
        self.add_resource(f"u/admin/{name}", value, secret)
        self.add_route(route(f"u/admin/{name}_route", f"in/{name}", script="u/admin/signed",
                             authentication_method="signature", request_type=request_type,
                             authentication_resource_path=f"u/admin/{name}"))

    def assert_refused(self, route_path, payload, headers, why):
        before = len(self.jobs_of("u/admin/signed"))
        r = self.call("POST", route_path, payload, dict(headers, **{
            "Content-Type": "application/json"}))
        self.assertEqual(r.status, 401, f"{why}: {r}")
        self.assertEqual(len(self.jobs_of("u/admin/signed")), before, why)
        return r

    def assert_runs(self, route_path, payload, headers):
        r = self.call("POST", route_path, payload, dict(headers, **{
            "Content-Type": "application/json"}))
        self.assertEqual(r.status, 201, r)
        job = self.wait(r.text)
        self.assertEqual(job["args"], json.loads(payload))
        return job

    def test_github_signatures_from_octokit(self):
        self.signed_route("github", {"provider": "github", "secret": "$var:u/admin/github_secret"},
                          secret="It's a Secret to Everybody")
        payload = json.dumps({"action": "opened", "number": 1})
        good = sign("github", "It's a Secret to Everybody", payload)
        self.assert_runs("in/github", payload, good)
        self.assert_refused("in/github", payload.replace("opened", "closed"), good, "tampered")
        self.assert_refused("in/github", payload, sign("github", "another", payload),
                            "wrong secret")
        self.assert_refused("in/github", payload, {}, "no signature")
        metrics = self.server.request("GET", "/metrics", token=self.token).text
        line = next(ln for ln in metrics.splitlines() if ln.startswith(
            'millrace_http_route_refused_total{authentication="signature"}'))
        self.assertGreaterEqual(int(line.split()[-1]), 3)

    def test_stripe_signatures_from_the_stripe_library_and_a_stale_one(self):
        self.signed_route("stripe", {"provider": "stripe", "secret": "$var:u/admin/stripe_secret"},
                          secret="whsec_test_stripe")
        payload = json.dumps({"id": "evt_1", "type": "charge.succeeded"})
        self.assert_runs("in/stripe", payload, sign("stripe", "whsec_test_stripe", payload))
        stale = sign("stripe", "whsec_test_stripe", payload, timestamp=int(time.time()) - 600)
        r = self.assert_refused("in/stripe", payload, stale, "ten minutes old")
        self.assertIn("tolerance", r.text)

    def test_standard_webhooks_with_a_rotated_secret(self):
        old = "whsec_" + base64.b64encode(b"the old secret, 24 bytes").decode()
        new = "whsec_" + base64.b64encode(b"the new secret, 24 bytes").decode()
        self.signed_route("stdwh", {"provider": "standard_webhooks", "secret": [new, old]})
        payload = json.dumps({"type": "invoice.paid"})
        self.assert_runs("in/stdwh", payload, sign("standard_webhooks", old, payload, id="msg_a"))
        self.assert_runs("in/stdwh", payload, sign("standard_webhooks", new, payload, id="msg_b"))
        other = "whsec_" + base64.b64encode(b"nobody's secret here....").decode()
        self.assert_refused("in/stdwh", payload, sign("standard_webhooks", other, payload),
                            "unknown secret")
        stale = sign("standard_webhooks", new, payload, timestamp=int(time.time()) - 3600)
        self.assert_refused("in/stdwh", payload, stale, "an hour old")

    def test_slack_and_shopify_by_their_published_algorithms(self):
        self.signed_route("slack", {"provider": "slack", "secret": "8f742231b10e8888abcd99yyyzzz85a5"})
        payload = json.dumps({"type": "event_callback"})
        now = str(int(time.time()))
        sig = "v0=" + hmac.new(b"8f742231b10e8888abcd99yyyzzz85a5",
                               f"v0:{now}:{payload}".encode(), hashlib.sha256).hexdigest()
        self.assert_runs("in/slack", payload, {"X-Slack-Signature": sig,
                                               "X-Slack-Request-Timestamp": now})
        self.assert_refused("in/slack", payload, {"X-Slack-Signature": sig,
                                                  "X-Slack-Request-Timestamp": str(int(now) - 1)},
                            "another timestamp")
        self.signed_route("shopify", {"provider": "shopify", "secret": "shpss_secret"})
        digest = base64.b64encode(hmac.new(b"shpss_secret", payload.encode(),
                                           hashlib.sha256).digest()).decode()
        self.assert_runs("in/shopify", payload, {"X-Shopify-Hmac-Sha256": digest})
        self.assert_refused("in/shopify", payload + " ", {"X-Shopify-Hmac-Sha256": digest},
                            "tampered")

    def test_a_custom_scheme(self):
        self.signed_route("custom", {"provider": "custom", "secret": "k", "header": "X-Sig",
                                     "algorithm": "sha512", "encoding": "base64",
                                     "prefix": "sig="})
        payload = '{"n": 1}'
        digest = base64.b64encode(hmac.new(b"k", payload.encode(), hashlib.sha512).digest())
        self.assert_runs("in/custom", payload, {"X-Sig": "sig=" + digest.decode()})
        self.assert_refused("in/custom", payload, {"X-Sig": digest.decode()}, "no prefix")

    def test_a_sync_signed_route_answers_the_result(self):
        self.signed_route("github_sync", {"provider": "github", "secret": "s"},
                          request_type="sync")
        payload = '{"zen": "Keep it logically awesome."}'
        r = self.call("POST", "in/github_sync", payload,
                      dict(sign("github", "s", payload), **{"Content-Type": "application/json"}))
        self.assertEqual((r.status, r.json()), (200, json.loads(payload)))

    # -- API key, basic, Windmill token -----------------------------------------------------

    def test_api_key(self):
        self.add_resource("u/admin/key", {"header": "X-Route-Key", "key": "$var:u/admin/key_secret"},
                          secret="k-123")
        self.add_route(route("u/admin/keyed", "keyed", script="u/admin/trigger",
                             authentication_method="api_key",
                             authentication_resource_path="u/admin/key"))
        self.assertEqual(self.call("POST", "keyed", "{}", {"X-Route-Key": "k-124"}).status, 401)
        self.assertEqual(self.call("POST", "keyed", "{}").status, 401)
        r = self.call("POST", "keyed", "{}", {"X-Route-Key": "k-123"})
        self.assertEqual(r.status, 200, r)
        # The key is a credential: the job never sees it.
        self.assertNotIn("x-route-key", r.json()["wm_trigger"]["http"]["headers"])
        # Windmill's own shape for the resource works too.
        self.add_resource("u/admin/key", {"api_key_header": "X-Other", "api_key_secret": "o"})
        time.sleep(5.2)  # the route's settings are kept that long
        self.assertEqual(self.call("POST", "keyed", "{}", {"X-Other": "o"}).status, 200)

    def test_basic_http(self):
        self.add_resource("u/admin/basic", {"username": "hook", "password": "pa:ss"})
        self.add_route(route("u/admin/basic_route", "basic", authentication_method="basic_http",
                             authentication_resource_path="u/admin/basic"))
        good = "Basic " + base64.b64encode(b"hook:pa:ss").decode()
        bad = "Basic " + base64.b64encode(b"hook:pass").decode()
        r = self.call("POST", "basic", "{}", {"Authorization": bad})
        self.assertEqual(r.status, 401, r)
        self.assertIn("Basic", r.headers.get("www-authenticate", ""))
        self.assertEqual(self.call("POST", "basic", "{}", {"Authorization": good}).status, 200)

    def test_windmill_auth_runs_as_the_caller_who_may_read_the_route(self):
        self.add_route(route("u/admin/private", "private", authentication_method="windmill"))
        self.assertEqual(self.call("POST", "private", "{}").status, 401)
        # Bob may not read admin's route (nor admin's script): as if it were not there.
        r = self.call("POST", "private", "{}", {"Authorization": "Bearer " + self.bob})
        self.assertEqual(r.status, 404, r)
        self.add_route(route("u/admin/shared", "shared", authentication_method="windmill",
                             request_type="async"))
        r = self.call("POST", "shared", "{}", {"Authorization": "Bearer " + self.token})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.wait(r.text)["created_by"], "admin")

    def test_a_custom_script_allows_or_refuses_each_call(self):
        self.server.create_script(self.token, "u/admin/gatekeeper", """
def main(request: dict):
    if request["headers"].get("x-pass") == "open sesame":
        return {"allow": True}
    return {"allow": False, "reason": "no pass for " + request["method"] + " " + request["path"]}
""")
        self.add_route(route("u/admin/guarded", "guarded/:id", script="u/admin/trigger",
                             authentication_method="custom_script",
                             authentication_resource_path="u/admin/gatekeeper"))
        before = len(self.jobs_of("u/admin/trigger"))
        r = self.call("POST", "guarded/9", '{"action": "x"}', {"Content-Type": "application/json"})
        self.assertEqual(r.status, 401, r)
        self.assertIn("no pass for post guarded/9", r.text)
        self.assertEqual(len(self.jobs_of("u/admin/trigger")), before)
        r = self.call("POST", "guarded/9", '{"action": "in"}',
                      {"Content-Type": "application/json", "X-Pass": "open sesame"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["action"], r.json()["wm_trigger"]["http"]["params"]),
                         ("in", {"id": "9"}))
        # A check that fails refuses the call (closed), whatever the request.
        self.server.create_script(self.token, "u/admin/broken_gate",
                                  "def main(request: dict):\n    raise RuntimeError('down')\n")
        self.add_route(route("u/admin/broken_guard", "broken_guard",
                             authentication_method="custom_script",
                             authentication_resource_path="u/admin/broken_gate"))
        r = self.call("POST", "broken_guard", "{}", {"X-Pass": "open sesame"})
        self.assertEqual(r.status, 401, r)
        self.assertIn("authentication script failed", r.text)

    def test_a_members_route_cannot_run_what_the_member_may_not_read(self):
        # Bob may save routes under u/bob/, but his route runs as him: it cannot publish the
        # admin's script to the world.
        r = self.api("POST", "http_triggers/create", token=self.bob,
                     json_body=route("u/bob/steal", "steal", script="u/admin/echo"))
        self.assertEqual(r.status, 201, r)
        before = len(self.jobs_of("u/admin/echo"))
        r = self.call("POST", "steal", "{}")
        self.assertEqual(r.status, 404, r)
        self.assertIn("script not found at name u/admin/echo", r.text)
        self.assertEqual(len(self.jobs_of("u/admin/echo")), before)

    def test_a_windmill_route_refuses_a_token_of_another_workspace(self):
        r = self.server.request("POST", "/api/workspaces/create", token=self.token,
                                json_body={"id": "elsewhere", "name": "Elsewhere"})
        self.assertEqual(r.status, 200, r)
        carol = self.server.add_member(self.token, "carol@example.com", "carol-password-123",
                                       ws="elsewhere", is_admin=True)
        self.add_route(route("u/admin/members_only", "members_only",
                             authentication_method="windmill"))
        r = self.call("POST", "members_only", "{}", {"Authorization": "Bearer " + carol})
        self.assertEqual(r.status, 401, r)
        # A token scoped to another script runs nothing through the route either.
        scoped = self.server.create_token(self.token, label="narrow",
                                          scopes=["jobs:run:scripts:u/admin/other"])
        r = self.call("POST", "members_only", "{}", {"Authorization": "Bearer " + scoped})
        self.assertEqual(r.status, 403, r)

    def test_a_route_whose_resource_is_missing_says_nothing_of_it(self):
        self.add_route(route("u/admin/broken", "broken", authentication_method="signature",
                             authentication_resource_path="u/admin/no_such_resource"))
        r = self.call("POST", "broken", "{}")
        self.assertEqual(r.status, 500, r)
        self.assertNotIn("no_such_resource", r.text)
        self.assertHealthy()


if __name__ == "__main__":
    unittest.main()
