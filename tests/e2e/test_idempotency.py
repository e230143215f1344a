"""Idempotent calls: a webhook or HTTP route call with an Idempotency-Key (or, on a signed route,
its sender's delivery id) makes one job; retries get that job — async its id with
`Idempotent-Replay: true`, sync its result, waiting for it while it runs — across restarts;
the same key with another body is 422; keys are the caller's own and expire."""
import json
import threading
import time
import unittest

from e2e_util import poll, sign
from harness import WS, ServerTestCase


SLOW_PY = """import time

def main(n: int = 0, wait: float = 0):
    time.sleep(wait)
    return {"n": n}
"""




class IdempotencyTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/slow", SLOW_PY)

    def run_async(self, key, args, token=None, path="u/admin/slow"):
        headers = {"Idempotency-Key": key} if key is not None else {}
        return self.server.request("POST", f"/api/w/{WS}/jobs/run/p/{path}", json_body=args,
                                   headers=headers, token=token or self.token)

    def run_sync(self, key, args):
        return self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/slow",
                                   json_body=args, headers={"Idempotency-Key": key},
                                   token=self.token)

    def jobs(self, path="u/admin/slow"):
        return self.server.request("GET", f"/api/w/{WS}/jobs/list?script_path_exact={path}"
                                   "&per_page=100", token=self.token).json()

    def test_an_async_retry_gets_the_first_job(self):
        before = len(self.jobs())
        first = self.run_async("order-1", {"n": 1})
        self.assertEqual(first.status, 201, first)
        self.assertIsNone(first.headers.get("idempotent-replay"))
        again = self.run_async("order-1", {"n": 1})
        self.assertEqual((again.status, again.text, again.headers.get("idempotent-replay")),
                         (201, first.text, "true"))
        self.assertEqual(len(self.jobs()), before + 1)
        # Another key, another job; the same key with another body is refused.
        self.assertNotEqual(self.run_async("order-2", {"n": 1}).text, first.text)
        r = self.run_async("order-1", {"n": 2})
        self.assertEqual(r.status, 422, r)
        self.assertIn("already used with another request body", r.text)

    def test_a_sync_retry_waits_for_the_first_calls_result(self):
        before = len(self.jobs())
        answers = []

        def call():
            answers.append(self.run_sync("sync-1", {"n": 7, "wait": 1.5}))
        first = threading.Thread(target=call)
        first.start()
        time.sleep(0.5)  # the first call's job is running
        second = self.run_sync("sync-1", {"n": 7, "wait": 1.5})
        first.join()
        self.assertEqual((second.status, second.json(), second.headers.get("idempotent-replay")),
                         (200, {"n": 7}, "true"))
        self.assertEqual((answers[0].status, answers[0].json()), (200, {"n": 7}))
        # Once done, a retry is answered at once from the stored result.
        third = self.run_sync("sync-1", {"n": 7, "wait": 1.5})
        self.assertEqual((third.status, third.json()), (200, {"n": 7}))
        self.assertEqual(len(self.jobs()), before + 1)

    def test_keys_are_the_callers_own(self):
        other = self.server.add_member(self.token, "carol@example.com", "carol-password-123",
                                       is_admin=True)
        mine = self.run_async("shared-key", {"n": 3})
        theirs = self.run_async("shared-key", {"n": 3}, token=other)
        self.assertEqual((mine.status, theirs.status), (201, 201))
        self.assertNotEqual(mine.text, theirs.text)
        self.assertIsNone(theirs.headers.get("idempotent-replay"))

    def test_a_key_must_be_short(self):
        r = self.run_async("k" * 256, {})
        self.assertEqual(r.status, 400, r)
        self.assertIn("Idempotency-Key", r.text)

    def test_a_key_survives_a_restart(self):
        first = self.run_async("durable-1", {"n": 5})
        self.assertEqual(first.status, 201, first)
        self.server.restart()
        type(self).token = self.server.login()
        again = self.run_async("durable-1", {"n": 5})
        self.assertEqual((again.status, again.text, again.headers.get("idempotent-replay")),
                         (201, first.text, "true"))

    def test_a_signed_routes_retries_run_once(self):
        r = self.server.request("POST", f"/api/w/{WS}/resources/create", token=self.token,
                                json_body={"path": "u/admin/gh", "resource_type": "webhook_signature",
                                           "value": {"provider": "github", "secret": "s"}})
        self.assertEqual(r.status, 201, r)
        r = self.server.request("POST", f"/api/w/{WS}/resources/create", token=self.token,
                                json_body={"path": "u/admin/st", "resource_type": "webhook_signature",
                                           "value": {"provider": "stripe", "secret": "whsec_x"}})
        self.assertEqual(r.status, 201, r)
        for name, resource in (("gh", "u/admin/gh"), ("st", "u/admin/st")):
            r = self.server.request("POST", f"/api/w/{WS}/http_triggers/create", token=self.token,
                                    json_body={"path": f"u/admin/{name}_route",
                                               "script_path": "u/admin/slow", "is_flow": False,
                                               "route_path": f"once/{name}", "http_method": "post",
                                               "request_type": "async",
                                               "authentication_method": "signature",
                                               "authentication_resource_path": resource,
                                               "is_static_website": False})
            self.assertEqual(r.status, 201, r)
        before = len(self.jobs())
        payload = json.dumps({"n": 11})
        ids = set()
        for delivery in ("d-1", "d-1", "d-2"):  # GitHub redelivers with the same id
            r = self.server.request("POST", "/api/r/once/gh", body=payload, headers=dict(
                sign("github", "s", payload, id=delivery), **{"Content-Type": "application/json"}))
            self.assertEqual(r.status, 201, r)
            ids.add(r.text)
        self.assertEqual(len(ids), 2)
        # Both deliveries of d-1 are kept, each naming the one job they made.
        def kept():
            rows = self.server.request(
                "GET", f"/api/w/{WS}/http_triggers/deliveries/u/admin/gh_route",
                token=self.token).json()
            d1 = [d for d in rows if d["headers"].get("x-github-delivery") == "d-1"]
            return d1 if len(d1) == 2 else None
        d1 = poll(kept, what="both deliveries of d-1")
        self.assertEqual(d1[0]["job_id"], d1[1]["job_id"])
        self.assertIn(d1[0]["job_id"], ids)
        # Stripe retries an event (its `id`) signed anew, later.
        event = json.dumps({"id": "evt_123", "n": 12})
        now = int(time.time())
        a = self.server.request("POST", "/api/r/once/st", body=event, headers=dict(
            sign("stripe", "whsec_x", event, timestamp=now - 60),
            **{"Content-Type": "application/json"}))
        b = self.server.request("POST", "/api/r/once/st", body=event, headers=dict(
            sign("stripe", "whsec_x", event, timestamp=now),
            **{"Content-Type": "application/json"}))
        self.assertEqual((a.status, b.status, a.text, b.headers.get("idempotent-replay")),
                         (201, 201, b.text, "true"))
        self.assertEqual(len(self.jobs()), before + 3)


class IdempotencyWindowTest(ServerTestCase):
    server_env = {"IDEMPOTENCY_WINDOW_S": "2"}

    def test_a_key_expires_with_its_window(self):
        self.server.create_script(self.token, "u/admin/w", SLOW_PY)
        url = f"/api/w/{WS}/jobs/run/p/u/admin/w"
        first = self.server.request("POST", url, json_body={}, token=self.token,
                                    headers={"Idempotency-Key": "k"})
        again = self.server.request("POST", url, json_body={}, token=self.token,
                                    headers={"Idempotency-Key": "k"})
        self.assertEqual(first.text, again.text)
        time.sleep(2.2)
        later = self.server.request("POST", url, json_body={}, token=self.token,
                                    headers={"Idempotency-Key": "k"})
        self.assertEqual(later.status, 201, later)
        self.assertNotEqual(later.text, first.text)


if __name__ == "__main__":
    unittest.main()
