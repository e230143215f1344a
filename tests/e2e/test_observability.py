"""What an operator reads: GET /metrics (Prometheus), GET /api/openapi.yaml, and the JSON log
format (LOG_FORMAT=json) with job and trace fields."""
import json
import re
import time
import unittest

from e2e_util import GATE_SH, Gate, poll
from harness import WS, Server, ServerTestCase

PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


def samples(text):
    """{'name{labels}': value} of every sample line of a Prometheus text page."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        out[key] = float(value)
    return out


def value(page, name, **labels):
    """The sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    found = False
    for key, v in page.items():
        m = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?", key)
        if not m or m.group(1) != name:
            continue
        have = dict(re.findall(r'([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        if all(have.get(k) == str(v2) for k, v2 in labels.items()):
            total += v
            found = True
    return total if found else None


class MetricsTest(ServerTestCase):
    def metrics(self, token=None):
        r = self.server.request("GET", "/metrics", token=token or self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, PROMETHEUS)
        return samples(r.text)

    def test_only_a_superadmin_reads_the_metrics(self):
        self.assertEqual(self.server.request("GET", "/metrics").status, 401)
        self.assertEqual(self.server.request("GET", "/metrics", token="not-a-token").status, 401)
        member = self.server.add_member(self.token, "metrics-member@example.com", "pw-12345678")
        r = self.server.request("GET", "/metrics", token=member)
        self.assertEqual(r.status, 403, r)
        self.assertIn("superadmin", r.text)
        # A superadmin's token narrowed to running one script reads no metrics either.
        scoped = self.server.create_token(self.token, label="scoped",
                                          scopes=["jobs:run:scripts:u/admin/x"])
        self.assertEqual(self.server.request("GET", "/metrics", token=scoped).status, 403)
        r = self.server.request("POST", "/api/auth/login",
                                json_body={"email": "admin@windmill.dev", "password": "wrong"})
        self.assertEqual(r.status, 400, r)
        page = self.metrics()
        self.assertIsNotNone(value(page, "millrace_http_requests_total", route="/metrics",
                                   status="403"))
        self.assertGreaterEqual(value(page, "millrace_logins_total", outcome="failure"), 1)
        self.assertGreaterEqual(value(page, "millrace_logins_total", outcome="success"), 2)

    def test_webhooks_jobs_workers_and_the_database_are_counted(self):
        s, t = self.server, self.token
        s.create_script(t, "u/admin/metrics_ok", "def main(x: int = 1):\n    return x\n")
        s.create_script(t, "u/admin/metrics_bad", "def main():\n    raise ValueError('no')\n")
        before = self.metrics()

        def count(page, name, **labels):
            return value(page, name, **labels) or 0

        s.wait_job(t, s.run_async(t, "u/admin/metrics_ok", {"x": 2}))
        s.wait_job(t, s.run_async(t, "u/admin/metrics_bad"))
        r = s.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/metrics_ok",
                      json_body={"x": 3}, token=t)
        self.assertEqual(r.status, 200, r)
        r = s.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/nothing_here", json_body={},
                      token=t)
        self.assertEqual(r.status, 404, r)
        after = self.metrics()
        delta = lambda name, **labels: count(after, name, **labels) - count(before, name, **labels)
        self.assertEqual(delta("millrace_webhooks_total", kind="async", target="script_path",
                               status="201"), 2)
        self.assertEqual(delta("millrace_webhooks_total", kind="sync", target="script_path",
                               status="200"), 1)
        self.assertEqual(delta("millrace_webhooks_total", kind="async", target="script_path",
                               status="404"), 1)
        self.assertEqual(delta("millrace_http_requests_total", method="POST",
                               route="/api/w/:workspace/jobs/run/p/*path", status="201"), 2)
        self.assertEqual(delta("millrace_http_request_duration_seconds_count",
                               route="/api/w/:workspace/jobs/run_wait_result/p/*path"), 1)
        self.assertEqual(delta("millrace_jobs_completed_total", language="python3",
                               outcome="success"), 2)
        self.assertEqual(delta("millrace_jobs_completed_total", language="python3",
                               outcome="failure"), 1)
        self.assertEqual(delta("millrace_job_duration_seconds_count", language="python3"), 3)
        self.assertGreater(delta("millrace_db_write_batch_size_count", backend=self.backend()), 0)
        self.assertGreater(delta("millrace_db_commit_duration_seconds_count",
                                 backend=self.backend()), 0)
        self.assertEqual(count(after, "millrace_workers", state="busy")
                         + count(after, "millrace_workers", state="idle"), 2)
        if self.server.sandboxed():
            self.assertGreaterEqual(delta("millrace_sandbox_start_seconds_count"), 3)
        # The bucket counts are cumulative and end with the count.
        inf = value(after, "millrace_job_duration_seconds_bucket", language="python3", le="+Inf")
        self.assertEqual(inf, value(after, "millrace_job_duration_seconds_count",
                                    language="python3"))

    def test_the_queue_depth_and_busy_workers_are_what_runs_now(self):
        s, t = self.server, self.token
        s.create_script(t, "u/admin/metrics_gate", GATE_SH, language="bash")
        gate = Gate()
        self.addCleanup(gate.cleanup)
        job = s.run_async(t, "u/admin/metrics_gate", {"gate": gate.path})
        later = s.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/metrics_gate"
                          "?scheduled_in_secs=3600", json_body={"gate": gate.path}, token=t)
        self.assertEqual(later.status, 201, later)
        # A worker counts itself busy as it claims the job; the job's row says "running" once
        # the next write batch commits, a moment later. Both are awaited.
        page = poll(lambda: (lambda p: p if value(p, "millrace_workers", state="busy") == 1
                             and value(p, "millrace_queue_jobs", state="running") == 1
                             else None)(self.metrics()), what="a busy worker and a running job")
        self.assertEqual(value(page, "millrace_queue_jobs", state="scheduled"), 1)
        self.assertEqual(value(page, "millrace_workers", state="idle"), 1)
        gate.open()
        s.wait_job(t, job)
        s.request("POST", f"/api/w/{WS}/jobs/queue/cancel/{later.text}", json_body={}, token=t)
        page = poll(lambda: (lambda p: p if value(p, "millrace_queue_jobs", state="running") == 0
                             and value(p, "millrace_queue_jobs", state="scheduled") == 0
                             and value(p, "millrace_workers", state="busy") == 0
                             else None)(self.metrics()), what="an empty queue and no busy worker")
        self.assertEqual(value(page, "millrace_workers", state="idle"), 2)

    def backend(self):
        return "postgres" if "DATABASE_URL" in self.server.env else "sqlite"


class MetricsAccessTest(unittest.TestCase):
    def test_a_metrics_token_and_an_allow_list_open_the_metrics(self):
        s = Server(env={"METRICS_TOKEN": "scrape-secret-0123456789"}).start()
        self.addCleanup(s.cleanup)
        self.assertEqual(s.request("GET", "/metrics", token="scrape-secret-0123456789").status,
                         200)
        self.assertEqual(s.request("GET", "/metrics?token=scrape-secret-0123456789").status, 200)
        self.assertEqual(s.request("GET", "/metrics", token="scrape-secret-012345678").status,
                         401)
        self.assertEqual(s.request("GET", "/metrics").status, 401)
        s.stop()
        allowed = Server(env={"METRICS_ALLOW": "10.0.0.0/8, 127.0.0.1"}).start()
        self.addCleanup(allowed.cleanup)
        r = allowed.request("GET", "/metrics")
        self.assertEqual(r.status, 200, r)
        self.assertIn("# TYPE millrace_queue_jobs gauge", r.text)
        other = Server(env={"METRICS_ALLOW": "10.0.0.0/8"}).start()
        self.addCleanup(other.cleanup)
        self.assertEqual(other.request("GET", "/metrics").status, 401)

    def test_a_bad_allow_list_stops_the_start(self):
        s = Server(env={"METRICS_ALLOW": "127.0.0.1, localhost"})
        self.addCleanup(s.cleanup)
        with self.assertRaises(RuntimeError) as failed:
            s.start()
        self.assertIn("METRICS_ALLOW: not an address or a CIDR range: localhost",
                      str(failed.exception))


class OpenApiTest(ServerTestCase):
    def test_the_document_is_served_without_a_token(self):
        r = self.server.request("GET", "/api/openapi.yaml")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "application/yaml")
        self.assertTrue(r.text.startswith("openapi: 3."), r.text[:40])
        self.assertIn("\n  /api/w/{workspace}/jobs/run/p/{path}:\n", r.text)


class JsonLogTest(unittest.TestCase):
    def test_every_line_is_json_with_the_job_and_the_trace(self):
        s = Server(env={"LOG_FORMAT": "json", "MILLRACE_QUIET": "0"}).start()
        self.addCleanup(s.cleanup)
        t = s.login()
        s.create_script(t, "u/admin/logged", "def main():\n    return 1\n")
        trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        r = s.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/logged", json_body={}, token=t,
                      headers={"traceparent": f"00-{trace}-00f067aa0ba902b7-01"})
        self.assertEqual(r.status, 201, r)
        job = r.text
        s.wait_job(t, job)

        def lines():
            with open(s.log_path) as f:
                return [json.loads(line) for line in f if line.strip()]  # each one JSON

        def find(pred):
            return next((e for e in lines() if pred(e)), None)

        access = poll(lambda: find(lambda e: e.get("trace_id") == trace), what="access line")
        self.assertEqual((access["level"], access["method"], access["status"]),
                         ("info", "POST", 201))
        self.assertEqual(access["route"], "/api/w/:workspace/jobs/run/p/*path")
        self.assertIsInstance(access["duration_ms"], (int, float))
        finished = poll(lambda: find(lambda e: e.get("job_id") == job), what="job line")
        self.assertEqual((finished["outcome"], finished["language"], finished["path"]),
                         ("success", "python3", "u/admin/logged"))
        self.assertIn(job, finished["msg"])
        # A token in a URL never reaches the log.
        s.request("GET", f"/api/users/whoami?token={t}")
        poll(lambda: find(lambda e: e.get("path", "").startswith("/api/users/whoami")),
             what="whoami line")
        with open(s.log_path) as f:
            self.assertNotIn(t, f.read())


if __name__ == "__main__":
    unittest.main()
