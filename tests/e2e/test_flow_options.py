"""Flow options: each per-module option (input transforms, retry,
stop_after_if, stop_after_all_iters_if, skip_if, continue_on_error, sleep, timeout, mock), the
flow-level ones (failure_module, early_return, same_worker), expressions that throw, do not
parse or never end; then the flow webhooks (§2: by path and by version, async and sync, GET
with a payload, HEAD, 404, 422), tokens in the query and scoped to one flow, the audit trail,
and cancelling a running flow (§3)."""
import os
import re
import unittest

from e2e_util import KWARGS_PY, audit_list, new_uuid, parse_ts, poll, wait_running
from flow_helpers import (ADD_ONE_PY, ECHO_PY, WAIT_FOR_FILE_PY, FlowMixin, flow_value,
                          forloop, js, py_raise, py_return, rawscript, skip_when, static, stop_if)
from harness import WS, ServerTestCase

# Fails on its first two attempts and succeeds on the third, counting in a shared file.
FLAKY_PY = """def main(folder: str):
    import os
    path = os.path.join(folder, "attempts")
    n = int(open(path).read()) + 1 if os.path.exists(path) else 1
    with open(path, "w") as f:
        f.write(str(n))
    if n < 3:
        raise RuntimeError(f"attempt {n} fails")
    return n
"""

SLEEP_30_SH = "sleep 30\necho woke\n"


class StepOptionsTest(FlowMixin, ServerTestCase):
    def test_input_transforms_are_static_values_or_modern_javascript(self):
        self.create_flow("f/t/transforms", flow_value(
            rawscript("a", py_return("{'k': 1}")),
            rawscript("all", KWARGS_PY,
                      fixed=static({"k": [1, 2]}),
                      arrow=js("[1, 2, 3].map(n => n * flow_input.factor)"),
                      template=js("`hi ${flow_input.name}!`"),
                      optional=js("flow_input.missing?.deep ?? 'fallback'"),
                      present=js("flow_input.obj?.inner ?? 'unused'"),
                      spread=js("({...flow_input.obj, extra: results.a.k})"),
                      destructure=js("(({name, factor}) => `${name}x${factor}`)(flow_input)"),
                      body=js("const a = flow_input.factor; return a * 100"),
                      # params: the inputs of this step already computed, in order.
                      from_params=js("params.fixed.k.length + params.arrow[2]"))))
        got = self.sync_result("f/t/transforms", {"factor": 3, "name": "Ada", "obj": {"inner": "yes"}})
        self.assertEqual(got, {"fixed": {"k": [1, 2]}, "arrow": [3, 6, 9], "template": "hi Ada!",
                               "optional": "fallback", "present": "yes",
                               "spread": {"inner": "yes", "extra": 1}, "destructure": "Adax3",
                               "body": 300, "from_params": 11})

    def test_retry_constant_runs_the_step_again_until_it_succeeds(self):
        d = self.shared_dir()
        self.create_flow("f/t/retry_constant", flow_value(
            rawscript("flaky", FLAKY_PY, folder=js("flow_input.folder"),
                      retry={"constant": {"attempts": 2, "seconds": 0}})))
        job = self.run_flow("f/t/retry_constant", {"folder": d.path})
        self.assert_succeeded(job, 3)
        self.assertEqual(d.read("attempts"), "3")

    def test_retry_gives_up_after_its_attempts(self):
        d = self.shared_dir()
        self.create_flow("f/t/retry_give_up", flow_value(
            rawscript("flaky", FLAKY_PY, folder=js("flow_input.folder"),
                      retry={"constant": {"attempts": 1, "seconds": 0}})))
        error = self.sync_error("f/t/retry_give_up", {"folder": d.path})
        self.assertIn("attempt 2 fails", error.get("message", ""), error)
        self.assertEqual(error.get("step_id"), "flaky", error)
        self.assertEqual(d.read("attempts"), "2", "one try and one retry, no more")

    def test_retry_if_decides_from_the_error_whether_to_try_again(self):
        d = self.shared_dir()
        self.create_flow("f/t/retry_if", flow_value(
            rawscript("flaky", FLAKY_PY, folder=js("flow_input.folder"),
                      retry={"constant": {"attempts": 5, "seconds": 0},
                             "retry_if": {"expr": "error.message.includes('attempt 1')"}})))
        error = self.sync_error("f/t/retry_if", {"folder": d.path})
        self.assertIn("attempt 2 fails", error.get("message", ""), error)
        self.assertEqual(d.read("attempts"), "2", "retried after attempt 1 only")

    def test_retry_exponential_runs_the_step_again_until_it_succeeds(self):
        d = self.shared_dir()
        self.create_flow("f/t/retry_exponential", flow_value(
            rawscript("flaky", FLAKY_PY, folder=js("flow_input.folder"),
                      retry={"exponential": {"attempts": 2, "multiplier": 1, "seconds": 1,
                                             "random_factor": 0}})))
        job = self.run_flow("f/t/retry_exponential", {"folder": d.path})
        self.assert_succeeded(job, 3)
        self.assertEqual(d.read("attempts"), "3")

    def test_stop_after_if_ends_the_flow_successfully_with_that_steps_result(self):
        self.create_flow("f/t/stop_ok", flow_value(
            rawscript("a", ADD_ONE_PY, x=js("flow_input.x"), stop_after_if=stop_if("result > 3")),
            rawscript("b", py_return("'b ran'"))))
        job = self.run_flow("f/t/stop_ok", {"x": 5})
        self.assert_succeeded(job, 6)
        self.assertEqual(self.children_of_step(job["id"], "b"), [], "b ran after the stop")
        self.assertEqual(self.sync_result("f/t/stop_ok", {"x": 1}), "b ran")

    def test_stop_after_if_with_an_error_message_fails_the_flow(self):
        self.create_flow("f/t/stop_error", flow_value(
            rawscript("a", ADD_ONE_PY, x=js("flow_input.x"),
                      stop_after_if=stop_if("result > 3", error_message="too big")),
            rawscript("b", py_return("'b ran'"))))
        error = self.sync_error("f/t/stop_error", {"x": 5})
        self.assertIn("too big", error.get("message", ""), error)
        job = self.run_flow("f/t/stop_error", {"x": 5})
        self.assertIs(job.get("success"), False, job)
        self.assertIn("too big", job["result"]["error"]["message"], job)
        self.assertEqual(self.children_of_step(job["id"], "b"), [], "b ran after the stop")
        self.assertEqual(self.sync_result("f/t/stop_error", {"x": 1}), "b ran")
        # An empty message gets Windmill's default, naming the expression.
        self.create_flow("f/t/stop_default_error", flow_value(
            rawscript("a", ADD_ONE_PY, x=js("flow_input.x"),
                      stop_after_if=stop_if("result > 3", error_message=""))))
        error = self.sync_error("f/t/stop_default_error", {"x": 5})
        self.assertEqual((error.get("name"), error.get("message"), error.get("step_id")),
                         ("EarlyStopError", "stop after if: result > 3", "a"), error)

    def test_stop_after_if_inside_a_loop_body_breaks_the_loop_and_the_flow_goes_on(self):
        # Windmill's rule: a step that stops inside a sequential loop ends the loop, not the flow.
        body = rawscript("double", py_return("v * 2", ["v"]), v=js("flow_input.iter.value"),
                         stop_after_if=stop_if("result >= 4"))
        self.create_flow("f/t/stop_in_loop", flow_value(
            forloop("loop", "[1, 2, 3, 4]", [body]),
            rawscript("after", py_return("['after', r]", ["r"]), r=js("results.loop"))))
        job = self.run_flow("f/t/stop_in_loop")
        self.assert_succeeded(job, ["after", [2, 4]])
        self.assertEqual(len(self.module_status(job, "loop")["flow_jobs"]), 2, job)

    def test_stop_after_all_iters_if_ends_the_flow_after_the_loop(self):
        body = rawscript("double", py_return("v * 2", ["v"]), v=js("flow_input.iter.value"))
        self.create_flow("f/t/stop_all_iters", flow_value(
            forloop("loop", "flow_input.items", [body],
                    stop_after_all_iters_if=stop_if("result.includes(4)")),
            rawscript("after", py_return("'after ran'"))))
        job = self.run_flow("f/t/stop_all_iters", {"items": [1, 2, 3]})
        self.assert_succeeded(job, [2, 4, 6])
        self.assertEqual(self.children_of_step(job["id"], "after"), [], "after ran after the stop")
        self.assertEqual(self.sync_result("f/t/stop_all_iters", {"items": [3]}), "after ran")

    def test_skip_if_true_skips_the_step_and_passes_the_previous_result_on(self):
        self.create_flow("f/t/skip_if", flow_value(
            rawscript("a", ADD_ONE_PY, x=js("flow_input.x")),
            rawscript("b", py_return("'b ran'"), skip_if=skip_when("flow_input.skip")),
            rawscript("c", ECHO_PY, v=js("previous_result"))))
        job = self.run_flow("f/t/skip_if", {"x": 1, "skip": True})
        self.assert_succeeded(job, 2)
        self.assertIs(self.module_status(job, "b").get("skipped"), True, job["flow_status"])
        self.assertEqual(self.children_of_step(job["id"], "b"), [], "a skipped step ran")
        self.assertEqual(self.sync_result("f/t/skip_if", {"x": 1, "skip": False}), "b ran")

    def test_continue_on_error_hands_the_error_to_the_next_step(self):
        self.create_flow("f/t/continue_on_error", flow_value(
            rawscript("a", py_raise("boom {x}", ["x"]), x=js("flow_input.x"), continue_on_error=True),
            rawscript("b", ECHO_PY, v=js("previous_result"))))
        job = self.run_flow("f/t/continue_on_error", {"x": 7})
        self.assertIs(job.get("success"), True, job)
        error = (job.get("result") or {}).get("error")
        self.assertIsInstance(error, dict, job)
        self.assertIn("boom 7", error.get("message", ""), job)
        self.assertEqual(error.get("name"), "ValueError", job)
        # As in Windmill, the step is shown as failed although the flow went on.
        self.assertEqual(self.module_status(job, "a").get("type"), "Failure", job)
        self.assertEqual(self.module_status(job, "b").get("type"), "Success", job)

    def test_sleep_delays_the_next_step(self):
        self.create_flow("f/t/sleep", flow_value(
            rawscript("a", py_return("1"), sleep=static(1)),
            rawscript("b", py_return("2"))))
        job = self.run_flow("f/t/sleep")
        self.assert_succeeded(job, 2)
        a = self.job(self.module_status(job, "a")["job"])
        b = self.job(self.module_status(job, "b")["job"])
        gap = (parse_ts(b["started_at"]) - parse_ts(a["completed_at"])).total_seconds()
        # An ordering fact with a floor, not a speed limit: 50 ms of slack for timestamps that
        # are rounded to the millisecond.
        self.assertGreaterEqual(gap, 0.95, f"b started {gap:.3f}s after a: {a} {b}")

    def test_a_stray_wake_during_a_sleep_does_not_cut_it_short(self):
        # A job that names the flow as its parent wakes it when it ends; the flow must still
        # sleep its full time.
        self.create_flow("f/t/sleep_stray", flow_value(
            rawscript("a", py_return("1"), sleep=static(2)),
            rawscript("b", py_return("2"))))
        flow = self.start("f/t/sleep_stray")
        self.wait_module(flow, "a", lambda m: m.get("type") == "Success", what="a done")
        self.server.create_script(self.token, "u/admin/stray", "echo stray\n", language="bash")
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/stray"
                                f"?parent_job={flow}", json_body={}, token=self.token)
        self.assertEqual(r.status, 200, r)
        job = self.wait_flow(flow)
        self.assert_succeeded(job, 2)
        a = self.job(self.module_status(job, "a")["job"])
        b = self.job(self.module_status(job, "b")["job"])
        gap = (parse_ts(b["started_at"]) - parse_ts(a["completed_at"])).total_seconds()
        self.assertGreaterEqual(gap, 1.95, f"b started {gap:.3f}s after a: {a} {b}")

    def test_timeout_fails_a_slow_step_and_the_flow(self):
        # Windmill takes the timeout as seconds or as an input transform.
        for n, timeout in enumerate((1, static(1))):
            with self.subTest(timeout=timeout):
                path = f"f/t/timeout_{n}"
                self.create_flow(path, flow_value(
                    rawscript("slow", SLEEP_30_SH, language="bash", timeout=timeout),
                    rawscript("b", py_return("'b ran'"))))
                # The step sleeps 30 s: completing within 20 s means it was stopped.
                job = self.run_flow(path, timeout=20)
                self.assertIs(job.get("success"), False, job)
                error = job["result"]["error"]
                self.assertRegex(error.get("message", ""), re.compile(r"time ?out|timed out", re.I), job)
                slow = self.job(self.module_status(job, "slow")["job"])
                self.assertEqual((slow["type"], slow.get("success")), ("CompletedJob", False), slow)
                self.assertEqual(self.children_of_step(job["id"], "b"), [])

    def test_mock_answers_its_return_value_without_running_the_step(self):
        self.create_flow("f/t/mock", flow_value(
            rawscript("a", py_raise("should not run"),
                      mock={"enabled": True, "return_value": {"mocked": [1]}}),
            rawscript("b", ECHO_PY, v=js("previous_result"))))
        job = self.run_flow("f/t/mock")
        self.assert_succeeded(job, {"mocked": [1]})
        self.assertEqual(self.children_of_step(job["id"], "a"), [], "a mocked step ran")
        self.create_flow("f/t/mock_off", flow_value(
            rawscript("a", py_return("'real'"), mock={"enabled": False, "return_value": "mock"})))
        self.assertEqual(self.sync_result("f/t/mock_off"), "real")


class FlowLevelOptionsTest(FlowMixin, ServerTestCase):
    def test_failure_module_gets_the_error_and_answers_the_flows_result(self):
        failure = rawscript("failure", "def main(message: str, step_id: str, name: str):\n"
                                       "    return {'handled': message, 'step': step_id, 'name': name}\n",
                            message=js("error.message"), step_id=js("error.step_id"),
                            name=js("error.name"))
        fails_above_one = ("def main(x: int):\n"
                           "    if x > 1:\n"
                           "        raise ValueError(f'kaput {x}')\n"
                           "    return x\n")
        self.create_flow("f/t/failure_module", flow_value(
            rawscript("a", ADD_ONE_PY, x=js("flow_input.x")),
            rawscript("b", fails_above_one, x=js("results.a")),
            rawscript("c", py_return("'c ran'")),
            failure_module=failure))
        job = self.run_flow("f/t/failure_module", {"x": 1})
        self.assertIs(job.get("success"), False, job)
        result = job.get("result") or {}
        self.assertIn("kaput 2", result.get("handled", ""), job)
        self.assertEqual((result.get("step"), result.get("name")), ("b", "ValueError"), job)
        self.assertEqual(job["flow_status"].get("failure_module", {}).get("id"), "failure", job)
        self.assertEqual(len(self.children_of_step(job["id"], "failure")), 1, self.children(job["id"]))
        self.assertEqual(self.children_of_step(job["id"], "c"), [], "c ran after b failed")
        # When nothing fails the failure module does not run.
        job = self.run_flow("f/t/failure_module", {"x": 0})
        self.assert_succeeded(job, "c ran")
        self.assertEqual(self.children_of_step(job["id"], "failure"), [])

    def test_a_failure_module_answering_recover_true_makes_the_flow_succeed(self):
        recovers = rawscript("failure", "def main(step: str):\n"
                                        "    return {'recover': True, 'from': step}\n",
                             step=js("error.step_id"))
        self.create_flow("f/t/recovers", flow_value(
            rawscript("a", py_raise("down")), failure_module=recovers))
        job = self.run_flow("f/t/recovers")
        self.assert_succeeded(job, {"recover": True, "from": "a"})
        self.assertEqual(self.module_status(job, "a").get("type"), "Failure", job)

    def test_early_return_answers_the_sync_call_while_the_flow_goes_on(self):
        d = self.shared_dir()
        self.create_flow("f/t/early_return", flow_value(
            rawscript("a", py_return("{'early': x}", ["x"]), x=js("flow_input.x")),
            rawscript("b", WAIT_FOR_FILE_PY, gate=js("flow_input.gate"), value=static("late")),
            early_return="a"))
        flow_id = new_uuid()
        # b waits for a file that is created only after the answer: the answer cannot wait for b.
        got = self.sync_result("f/t/early_return", {"x": 5, "gate": d.file("go")},
                               query=f"?job_id={flow_id}")
        self.assertEqual(got, {"early": 5})
        self.assertEqual(self.job(flow_id)["type"], "QueuedJob", "the flow ended before b could")
        d.touch("go")
        self.assert_succeeded(self.wait_flow(flow_id), "late")

    def test_same_worker_steps_share_the_shared_folder(self):
        # Windmill's same_worker: the steps of the flow (loop bodies included) see one ./shared
        # folder; it is gone when the flow ends, and other flows have none.
        write = rawscript("a", 'n="$1"\necho "$n" > ./shared/note\necho written\n',
                          language="bash", n=js("flow_input.x"))
        append = rawscript("inner", 'v="$1"\necho "$v" >> ./shared/note\necho ok\n',
                           language="bash", v=js("flow_input.iter.value"))
        read = rawscript("b", "def main():\n    return open('./shared/note').read().split()\n")
        self.create_flow("f/t/same_worker", flow_value(
            write, forloop("loop", "['p', 'q']", [append]), read, same_worker=True))
        job = self.run_flow("f/t/same_worker", {"x": 7})
        self.assert_succeeded(job, ["7", "p", "q"])
        # The folder lived in the job folder root, and went with the flow.
        shared = os.path.join(self.server.job_dir, "shared-" + job["id"])
        self.assertFalse(os.path.exists(shared), os.listdir(self.server.job_dir))
        self.create_flow("f/t/not_same_worker", flow_value(
            rawscript("b", "import os\ndef main():\n    return os.path.exists('./shared')\n")))
        self.assertIs(self.sync_result("f/t/not_same_worker"), False)


class ExpressionErrorsTest(FlowMixin, ServerTestCase):
    def tearDown(self):
        self.assertHealthy()

    def assert_error_says_where(self, error, step, input_name, expr):
        message = error.get("message", "")
        self.assertEqual(error.get("step_id"), step, error)
        for words in (step, input_name, expr):
            self.assertIn(words, message, error)

    def test_a_transform_that_throws_fails_its_step_and_says_where(self):
        self.create_flow("f/t/expr_throws", flow_value(
            rawscript("fine", py_return("1")),
            rawscript("boom", ECHO_PY, v=js("flow_input.nope.deeper"))))
        self.assert_error_says_where(self.sync_error("f/t/expr_throws"), "boom", "v",
                                     "flow_input.nope.deeper")

    def test_a_transform_that_does_not_parse_fails_its_step_and_says_where(self):
        self.create_flow("f/t/expr_syntax", flow_value(
            rawscript("broken", ECHO_PY, given=js("flow_input.x +* 2"))))
        self.assert_error_says_where(self.sync_error("f/t/expr_syntax", {"x": 1}), "broken", "given",
                                     "flow_input.x +* 2")

    def test_a_runaway_expression_fails_its_step_while_other_flows_still_run(self):
        self.create_flow("f/t/expr_runaway", flow_value(
            rawscript("spin", ECHO_PY, count_me=js("(() => { while (true) {} })()"))))
        # `* 1` keeps the expression away from any shortcut for plain property paths.
        self.create_flow("f/t/expr_quick", flow_value(
            rawscript("a", ADD_ONE_PY, x=js("flow_input.x * 1"))))
        runaway = self.start("f/t/expr_runaway")
        for x in range(3):
            self.assertEqual(self.sync_result("f/t/expr_quick", {"x": x}), x + 1)
        job = self.wait_flow(runaway, timeout=30)
        self.assertIs(job.get("success"), False, job)
        error = job["result"]["error"]
        self.assertEqual(error.get("step_id"), "spin", job)
        self.assertIn("count_me", error.get("message", ""), job)
        self.assertEqual(self.sync_result("f/t/expr_quick", {"x": 10}), 11)


class FlowWebhooksTest(FlowMixin, ServerTestCase):
    def add_one_flow(self, path, plus=1):
        return self.create_flow(path, flow_value(
            rawscript("a", f"def main(x: int):\n    return x + {plus}\n", x=js("flow_input.x"))))

    def test_async_run_by_path_answers_201_with_a_uuid_and_the_flow_completes(self):
        self.add_one_flow("f/t/hook")
        job_id = self.start("f/t/hook", {"x": 5})
        job = self.wait_flow(job_id)
        self.assert_succeeded(job, 6)
        self.assertEqual((job["id"], job["job_kind"]), (job_id, "flow"), job)

    def test_runs_by_version_use_that_version(self):
        self.add_one_flow("f/t/versions", plus=1)
        v1 = self.flow_version("f/t/versions")
        self.update_flow("f/t/versions", flow_value(
            rawscript("a", "def main(x: int):\n    return x + 100\n", x=js("flow_input.x"))))
        v2 = self.flow_version("f/t/versions")
        self.assertNotEqual(v1, v2)
        self.assert_succeeded(self.wait_flow(self.start(None, {"x": 5}, target=f"fv/{v1}")), 6)
        self.assertEqual(self.sync_result(None, {"x": 5}, target=f"fv/{v1}"), 6)
        self.assertEqual(self.sync_result(None, {"x": 5}, target=f"fv/{v1}", method="GET"), 6)
        self.assertEqual(self.sync_result(None, {"x": 5}, target=f"fv/{v2}"), 105)
        self.assertEqual(self.sync_result("f/t/versions", {"x": 5}), 105)

    def test_sync_run_by_post_and_by_get_with_a_base64_payload(self):
        self.add_one_flow("f/t/sync_hook")
        self.assertEqual(self.sync_result("f/t/sync_hook", {"x": 1}), 2)
        self.assertEqual(self.sync_result("f/t/sync_hook", {"x": 41}, method="GET"), 42)

    def test_head_on_flow_run_routes_answers_200_and_runs_nothing(self):
        self.add_one_flow("f/t/head_only")
        v = self.flow_version("f/t/head_only")
        for target in ("f/f/t/head_only", f"fv/{v}"):
            for mode in ("run", "run_wait_result"):
                with self.subTest(mode=mode, target=target):
                    r = self.server.request("HEAD", self.run_route(mode, target), token=self.token)
                    self.assertEqual((r.status, r.body), (200, b""), r)
        self.assertEqual(audit_list(self.server, self.token, operation="jobs.run.flow",
                                    resource="f/t/head_only"), [])

    def test_unknown_flow_or_version_is_404(self):
        for mode in ("run", "run_wait_result"):
            for target in ("f/f/t/no_such_flow", "fv/999999999"):
                with self.subTest(mode=mode, target=target):
                    r = self.server.request("POST", self.run_route(mode, target), json_body={},
                                            token=self.token)
                    self.assertEqual(r.status, 404, r)

    def test_a_failed_flow_over_sync_is_422_with_the_failed_steps_id(self):
        self.create_flow("f/t/fails", flow_value(
            rawscript("first", ADD_ONE_PY, x=js("flow_input.x")),
            rawscript("second", py_raise("nope {x}", ["x"]), x=js("previous_result")),
            rawscript("third", py_return("'third ran'"))))
        r = self.sync("f/t/fails", {"x": 0})
        self.assertEqual(r.status, 422, r)
        self.assertTrue(r.content_type.startswith("application/json"), r)
        error = r.json()["error"]
        self.assertEqual(error.get("name"), "ValueError", error)
        self.assertIn("nope 1", error.get("message", ""), error)
        self.assertEqual(error.get("step_id"), "second", error)

    def test_the_token_may_be_in_the_query_string(self):
        self.add_one_flow("f/t/query_token")
        route = self.run_route("run_wait_result", "f/f/t/query_token")
        r = self.server.request("POST", f"{route}?token={self.token}", json_body={"x": 1})
        self.assertEqual((r.status, r.text), (200, "2"), r)
        r = self.server.request("POST", self.run_route("run", "f/f/t/query_token") + f"?token={self.token}",
                                json_body={"x": 2})
        self.assertEqual(r.status, 201, r)
        self.assert_succeeded(self.wait_flow(r.text), 3)
        r = self.server.request("POST", route, json_body={"x": 1})
        self.assertEqual(r.status, 401, r)

    def test_a_token_scoped_to_one_flow_runs_that_flow_only(self):
        self.add_one_flow("f/x/a")
        self.add_one_flow("f/x/b")
        self.server.create_script(self.token, "u/admin/plain", "echo plain\n", language="bash")
        tok = self.server.create_token(self.token, label="flow-a", scopes=["jobs:run:flows:f/x/a"])
        job = self.start("f/x/a", {"x": 1}, token=tok)
        # A run scope also lets the token follow the runs it may start (as in Windmill).
        self.assert_succeeded(self.wait_flow(job, token=tok), 2)
        self.assertEqual(self.sync_result("f/x/a", {"x": 2}, token=tok), 3)
        for mode in ("run", "run_wait_result"):
            for target, scope in (("f/f/x/b", "jobs:run:flows:f/x/b"),
                                  ("p/u/admin/plain", "jobs:run:scripts")):
                with self.subTest(mode=mode, target=target):
                    r = self.server.request("POST", self.run_route(mode, target), json_body={"x": 1},
                                            token=tok)
                    self.assertEqual(r.status, 403, r)
                    self.assertIn(scope, r.text)

    def test_each_flow_run_writes_a_jobs_run_flow_audit_row(self):
        self.add_one_flow("f/t/audited")
        v = self.flow_version("f/t/audited")
        runs = [self.start("f/t/audited", {"x": 1})]
        runs.append(new_uuid())
        self.sync_result("f/t/audited", {"x": 1}, query=f"?job_id={runs[-1]}")
        runs.append(self.start(None, {"x": 1}, target=f"fv/{v}"))

        def rows():
            found = audit_list(self.server, self.token, operation="jobs.run.flow",
                               resource="f/t/audited")
            return found if len(found) >= len(runs) else None
        found = poll(rows, timeout=10, what="jobs.run.flow audit rows")
        self.assertEqual(sorted(str((a.get("parameters") or {}).get("uuid")) for a in found),
                         sorted(runs), found)
        for a in found:
            self.assertEqual((a["operation"], a["resource"], a["action_kind"], a["username"]),
                             ("jobs.run.flow", "f/t/audited", "Execute", "admin"), a)


class FlowCancelTest(FlowMixin, ServerTestCase):
    def test_cancelling_a_flow_scheduled_for_later_ends_it_at_once(self):
        self.create_flow("f/t/later", flow_value(rawscript("a", ADD_ONE_PY, x=js("flow_input.x"))))
        flow = self.start("f/t/later", {"x": 1}, query="?scheduled_in_secs=600")
        self.assertIs(self.job(flow)["running"], False)
        r = self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{flow}",
                                json_body={"reason": "not today"}, token=self.token)
        self.assertEqual(r.status, 200, r)
        job = self.wait_flow(flow, timeout=10)
        self.assertIs(job["canceled"], True, job)
        self.assertEqual(job["canceled_reason"], "not today", job)

    def test_cancelling_a_running_flow_cancels_it_and_its_running_step(self):
        self.create_flow("f/t/cancel", flow_value(
            rawscript("slow", SLEEP_30_SH, language="bash"),
            rawscript("b", py_return("'b ran'"))))
        flow_id = self.start("f/t/cancel")
        slow = self.wait_module(flow_id, "slow", lambda m: m.get("type") == "InProgress" and m.get("job"),
                                what="InProgress with a job")
        wait_running(self.server, self.token, slow["job"])
        r = self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{flow_id}",
                                json_body={"reason": "x"}, token=self.token)
        self.assertEqual((r.status, r.text), (200, flow_id), r)
        # The step sleeps 30 s: both completing within 20 s means the step was stopped.
        done = self.wait_flow(flow_id, timeout=20)
        self.assertEqual((done.get("canceled"), done.get("success")), (True, False), done)
        self.assertEqual(done.get("canceled_reason"), "x", done)
        step = self.wait_flow(slow["job"], timeout=20)
        self.assertEqual((step.get("canceled"), step.get("success")), (True, False), step)
        self.assertEqual(self.children_of_step(flow_id, "b"), [], "b ran after the cancel")


if __name__ == "__main__":
    unittest.main()
