"""Webhooks: body → args (§2.3), run options (§2.2), sync semantics (§2.4), language conventions
(§5), the job's environment, folder and logs."""
import base64
import json
import os
import time
import unittest

from e2e_util import (GATE_SH, KWARGS_PY, Gate, new_uuid, open_request, parse_ts, poll,
                      sync_run, wait_running)
from harness import WS, ServerTestCase, quote

KW = "u/admin/kw"
SYNC_KW = f"/api/w/{WS}/jobs/run_wait_result/p/{KW}"


class BodyToArgsTest(ServerTestCase):
    """Each request goes to the sync webhook of a script returning its kwargs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, KW, KWARGS_PY)

    def send(self, body=None, content_type=None, query="", headers=None, method="POST"):
        h = dict(headers or {})
        if content_type is not None:
            h["Content-Type"] = content_type
        return self.server.request(method, SYNC_KW + query, body=body, headers=h, token=self.token)

    def args(self, *a, **kw):
        r = self.send(*a, **kw)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.content_type.startswith("application/json"), r.content_type)
        return r.json()

    def test_json_object_body_is_the_args(self):
        self.assertEqual(self.args('{"a": 1, "b": "x", "c": [true, null]}', "application/json"),
                         {"a": 1, "b": "x", "c": [True, None]})

    def test_json_with_charset_is_json(self):
        self.assertEqual(self.args('{"a": 1}', "application/json; charset=utf-8"), {"a": 1})

    def test_json_array_string_number_null_are_wrapped_in_body(self):
        for text, value in (("[1, 2]", [1, 2]), ('"x"', "x"), ("5", 5), ("null", None),
                            ("true", True)):
            with self.subTest(body=text):
                self.assertEqual(self.args(text, "application/json"), {"body": value})

    def test_json_object_with_leading_whitespace_is_wrapped_in_body(self):
        self.assertEqual(self.args(' {"a": 1}', "application/json"), {"body": {"a": 1}})

    def test_no_content_type_and_empty_body_is_empty_args(self):
        self.assertEqual(self.args(None), {})
        self.assertEqual(self.args(b""), {})

    def test_no_content_type_with_body_is_parsed_as_json(self):
        self.assertEqual(self.args('{"a": 2}'), {"a": 2})
        self.assertEqual(self.args("[3]"), {"body": [3]})

    def test_invalid_json_is_400_invalid_json(self):
        for body in ('{"a": ', "{nope}", "[1,", ""):
            with self.subTest(body=body):
                r = self.send(body, "application/json")
                self.assertEqual(r.status, 400, r)
                self.assertTrue(r.text.startswith("Bad request: invalid json"), r)

    def test_invalid_json_creates_no_job(self):
        before = self._count_jobs()
        self.send('{"a": ', "application/json")
        self.assertEqual(self._count_jobs(), before)

    def test_text_plain_becomes_raw_string(self):
        self.assertEqual(self.args("hello text", "text/plain"), {"raw_string": "hello text"})

    def test_xml_becomes_raw_string(self):
        self.assertEqual(self.args("<a>1</a>", "application/xml"), {"raw_string": "<a>1</a>"})
        self.assertEqual(self.args("<a>1</a>", "text/xml"), {"raw_string": "<a>1</a>"})

    def test_other_content_type_becomes_raw_string(self):
        self.assertEqual(self.args("abc", "application/octet-stream"), {"raw_string": "abc"})

    def test_non_utf8_other_content_type_becomes_base64_raw_string(self):
        data = b"\xff\xfe\x00\x01"
        self.assertEqual(self.args(data, "application/octet-stream"),
                         {"raw_string": base64.b64encode(data).decode()})

    def test_form_urlencoded_fields_are_string_args(self):
        self.assertEqual(self.args("a=1&b=hello+world&c=%C3%A9&d=", "application/x-www-form-urlencoded"),
                         {"a": "1", "b": "hello world", "c": "é", "d": ""})

    def test_raw_true_adds_raw_string_to_json_args(self):
        body = '{"a": 1}'
        self.assertEqual(self.args(body, "application/json", query="?raw=true"),
                         {"a": 1, "raw_string": body})

    def test_wrap_body_true_wraps_object(self):
        self.assertEqual(self.args('{"a": 1}', "application/json", query="?wrap_body=true"),
                         {"body": {"a": 1}})

    def test_include_header_copies_header_as_snake_case_arg(self):
        got = self.args('{"a": 1}', "application/json", query="?include_header=X-Sign,X-Other-Thing",
                        headers={"X-Sign": "sig123", "X-Other-Thing": "o", "X-Not": "n"})
        self.assertEqual(got, {"a": 1, "x_sign": "sig123", "x_other_thing": "o"})

    def test_include_query_copies_query_values_as_strings(self):
        got = self.args('{"z": 0}', "application/json", query="?include_query=a,b&a=1&b=two&c=3")
        self.assertEqual(got, {"z": 0, "a": "1", "b": "two"})

    def test_extra_args_override_body_keys(self):
        got = self.args('{"a": "from body", "keep": 1}', "application/json",
                        query="?include_query=a&a=from-query")
        self.assertEqual(got, {"a": "from-query", "keep": 1})

    def test_get_with_base64_payload_gives_args(self):
        payload = quote(base64.b64encode(json.dumps({"name": "x", "n": [1, 2]}).encode()).decode())
        r = self.server.request("GET", f"{SYNC_KW}?payload={payload}", token=self.token)
        self.assertEqual((r.status, r.json()), (200, {"name": "x", "n": [1, 2]}))

    def test_get_without_payload_is_empty_args(self):
        r = self.server.request("GET", SYNC_KW, token=self.token)
        self.assertEqual((r.status, r.json()), (200, {}))

    def test_get_with_undecodable_payload_is_400_impossible_to_decode(self):
        # Windmill answers 500 here; Millrace answers 400 on purpose (a malformed request is the
        # caller's error; docs/architecture.md, "Departures from Windmill").
        r = self.server.request("GET", f"{SYNC_KW}?payload=%25%25not-base64", token=self.token)
        self.assertEqual(r.status, 400, r)
        self.assertTrue(r.text.startswith("Bad request: Impossible to decode query payload"), r)

    def _count_jobs(self):
        r = self.server.request("GET", f"/api/w/{WS}/jobs/list?script_path_exact={KW}&per_page=10000",
                                token=self.token)
        self.assertEqual(r.status, 200, r)
        return len(r.json())

    def test_head_on_run_routes_is_200_empty_and_runs_nothing(self):
        before = self._count_jobs()
        for path in (f"/api/w/{WS}/jobs/run/p/{KW}", SYNC_KW):
            with self.subTest(path=path):
                r = self.server.request("HEAD", path, token=self.token)
                self.assertEqual((r.status, r.body), (200, b""))
        h = self.server.request("GET", f"/api/w/{WS}/scripts/get/p/{KW}", token=self.token).json()["hash"]
        r = self.server.request("HEAD", f"/api/w/{WS}/jobs/run/h/{h}", token=self.token)
        self.assertEqual((r.status, r.body), (200, b""))
        self.assertEqual(self._count_jobs(), before)


class RunOptionsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, KW, KWARGS_PY)
        cls.server.create_script(cls.token, "u/admin/gate", GATE_SH, language="bash")

    def test_job_id_query_param_is_the_job_id(self):
        jid = new_uuid()
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/{KW}?job_id={jid}",
                                json_body={"a": 1}, token=self.token)
        self.assertEqual((r.status, r.text), (201, jid))
        done = self.server.wait_job(self.token, jid)
        self.assertEqual((done["id"], done["result"]), (jid, {"a": 1}))
        self.assertEqual((done["status"], done["success"]), ("success", True))

    def test_reusing_job_id_is_400_already_exists(self):
        jid = new_uuid()
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/{KW}?job_id={jid}", json_body={},
                                token=self.token)
        self.assertEqual(r.status, 201, r)
        self.server.wait_job(self.token, jid)
        for route in (f"/jobs/run/p/{KW}", f"/jobs/run_wait_result/p/{KW}"):
            with self.subTest(route=route):
                r = self.server.request("POST", f"/api/w/{WS}{route}?job_id={jid}", json_body={"b": 2},
                                        token=self.token)
                self.assertEqual((r.status, r.text),
                                 (400, f"Bad request: Job with id {jid} already exists"))
        self.assertEqual(self.server.wait_job(self.token, jid)["args"], {})

    def test_job_id_on_sync_route_names_the_job(self):
        jid = new_uuid()
        r = sync_run(self.server, self.token, KW, {"x": 1}, query=f"?job_id={jid}")
        self.assertEqual((r.status, r.json()), (200, {"x": 1}))
        self.assertEqual(self.server.wait_job(self.token, jid)["result"], {"x": 1})

    def test_scheduled_in_secs_delays_the_start(self):
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/{KW}?scheduled_in_secs=2",
                                json_body={}, token=self.token)
        self.assertEqual(r.status, 201, r)
        queued = self.server.request("GET", f"/api/w/{WS}/jobs_u/get/{r.text}", token=self.token).json()
        self.assertEqual(queued["type"], "QueuedJob")
        self.assertGreaterEqual(
            (parse_ts(queued["scheduled_for"]) - parse_ts(queued["created_at"])).total_seconds(), 1.99)
        done = self.server.wait_job(self.token, r.text)
        self.assertTrue(done["success"], done)
        delay = (parse_ts(done["started_at"]) - parse_ts(done["created_at"])).total_seconds()
        self.assertGreaterEqual(delay, 1.99, done)

    def test_sync_route_ignores_scheduled_in_secs(self):
        r = sync_run(self.server, self.token, KW, {"now": True}, query="?scheduled_in_secs=600",
                     timeout=30)
        self.assertEqual((r.status, r.json()), (200, {"now": True}))

    def test_client_disconnect_during_sync_wait_cancels_the_job(self):
        gate = Gate()
        self.addCleanup(gate.cleanup)
        jid = new_uuid()
        sock = open_request(self.server, "POST",
                            f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/gate?job_id={jid}",
                            body=json.dumps({"gate": gate.path}).encode(),
                            headers={"Authorization": "Bearer " + self.token,
                                     "Content-Type": "application/json"})
        try:
            wait_running(self.server, self.token, jid)
        finally:
            sock.close()
        done = self.server.wait_job(self.token, jid)
        self.assertIs(done["canceled"], True, done)
        self.assertIs(done["success"], False, done)
        self.assertEqual(done["canceled_reason"], "http connection broke")


class SyncResultTest(ServerTestCase):
    def script(self, path, content, language="python3"):
        self.server.create_script(self.token, path, content, language=language)
        return path

    def test_success_is_200_application_json_of_the_result(self):
        for i, (value, expect) in enumerate((("'hello'", "hello"), ("{'a': 1}", {"a": 1}),
                                              ("None", None), ("[1, 'x']", [1, "x"]), ("3.5", 3.5))):
            with self.subTest(value=value):
                p = self.script(f"u/admin/ok{i}", f"def main():\n    return {value}\n")
                r = sync_run(self.server, self.token, p)
                self.assertEqual(r.status, 200, r)
                self.assertTrue(r.content_type.startswith("application/json"), r.content_type)
                self.assertEqual(r.json(), expect)

    def test_string_result_is_json_quoted(self):
        p = self.script("u/admin/quoted", "def main():\n    return 'hello bob'\n")
        self.assertEqual(sync_run(self.server, self.token, p).text, '"hello bob"')

    def test_python_exception_is_422_with_error_object(self):
        p = self.script("u/admin/raises", "def main():\n    raise ValueError('boom')\n")
        r = sync_run(self.server, self.token, p)
        self.assertEqual(r.status, 422, r)
        self.assertTrue(r.content_type.startswith("application/json"), r.content_type)
        err = r.json()["error"]
        self.assertEqual((err["name"], err["message"]), ("ValueError", "boom"))
        self.assertIn("ValueError", err["stack"])
        self.assertIn("Traceback", err["stack"])
        # The stack starts at the user's code: the wrapper's frames are left out.
        self.assertNotIn("wrapper", err["stack"])
        self.assertIn('File "main.py", line 2, in main', err["stack"])
        logs = self.server.wait_job(self.token, self.server.run_async(self.token, p))["logs"]
        self.assertIn('File "main.py", line 2, in main', logs)
        self.assertNotIn("wrapper", logs)

    def test_bash_nonzero_exit_is_422_execution_error(self):
        p = self.script("u/admin/exit3", "echo about to fail\nexit 3\n", language="bash")
        r = sync_run(self.server, self.token, p)
        self.assertEqual(r.status, 422, r)
        err = r.json()["error"]
        self.assertEqual(err["name"], "ExecutionErr")
        self.assertTrue(err["message"].startswith('exit code for "bash": 3'), err)
        self.assertIn("about to fail", err["message"])
        self.assertEqual(err.get("exit_code"), 3)

    def test_failed_async_job_stores_error_result(self):
        p = self.script("u/admin/raises_async", "def main():\n    raise KeyError('k')\n")
        done = self.server.wait_job(self.token, self.server.run_async(self.token, p))
        self.assertIs(done["success"], False)
        self.assertEqual(done["result"]["error"]["name"], "KeyError")

    def test_windmill_overrides_set_status_type_headers_and_body(self):
        p = self.script("u/admin/custom", "def main():\n    return {'windmill_status_code': 201, "
                        "'windmill_content_type': 'text/plain', 'windmill_headers': {'X-A': 'b'}, "
                        "'result': 'hi'}\n")
        r = sync_run(self.server, self.token, p)
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.content_type.startswith("text/plain"), r.content_type)
        self.assertEqual(r.headers.get("x-a"), "b")
        self.assertEqual(r.body, b"hi")

    def test_wm_status_code_alias_with_json_result(self):
        p = self.script("u/admin/wm_alias", "def main():\n    return {'wm_status_code': 202, "
                        "'wm_headers': {'X-C': 'd'}, 'result': {'ok': True}}\n")
        r = sync_run(self.server, self.token, p)
        self.assertEqual(r.status, 202, r)
        self.assertTrue(r.content_type.startswith("application/json"), r.content_type)
        self.assertEqual(r.headers.get("x-c"), "d")
        self.assertEqual(r.json(), {"ok": True})

    def test_override_object_without_result_key_is_204(self):
        p = self.script("u/admin/no_result", "def main():\n    return {'windmill_headers': {'X-B': 'c'}}\n")
        r = sync_run(self.server, self.token, p)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.headers.get("x-b"), "c")
        self.assertEqual(r.body, b"")

    def test_invalid_status_code_override_is_500(self):
        p = self.script("u/admin/bad_code", "def main():\n    return {'windmill_status_code': 'abc', 'result': 1}\n")
        r = sync_run(self.server, self.token, p)
        self.assertEqual((r.status, r.text), (500, "Invalid status code"))

    def test_object_with_result_key_but_no_override_is_returned_whole(self):
        p = self.script("u/admin/plain_obj", "def main():\n    return {'result': 1, 'wm_other': 2}\n")
        r = sync_run(self.server, self.token, p)
        self.assertEqual((r.status, r.json()), (200, {"result": 1, "wm_other": 2}))

    def test_async_job_keeps_the_override_object_as_result(self):
        p = self.script("u/admin/custom_async", "def main():\n    return {'wm_status_code': 201, 'result': 'x'}\n")
        done = self.server.wait_job(self.token, self.server.run_async(self.token, p))
        self.assertEqual(done["result"], {"wm_status_code": 201, "result": "x"})


class SyncTimeoutTest(ServerTestCase):
    server_env = {"TIMEOUT_WAIT_RESULT": "2"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/sleepy", "sleep 30\necho woke\n", language="bash")

    def _timeout(self):
        jid = new_uuid()
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/sleepy?job_id={jid}",
                                json_body={}, token=self.token, timeout=30)
        return jid, r

    def test_sync_wait_times_out_with_500_and_cancels_the_job(self):
        jid, r = self._timeout()
        self.assertEqual((r.status, r.text), (500, "timeout after 2s"))
        self.assertTrue(r.content_type.startswith("text/plain"), r.content_type)
        done = self.server.wait_job(self.token, jid, timeout=20)
        self.assertIs(done["canceled"], True, done)
        self.assertIs(done["success"], False, done)
        self.assertEqual(done["result"]["error"]["name"], "Canceled")

    def test_sync_timeout_cancel_reason_is_http_connection_broke(self):
        # Windmill's drop guard cancels with this reason whatever ended the wait (§2.4).
        jid, r = self._timeout()
        self.assertEqual(r.status, 500, r)
        done = self.server.wait_job(self.token, jid, timeout=20)
        self.assertEqual(done["canceled_reason"], "http connection broke")

    def test_fast_job_still_answers_within_the_timeout(self):
        self.server.create_script(self.token, "u/admin/quick", "echo quick\n", language="bash")
        r = sync_run(self.server, self.token, "u/admin/quick")
        self.assertEqual((r.status, r.json()), (200, "quick"))


class BashConventionsTest(ServerTestCase):
    HEADER = 'name="$1"\nn="${2:-5}"\necho "hello $name n=$n"\n'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/bash_args", cls.HEADER, language="bash")

    def run_bash(self, path, content, args=None):
        self.server.create_script(self.token, path, content, language="bash")
        return sync_run(self.server, self.token, path, args or {})

    def test_header_args_are_positional_with_defaults(self):
        for args, expect in (({"name": "bob"}, "hello bob n=5"),
                             ({"name": "bob", "n": 7}, "hello bob n=7"),
                             ({"name": "", "n": "3"}, "hello  n=3"),
                             ({"name": None}, "hello  n=5"),
                             ({"name": "x", "unknown": "ignored"}, "hello x n=5")):
            with self.subTest(args=args):
                r = sync_run(self.server, self.token, "u/admin/bash_args", args)
                self.assertEqual((r.status, r.json()), (200, expect))
        # `name` has no default: it must be given (any JSON value: Bash gets it as text).
        r = sync_run(self.server, self.token, "u/admin/bash_args", {"n": "3"})
        self.assertEqual((r.status, r.text),
                         (400, "Bad request: argument `name` is required (expected string)"))

    def test_non_string_arg_is_passed_as_json_text(self):
        r = sync_run(self.server, self.token, "u/admin/bash_args", {"name": {"a": 1}, "n": [1, 2]})
        self.assertEqual(r.json(), 'hello {"a":1} n=[1,2]')

    def test_result_json_file_is_the_result(self):
        r = self.run_bash("u/admin/bash_rjson", "echo '{\"x\": [1, 2]}' > ./result.json\necho ignored\n")
        self.assertEqual((r.status, r.json()), (200, {"x": [1, 2]}))

    def test_result_out_file_is_a_string_result(self):
        r = self.run_bash("u/admin/bash_rout", "printf 'plain text' > ./result.out\necho ignored\n")
        self.assertEqual((r.status, r.json()), (200, "plain text"))

    def test_last_output_line_is_the_result(self):
        r = self.run_bash("u/admin/bash_last", "echo first\necho '  second  '\n")
        self.assertEqual((r.status, r.json()), (200, "second"))

    def test_stderr_counts_as_output(self):
        r = self.run_bash("u/admin/bash_stderr", "echo out\necho err >&2\n")
        self.assertEqual((r.status, r.json()), (200, "err"))

    def test_set_e_stops_at_first_failing_command(self):
        path = "u/admin/bash_sete"
        self.server.create_script(self.token, path, "echo before\nfalse\necho after\n", language="bash")
        job = self.server.run_async(self.token, path)
        done = self.server.wait_job(self.token, job)
        self.assertIs(done["success"], False, done)
        self.assertEqual(done["result"]["error"]["name"], "ExecutionErr")
        self.assertIn("before", done["logs"])
        self.assertNotIn("after", done["logs"])

    def test_pipefail_is_on(self):
        r = self.run_bash("u/admin/bash_pipefail", "false | cat\necho after\n")
        self.assertEqual(r.status, 422, r)


class PythonConventionsTest(ServerTestCase):
    def run_py(self, path, content, args=None, raw_body=None):
        self.server.create_script(self.token, path, content)
        if raw_body is not None:
            return self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/{path}", body=raw_body,
                                       headers={"Content-Type": "application/json"}, token=self.token)
        return sync_run(self.server, self.token, path, args or {})

    def test_null_is_none_defaults_apply_and_a_missing_required_argument_is_refused(self):
        r = self.run_py("u/admin/py_defaults",
                        "def main(a, b: int = 7, c: str = 'dflt'):\n    return {'a': a, 'b': b, 'c': c}\n",
                        {"a": None})
        self.assertEqual((r.status, r.json()), (200, {"a": None, "b": 7, "c": "dflt"}))
        # Checked against the schema inferred from the signature, before any job.
        r = sync_run(self.server, self.token, "u/admin/py_defaults", {"b": 1})
        self.assertEqual((r.status, r.text),
                         (400, "Bad request: argument `a` is required (expected any value)"))
        r = sync_run(self.server, self.token, "u/admin/py_defaults", {"a": 1, "c": "given", "zzz": 0})
        self.assertEqual(r.json(), {"a": 1, "b": 7, "c": "given"})

    def test_unicode_round_trips(self):
        s = "héllo wörld 🌍 日本語 \u2028 \"quoted\" \\ back"
        r = self.run_py("u/admin/py_unicode",
                        "def main(s: str):\n    print(s)\n    return {'s': s, 'len': len(s), 'upper': s.upper()}\n",
                        {"s": s})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"s": s, "len": len(s), "upper": s.upper()})

    def test_big_integers_keep_every_digit_in_sync_result(self):
        n = 2 ** 70 + 1
        r = self.run_py("u/admin/py_bigint",
                        "def main(n: int):\n    return {'n': n, 'double': n * 2, 't': type(n).__name__}\n",
                        raw_body='{"n": %d}' % n)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"n": n, "double": 2 * n, "t": "int"})

    def test_big_integer_result_keeps_every_digit_in_completed_job(self):
        n = 2 ** 70 + 1
        self.server.create_script(self.token, "u/admin/py_bigint2", "def main():\n    return %d\n" % n)
        job = self.server.run_async(self.token, "u/admin/py_bigint2")
        done = self.server.wait_job(self.token, job)
        self.assertEqual(done["result"], n)
        r = self.server.request("GET", f"/api/w/{WS}/jobs_u/completed/get_result/{job}", token=self.token)
        self.assertEqual(r.json(), n)

    def test_nested_objects_round_trip(self):
        o = {"a": [1, {"b": None, "c": [True, False]}], "d": {"e": {"f": 1.5}}, "g": ""}
        r = self.run_py("u/admin/py_nested", "def main(o: dict):\n    return o\n", {"o": o})
        self.assertEqual((r.status, r.json()), (200, o))

    def test_bytes_and_datetime_params_are_converted(self):
        content = (
            "import datetime\n"
            "def main(b: bytes, d: datetime.datetime, day: datetime.date):\n"
            "    return {'b_type': type(b).__name__, 'b': b.decode(), 'd_type': type(d).__name__,\n"
            "            'ymdh': [d.year, d.month, d.day, d.hour], 'day_type': type(day).__name__,\n"
            "            'day': [day.year, day.month, day.day]}\n")
        r = self.run_py("u/admin/py_types", content,
                        {"b": base64.b64encode(b"hello bytes").decode(),
                         "d": "2024-05-06T07:08:09Z", "day": "2023-12-31"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"b_type": "bytes", "b": "hello bytes", "d_type": "datetime",
                                    "ymdh": [2024, 5, 6, 7], "day_type": "date",
                                    "day": [2023, 12, 31]})

    def test_bytes_result_is_base64(self):
        r = self.run_py("u/admin/py_bytes_out", "def main():\n    return b'hi'\n")
        self.assertEqual((r.status, r.json()), (200, "aGk="))

    def test_print_goes_to_logs_and_return_to_result(self):
        self.server.create_script(self.token, "u/admin/py_print",
                                  "import sys\ndef main():\n    print('to stdout')\n"
                                  "    print('to stderr', file=sys.stderr)\n    return 1\n")
        job = self.server.run_async(self.token, "u/admin/py_print")
        done = self.server.wait_job(self.token, job)
        self.assertEqual(done["result"], 1)
        self.assertIn("to stdout", done["logs"])
        self.assertIn("to stderr", done["logs"])


ENV_SH = r'''files=$(ls -A | tr '\n' ' ')
echo "$WM_JOB_ID" > ./mine
printf '{"WM_WORKSPACE": "%s", "WM_JOB_ID": "%s", "WM_BASE_URL": "%s", "has_token": %s, "secret": "%s", "pwd": "%s", "files": "%s"}' \
  "$WM_WORKSPACE" "$WM_JOB_ID" "$WM_BASE_URL" "$([ -n "$WM_TOKEN" ] && echo true || echo false)" \
  "${MILLRACE_E2E_SECRET:-}" "$(pwd)" "$files" > ./result.json
'''

CURL_SH = r'''code=$(curl -s -o ./out.json -w '%{http_code}' -H "Authorization: Bearer $WM_TOKEN" \
  "$WM_BASE_URL/api/w/$WM_WORKSPACE/jobs_u/get/$WM_JOB_ID")
body=$(cat ./out.json)
case "$body" in "{"*) ;; *) body='null' ;; esac
printf '{"code": %s, "body": %s}' "$code" "$body" > ./result.json
'''


class JobEnvironmentTest(ServerTestCase):
    server_env = {"MILLRACE_E2E_SECRET": "s3cret"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/env", ENV_SH, language="bash")

    def test_job_sees_wm_variables(self):
        job = self.server.run_async(self.token, "u/admin/env")
        done = self.server.wait_job(self.token, job)
        self.assertTrue(done["success"], done)
        env = done["result"]
        self.assertEqual(env["WM_WORKSPACE"], WS)
        self.assertEqual(env["WM_JOB_ID"], job)
        self.assertRegex(env["WM_BASE_URL"], r"^https?://[^/]+(:\d+)?$")
        self.assertIs(env["has_token"], True)

    def test_server_environment_is_not_visible_to_jobs(self):
        done = self.server.wait_job(self.token, self.server.run_async(self.token, "u/admin/env"))
        self.assertEqual(done["result"]["secret"], "")
        self.server.create_script(self.token, "u/admin/py_env",
                                  "import os\ndef main():\n    return {k: v for k, v in os.environ.items()}\n")
        r = sync_run(self.server, self.token, "u/admin/py_env")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("MILLRACE_E2E_SECRET", r.json())
        self.assertNotIn("s3cret", r.text)
        self.assertNotIn("MILLRACE_ADMIN_PASSWORD", r.json())

    def test_each_job_runs_in_its_own_folder_removed_afterwards(self):
        jobs = [self.server.run_async(self.token, "u/admin/env") for _ in range(3)]
        done = [self.server.wait_job(self.token, j) for j in jobs]
        for d in done:
            # Its folder holds its script only: nothing another job left.
            self.assertEqual(d["result"]["files"], "main.sh ", d)
            pwd = d["result"]["pwd"]
            if os.geteuid() == 0:
                self.assertEqual(pwd, "/job")  # sandboxed: its own folder, seen at /job
            else:
                self.assertIn(d["id"], pwd)
                self.assertFalse(os.path.exists(pwd), pwd)

    @unittest.skipUnless(os.path.exists("/usr/bin/curl"), "no /usr/bin/curl")
    def test_wm_token_reads_the_jobs_own_status(self):
        self.server.create_script(self.token, "u/admin/self_get", CURL_SH, language="bash")
        job = self.server.run_async(self.token, "u/admin/self_get")
        done = self.server.wait_job(self.token, job)
        self.assertTrue(done["success"], done)
        self.assertEqual(done["result"]["code"], 200, done)
        body = done["result"]["body"]
        self.assertEqual(body["id"], job)
        self.assertEqual(body["type"], "QueuedJob")
        self.assertIs(body["running"], True)


class LogsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/chatty",
                                 'for i in $(seq 1 20); do echo "line $i"; echo "err $i" >&2; sleep 0.03; done\necho done\n',
                                 language="bash")
        cls.server.create_script(cls.token, "u/admin/gate", GATE_SH, language="bash")

    def test_stdout_and_stderr_appear_in_logs(self):
        job = self.server.run_async(self.token, "u/admin/chatty")
        done = self.server.wait_job(self.token, job)
        for i in (1, 10, 20):
            self.assertIn(f"line {i}\n", done["logs"])
            self.assertIn(f"err {i}\n", done["logs"])
        r = self.server.request("GET", f"/api/w/{WS}/jobs_u/get_logs/{job}", token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.text, done["logs"])

    def test_getupdate_log_offset_returns_only_new_logs(self):
        job = self.server.run_async(self.token, "u/admin/chatty")
        offset, pieces = 0, []
        deadline = time.time() + 30
        while time.time() < deadline:
            r = self.server.request("GET", f"/api/w/{WS}/jobs_u/getupdate/{job}?running=true&log_offset={offset}",
                                    token=self.token)
            self.assertEqual(r.status, 200, r)
            u = r.json()
            new = u.get("new_logs") or ""
            pieces.append(new)
            self.assertEqual(u["log_offset"], offset + len(new), u)  # characters, as the CLI counts
            offset = u["log_offset"]
            if u["completed"]:
                break
            time.sleep(0.05)
        else:
            self.fail("job did not complete")
        full = self.server.request("GET", f"/api/w/{WS}/jobs_u/get_logs/{job}", token=self.token).text
        self.assertEqual("".join(pieces), full)
        self.assertIn("line 20", full)
        r = self.server.request("GET", f"/api/w/{WS}/jobs_u/getupdate/{job}?log_offset={offset}",
                                token=self.token)
        self.assertEqual((r.json().get("new_logs") or "", r.json()["log_offset"]), ("", offset))

    def test_getupdate_log_offset_counts_characters_not_bytes(self):
        # Windmill's offsets are character positions (char_length of the stored log) and the
        # CLI advances log_offset by new_logs.length; non-ASCII output must not shift them.
        first = "héllo wörld 日本\n"
        self.server.create_script(self.token, "u/admin/unicode_logs",
                                  "printf 'héllo wörld 日本\\n'\nprintf 'second line\\n'\n",
                                  language="bash")
        job = self.server.run_async(self.token, "u/admin/unicode_logs")
        self.server.wait_job(self.token, job)
        u = self.server.request("GET", f"/api/w/{WS}/jobs_u/getupdate/{job}?log_offset=0",
                                token=self.token).json()
        self.assertEqual(u["new_logs"], first + "second line\n")
        self.assertEqual(u["log_offset"], len(u["new_logs"]))
        u = self.server.request("GET", f"/api/w/{WS}/jobs_u/getupdate/{job}?log_offset={len(first)}",
                                token=self.token).json()
        self.assertEqual((u["new_logs"], u["log_offset"]), ("second line\n", len(first) + 12))

    def test_running_jobs_logs_are_visible_before_it_ends(self):
        gate = Gate()
        self.addCleanup(gate.cleanup)
        job = self.server.run_async(self.token, "u/admin/gate", {"gate": gate.path})
        wait_running(self.server, self.token, job)
        logs = poll(lambda: (lambda r: r.text if "waiting for" in r.text else None)(
            self.server.request("GET", f"/api/w/{WS}/jobs_u/get_logs/{job}", token=self.token)),
            timeout=10, what="first log line of a running job")
        self.assertIn(gate.path, logs)
        u = self.server.request("GET", f"/api/w/{WS}/jobs_u/getupdate/{job}?log_offset=0",
                                token=self.token).json()
        self.assertIs(u["running"], True)
        self.assertIn("waiting for", u["new_logs"])
        gate.open()
        done = self.server.wait_job(self.token, job)
        self.assertIn("released", done["logs"])


if __name__ == "__main__":
    unittest.main()
