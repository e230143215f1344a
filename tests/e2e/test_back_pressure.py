"""Back-pressure before any job is stored: an HTTP route's rate limit (429 with Retry-After
while other routes stay open), a per-token rate limit, a runnable's queue_limit (the query
parameter, a route's setting) and the instance's MAX_QUEUED_JOBS (503)."""
import time
import unittest

from harness import WS, ServerTestCase

ECHO_PY = "def main(**kwargs):\n    return kwargs\n"


def route(path, route_path, **extra):
    body = {"path": path, "script_path": "u/admin/echo", "route_path": route_path,
            "is_flow": False, "http_method": "post", "authentication_method": "none",
            "is_static_website": False, "request_type": "async"}
    body.update(extra)
    return body


class RateLimitTest(ServerTestCase):
    # Slow rates: a loaded machine taking its time between requests must not refill a bucket.
    server_env = {"RATE_LIMIT_PER_TOKEN": "0.5:3", "NUM_WORKERS": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/echo", ECHO_PY)

    def add_route(self, body):
        r = self.server.request("POST", f"/api/w/{WS}/http_triggers/create", token=self.token,
                                json_body=body)
        self.assertEqual(r.status, 201, r)

    def jobs(self):
        return self.server.request("GET", f"/api/w/{WS}/jobs/list?script_path_exact=u/admin/echo"
                                   "&per_page=1000", token=self.token).json()

    def test_a_routes_burst_is_refused_while_other_routes_stay_open(self):
        self.add_route(route("u/admin/limited", "limited", rate_limit_per_second=0.5,
                             rate_limit_burst=3))
        self.add_route(route("u/admin/open", "open"))
        before = len(self.jobs())
        statuses = [self.server.request("POST", "/api/r/limited", body="{}").status
                    for _ in range(6)]
        self.assertEqual(statuses[:3], [201, 201, 201])
        self.assertIn(429, statuses[3:])
        r = self.server.request("POST", "/api/r/limited", body="{}")
        self.assertEqual(r.status, 429, r)
        self.assertGreaterEqual(int(r.headers["retry-after"]), 1)
        self.assertIn("rate limit", r.text)
        # Refused calls made no job; another route is not slowed by this one's limit.
        self.assertEqual(len(self.jobs()), before + statuses.count(201))
        for _ in range(5):
            self.assertEqual(self.server.request("POST", "/api/r/open", body="{}").status, 201)
        time.sleep(2.1)  # a token came back
        self.assertEqual(self.server.request("POST", "/api/r/limited", body="{}").status, 201)

    def test_a_tokens_calls_are_limited_and_another_tokens_are_not(self):
        mine = self.server.create_token(self.token, label="flood")
        theirs = self.server.create_token(self.token, label="calm")
        url = f"/api/w/{WS}/jobs/run/p/u/admin/echo"
        statuses = [self.server.request("POST", url, json_body={}, token=mine).status
                    for _ in range(6)]
        self.assertEqual(statuses[:3], [201, 201, 201])
        self.assertIn(429, statuses)
        self.assertEqual(self.server.request("POST", url, json_body={}, token=theirs).status, 201)

    def test_a_queue_limit_refuses_when_that_many_jobs_wait(self):
        # No worker runs them: every job made waits.
        self.server.create_script(self.token, "u/admin/queued", ECHO_PY)
        url = f"/api/w/{WS}/jobs/run/p/u/admin/queued?queue_limit=2"
        calm = self.server.create_token(self.token, label="queue")
        codes = []
        for _ in range(3):
            codes.append(self.server.request("POST", url, json_body={}, token=calm).status)
            time.sleep(0.6)  # within the token's rate
        self.assertEqual(codes, [201, 201, 429])
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/queued?queue_limit=x",
                                json_body={}, token=self.token)
        self.assertEqual(r.status, 400, r)

    def test_a_routes_queue_limit(self):
        self.server.create_script(self.token, "u/admin/q2", ECHO_PY)
        self.add_route(route("u/admin/q2_route", "q2", script_path="u/admin/q2", queue_limit=1))
        self.assertEqual(self.server.request("POST", "/api/r/q2", body="{}").status, 201)
        r = self.server.request("POST", "/api/r/q2", body="{}")
        self.assertEqual(r.status, 429, r)
        self.assertIn("queue_limit 1", r.text)

    def test_bad_settings_are_refused(self):
        for bad in ({"rate_limit_per_second": 0}, {"rate_limit_burst": 0},
                    {"queue_limit": -1}, {"queue_limit": "3"}):
            r = self.server.request("POST", f"/api/w/{WS}/http_triggers/create",
                                    token=self.token, json_body=route("u/admin/bad", "bad", **bad))
            self.assertEqual(r.status, 422, (bad, r))


class MaxQueuedJobsTest(ServerTestCase):
    server_env = {"MAX_QUEUED_JOBS": "3", "NUM_WORKERS": "0"}

    def test_the_instance_refuses_new_jobs_past_its_ceiling(self):
        self.server.create_script(self.token, "u/admin/echo", ECHO_PY)
        url = f"/api/w/{WS}/jobs/run/p/u/admin/echo"
        codes = []
        for _ in range(3):
            codes.append(self.server.request("POST", url, json_body={}, token=self.token).status)
        self.assertEqual(codes, [201, 201, 201])
        time.sleep(0.3)  # the count is read again
        r = self.server.request("POST", url, json_body={}, token=self.token)
        self.assertEqual(r.status, 503, r)
        self.assertIn("MAX_QUEUED_JOBS", r.text)
        self.assertIn("retry-after", r.headers)


if __name__ == "__main__":
    unittest.main()
