"""Server-Sent Events: `jobs/run_and_stream/{p,h,f,fv}` runs a script
or flow and streams `data: <json>` events ending with its result (`only_result`), and
`jobs_u/getupdate_sse/{id}` streams a job's updates (new logs, running, the end with the job).
Both send `ping` every 5 s and end with `timeout` after TIMEOUT_SSE_STREAM; neither cancels the
job when it ends early or the client leaves."""
import http.client
import json
import unittest

from e2e_util import GATE_SH, Gate, poll
from flow_helpers import (WAIT_FOR_FILE_PY, FlowMixin, flow_value, js, py_return, rawscript,
                          static)
from harness import WS, ServerTestCase, b64, quote

TICK_PY = """import time
def main(n: int = 3, pause: float = 0.05):
    for i in range(n):
        print(f"line {i}", flush=True)
        time.sleep(pause)
    return {"n": n}
"""


class Stream:
    """One SSE answer read event by event over http.client (which undoes the chunking)."""

    def __init__(self, server, method, path, token=None, json_body=None, conn=None):
        self.conn = conn or http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = None
        if json_body is not None:
            body = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=body, headers=headers)
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.content_type = self.response.getheader("Content-Type", "")

    def events(self):
        """Yields each event's JSON until the stream ends."""
        while True:
            line = self.response.readline()
            if not line:
                return
            line = line.decode().rstrip("\n")
            if line.startswith("data: "):
                yield json.loads(line[len("data: "):])
            else:
                assert line == "", line  # events are separated by one empty line

    def all(self):
        return list(self.events())

    def close(self):
        self.conn.close()


class RunAndStreamTest(FlowMixin, ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/tick", TICK_PY)
        cls.server.create_script(cls.token, "u/admin/fail",
                                 "def main():\n    raise ValueError('nope')\n")

    def stream(self, method, route, **kw):
        s = Stream(self.server, method, f"/api/w/{WS}/jobs/run_and_stream/{route}",
                   token=kw.pop("token", self.token), **kw)
        self.addCleanup(s.close)
        return s

    def test_a_script_streams_an_update_then_its_result(self):
        s = self.stream("POST", "p/u/admin/tick", json_body={"n": 2})
        self.assertEqual(s.status, 200)
        self.assertEqual(s.content_type, "text/event-stream")
        self.assertEqual(s.response.getheader("Cache-Control"), "no-cache")
        events = s.all()
        self.assertEqual(events[0], {"type": "update"})
        self.assertEqual(events[-1], {"type": "update", "completed": True, "only_result": {"n": 2}})
        self.assertTrue(all(e["type"] in ("update", "ping") for e in events), events)

    def test_by_hash_and_by_get_with_a_payload(self):
        h = self.server.request("GET", f"/api/w/{WS}/scripts/get/p/u/admin/tick",
                                token=self.token).json()["hash"]
        events = self.stream("POST", f"h/{h}", json_body={"n": 1}).all()
        self.assertEqual(events[-1]["only_result"], {"n": 1})
        events = self.stream("GET", f"p/u/admin/tick?payload={quote(b64({'n': 3}))}").all()
        self.assertEqual(events[-1]["only_result"], {"n": 3})

    def test_a_failed_job_ends_with_its_error_as_the_result(self):
        last = self.stream("POST", "p/u/admin/fail", json_body={}).all()[-1]
        self.assertEqual(last["completed"], True)
        self.assertEqual(last["only_result"]["error"]["name"], "ValueError")
        self.assertEqual(last["only_result"]["error"]["message"], "nope")

    def test_errors_come_before_any_stream_as_for_the_other_webhooks(self):
        for route, body, token, status in (
                ("p/u/admin/nothing_here", {}, self.token, 404),
                ("p/u/admin/tick", {"n": "many"}, self.token, 400),
                ("p/u/admin/tick", {}, "not-a-token", 401)):
            with self.subTest(route=route, status=status):
                s = self.stream("POST", route, json_body=body, token=token)
                self.assertEqual(s.status, status)
                self.assertFalse(s.content_type.startswith("text/event-stream"))

    def test_head_runs_nothing(self):
        before = self.server.request("GET", f"/api/w/{WS}/jobs/list?script_path_exact=u/admin/tick",
                                     token=self.token).json()
        r = self.server.request("HEAD", f"/api/w/{WS}/jobs/run_and_stream/p/u/admin/tick",
                                token=self.token)
        self.assertEqual(r.status, 200)
        after = self.server.request("GET", f"/api/w/{WS}/jobs/list?script_path_exact=u/admin/tick",
                                    token=self.token).json()
        self.assertEqual(len(after), len(before))

    def test_a_flow_streams_its_result_and_early_return_ends_the_stream_early(self):
        self.create_flow("f/t/stream_two", flow_value(
            rawscript("a", py_return("x + 1", ["x"]), x=js("flow_input.x")),
            rawscript("b", py_return("x * 10", ["x"]), x=js("results.a"))))
        events = self.stream("POST", "f/f/t/stream_two", json_body={"x": 1}).all()
        self.assertEqual(events[-1], {"type": "update", "completed": True, "only_result": 20})
        version = self.flow_version("f/t/stream_two")
        self.assertEqual(self.stream("POST", f"fv/{version}", json_body={"x": 2}).all()[-1]
                         ["only_result"], 30)

        d = self.shared_dir()
        self.create_flow("f/t/stream_early", flow_value(
            rawscript("a", py_return("{'early': x}", ["x"]), x=js("flow_input.x")),
            rawscript("b", WAIT_FOR_FILE_PY, gate=js("flow_input.gate"), value=static("late")),
            early_return="a"))
        s = self.stream("POST", "f/f/t/stream_early", json_body={"x": 5, "gate": d.file("go")})
        # b waits for a file made only after the stream ended: the end cannot have waited for b.
        self.assertEqual(s.all()[-1]["only_result"], {"early": 5})
        d.touch("go")

    def test_a_client_that_leaves_does_not_cancel_the_job(self):
        gate = Gate()
        self.addCleanup(gate.cleanup)
        self.server.create_script(self.token, "u/admin/gated", GATE_SH, language="bash")
        s = self.stream("POST", "p/u/admin/gated", json_body={"gate": gate.path})
        self.assertEqual(next(s.events()), {"type": "update"})
        s.close()
        jobs = self.server.request(
            "GET", f"/api/w/{WS}/jobs/list?script_path_exact=u/admin/gated",
            token=self.token).json()
        self.assertEqual(len(jobs), 1)
        gate.open()
        done = self.server.wait_job(self.token, jobs[0]["id"])
        self.assertEqual((done["success"], done["result"]), (True, "released"), done)
        self.assertHealthy()

    def test_the_connection_serves_the_next_request_after_a_stream(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        self.addCleanup(conn.close)
        for n in (1, 2):
            s = Stream(self.server, "POST", f"/api/w/{WS}/jobs/run_and_stream/p/u/admin/tick",
                       token=self.token, json_body={"n": n}, conn=conn)
            self.assertEqual(s.all()[-1]["only_result"], {"n": n})
        conn.request("GET", "/api/version")
        self.assertEqual(conn.getresponse().status, 200)


class StreamTimeoutTest(ServerTestCase):
    server_env = {"TIMEOUT_SSE_STREAM": "6"}

    def test_pings_then_a_timeout_end_the_stream_but_not_the_job(self):
        gate = Gate()
        self.addCleanup(gate.cleanup)
        self.server.create_script(self.token, "u/admin/gated", GATE_SH, language="bash")
        s = Stream(self.server, "POST", f"/api/w/{WS}/jobs/run_and_stream/p/u/admin/gated",
                   token=self.token, json_body={"gate": gate.path})
        self.addCleanup(s.close)
        self.assertEqual(s.all(), [{"type": "update"}, {"type": "ping"}, {"type": "timeout"}])
        job = self.server.request("GET", f"/api/w/{WS}/jobs/list?script_path_exact=u/admin/gated",
                                  token=self.token).json()[0]
        self.assertEqual(job["type"], "QueuedJob", "the job still runs")
        gate.open()
        self.assertTrue(self.server.wait_job(self.token, job["id"])["success"])


class GetUpdateSseTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/tick", TICK_PY)

    def follow(self, job, query="", token=None):
        s = Stream(self.server, "GET", f"/api/w/{WS}/jobs_u/getupdate_sse/{job}{query}",
                   token=token or self.token)
        self.addCleanup(s.close)
        self.assertEqual((s.status, s.content_type), (200, "text/event-stream"))
        return s.all()

    def full_logs(self, job):
        return self.server.request("GET", f"/api/w/{WS}/jobs_u/get_logs/{job}",
                                   token=self.token).text

    def test_updates_carry_the_logs_as_they_come_then_the_job(self):
        job = self.server.run_async(self.token, "u/admin/tick", {"n": 5, "pause": 0.2})
        events = self.follow(job)
        self.assertEqual(events[0]["type"], "update")
        self.assertIn("log_offset", events[0])
        self.assertEqual(events[0]["completed"], False)
        updates = [e for e in events if e["type"] == "update"]
        logs = "".join(e.get("new_logs", "") for e in updates)
        self.assertEqual(logs, self.full_logs(job))
        self.assertIn("line 4", logs)
        # The logs came in several updates, while the job ran, each with its new offset.
        self.assertGreater(sum(1 for e in updates if e.get("new_logs")), 1)
        offset = events[0]["log_offset"]
        for e in updates[1:]:
            if "new_logs" in e:
                offset += len(e["new_logs"])
                self.assertEqual(e["log_offset"], offset)
        last = events[-1]
        self.assertEqual((last["completed"], last["job"]["success"], last["job"]["result"]),
                         (True, True, {"n": 5}))
        self.assertEqual(last["job"]["type"], "CompletedJob")

    def test_a_log_offset_skips_what_the_client_has(self):
        job = self.server.run_async(self.token, "u/admin/tick", {"n": 3})
        self.server.wait_job(self.token, job)
        full = self.full_logs(job)
        events = self.follow(job, f"?log_offset={len('line 0') + 1}")
        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["new_logs"], full[len("line 0") + 1:])
        self.assertEqual(events[0]["log_offset"], len(full))

    def test_only_result_and_no_logs(self):
        job = self.server.run_async(self.token, "u/admin/tick", {"n": 2, "pause": 0.2})
        events = self.follow(job, "?only_result=true")
        self.assertEqual(events[-1], {"type": "update", "completed": True, "only_result": {"n": 2}})
        self.assertTrue(all("new_logs" not in e for e in events), events)
        job = self.server.run_async(self.token, "u/admin/tick", {"n": 2})
        events = self.follow(job, "?no_logs=true")
        self.assertTrue(all("new_logs" not in e and "log_offset" not in e for e in events))
        self.assertEqual(events[-1]["completed"], True)

    def test_a_token_scoped_to_run_the_script_may_follow_its_job(self):
        scoped = self.server.create_token(self.token, label="run tick",
                                          scopes=["jobs:run:scripts:u/admin/tick"])
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/tick", json_body={},
                                token=scoped)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.follow(r.text, token=scoped)[-1]["completed"], True)

    def test_unknown_jobs_and_bad_queries_are_refused_before_any_stream(self):
        for path, status in ((f"jobs_u/getupdate_sse/{'0' * 8}-0000-7000-8000-{'0' * 12}", 404),
                             ("jobs_u/getupdate_sse/not-a-uuid", 400)):
            r = self.server.request("GET", f"/api/w/{WS}/{path}", token=self.token)
            self.assertEqual(r.status, status, r)
        job = self.server.run_async(self.token, "u/admin/tick", {"n": 1})
        r = self.server.request("GET", f"/api/w/{WS}/jobs_u/getupdate_sse/{job}?log_offset=x",
                                token=self.token)
        self.assertEqual(r.status, 400, r)


# A generator that streams one piece, waits for a file, then streams another.
GATED_GENERATOR_PY = """import os, time
def main(gate: str):
    print("an ordinary log line")
    yield "first "
    while not os.path.exists(gate):
        time.sleep(0.02)
    yield "second\\nline"
"""


class ResultStreamTest(ServerTestCase):
    """Windmill's result streaming: a returned generator (or `WM_STREAM: ` lines) streams the
    result while the job runs; the pieces are left out of the logs and joined into the result."""

    def sync(self, path, args):
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/{path}",
                                json_body=args, token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_a_python_generator_becomes_the_result_and_leaves_the_logs_alone(self):
        self.server.create_script(self.token, "u/admin/gen_py",
                                  "def main(n: int):\n"
                                  "    print('starting')\n"
                                  "    for i in range(n):\n"
                                  "        yield f'piece {i}\\n'\n")
        job = self.server.run_async(self.token, "u/admin/gen_py", {"n": 3})
        done = self.server.wait_job(self.token, job)
        self.assertEqual(done["result"], "piece 0\npiece 1\npiece 2\n")
        self.assertIn("starting", done["logs"])
        self.assertNotIn("WM_STREAM", done["logs"])
        self.assertNotIn("piece", done["logs"])

    def test_printed_stream_lines_join_an_object_result_as_wm_stream(self):
        self.server.create_script(self.token, "u/admin/lines_py",
                                  "def main():\n"
                                  "    print('WM_STREAM: hello ')\n"
                                  "    print('WM_STREAM: world')\n"
                                  "    return {'done': True}\n")
        self.assertEqual(self.sync("u/admin/lines_py", {}),
                         {"done": True, "wm_stream": "hello world"})

    def test_a_typescript_async_generator_streams_its_result(self):
        self.server.create_script(self.token, "u/admin/gen_ts",
                                  "export async function* main(n: number) {\n"
                                  "  for (let i = 0; i < n; i++) yield `chunk ${i}\\n`;\n"
                                  "}\n", language="bun")
        self.assertEqual(self.sync("u/admin/gen_ts", {"n": 2}), "chunk 0\nchunk 1\n")

    def test_run_and_stream_sends_the_pieces_while_the_job_runs(self):
        gate = Gate()
        self.addCleanup(gate.cleanup)
        self.server.create_script(self.token, "u/admin/gated_gen", GATED_GENERATOR_PY)
        s = Stream(self.server, "POST", f"/api/w/{WS}/jobs/run_and_stream/p/u/admin/gated_gen",
                   token=self.token, json_body={"gate": gate.path})
        self.addCleanup(s.close)
        events = s.events()
        self.assertEqual(next(events), {"type": "update"})
        # The second piece waits for the gate: the first arrives while the job still runs.
        first = next(e for e in events if e["type"] == "update")
        self.assertEqual(first, {"type": "update", "new_result_stream": "first ",
                                 "stream_offset": 1})
        gate.open()
        rest = list(events)
        streamed = "".join(e.get("new_result_stream", "") for e in rest)
        self.assertEqual(streamed, "second\nline")
        self.assertEqual(rest[-1], {"type": "update", "completed": True,
                                    "only_result": "first second\nline"})

    def test_getupdate_and_getupdate_sse_carry_the_stream_with_its_offset(self):
        gate = Gate()
        self.addCleanup(gate.cleanup)
        self.server.create_script(self.token, "u/admin/gated_gen2", GATED_GENERATOR_PY)
        job = self.server.run_async(self.token, "u/admin/gated_gen2", {"gate": gate.path})
        update = lambda q: self.server.request(
            "GET", f"/api/w/{WS}/jobs_u/getupdate/{job}?running=true{q}", token=self.token).json()
        first = poll(lambda: update("").get("new_result_stream"), what="the first piece")
        self.assertEqual(first, "first ")
        self.assertEqual(update("")["stream_offset"], 1)
        s = Stream(self.server, "GET", f"/api/w/{WS}/jobs_u/getupdate_sse/{job}?stream_offset=1",
                   token=self.token)
        self.addCleanup(s.close)
        events = s.events()
        self.assertNotIn("new_result_stream", next(events), "the caller had piece 0 already")
        gate.open()
        rest = list(events)
        self.assertEqual("".join(e.get("new_result_stream", "") for e in rest), "second\nline")
        self.assertEqual(rest[-1]["job"]["result"], "first second\nline")
        self.assertNotIn("new_result_stream", update("&stream_offset=2"))
        self.assertEqual(update("&stream_offset=0")["new_result_stream"], "first second\nline")


class WarmResultStreamTest(ResultStreamTest):
    server_env = {"WARM_WORKERS": "all"}


if __name__ == "__main__":
    unittest.main()
