"""The flow engine, one module type at a time: rawscript steps in
python3 and bash, scripts by path and by hash, sub-flows, for and while loops, branchone,
branchall and identity; how values travel between steps (flow input, previous_result,
results.<id>, flow_input.iter); what flow_status and the child jobs record. Parallel branches
and iterations are shown to run at the same time by a file rendezvous, never by timing."""
import unittest

from e2e_util import parse_ts
from flow_helpers import (ADD_ONE_PY, ECHO_PY, RENDEZVOUS_PY, UUID_RE, WAIT_FOR_FILE_PY,
                          FlowMixin, branchall, branchone, flow_value, forloop, identity, js,
                          py_raise, py_return, rawscript, script, static, subflow, whileloop)
from harness import ServerTestCase

FAIL_ON_TWO_PY = ("def main(v: int):\n"
                  "    if v == 2:\n"
                  "        raise ValueError(f'bad {v}')\n"
                  "    return v * 10\n")


class StepResultsTest(FlowMixin, ServerTestCase):
    """rawscript steps, and how a step's inputs reach the values of the flow and other steps."""

    def test_python_and_bash_steps_pass_their_results_along(self):
        self.create_flow("f/t/py_bash", flow_value(
            rawscript("a", ADD_ONE_PY, x=js("flow_input.x")),
            rawscript("b", 'n="$1"\necho "$((n * 10))"\n', language="bash",
                      n=js("previous_result")),
            rawscript("c", "def main(s: str, a: int):\n"
                           "    return {'from_bash': s, 'a': a, 'sum': int(s) + a}\n",
                      s=js("previous_result"), a=js("results.a"))))
        # bash answers the last line of its output, as a JSON string.
        self.assertEqual(self.sync_result("f/t/py_bash", {"x": 5}),
                         {"from_bash": "60", "a": 6, "sum": 66})

    def test_bash_step_gets_its_inputs_as_positional_args_in_declared_order(self):
        # Not in alphabetical order, so that sorting the inputs by name would show.
        content = 'zeta="$1"\nalpha="$2"\nlist="$3"\necho "$zeta|$alpha|$list"\n'
        self.create_flow("f/t/bash_args", flow_value(
            rawscript("b", content, language="bash", zeta=static("Z"),
                      alpha=js("flow_input.word"), list=static([1, 2]))))
        self.assertEqual(self.sync_result("f/t/bash_args", {"word": "hello"}), "Z|hello|[1,2]")

    def test_the_first_steps_previous_result_is_the_flow_input(self):
        self.create_flow("f/t/first_prev", flow_value(
            rawscript("a", ECHO_PY, v=js("previous_result"))))
        args = {"x": 1, "tags": ["a", "b"], "nested": {"k": None}}
        self.assertEqual(self.sync_result("f/t/first_prev", args), args)

    def test_results_by_id_reach_any_earlier_step_and_the_last_step_is_the_result(self):
        self.create_flow("f/t/results_by_id", flow_value(
            rawscript("a", ADD_ONE_PY, x=js("flow_input.x")),
            rawscript("b", py_return("'middle'")),
            rawscript("c", py_return("[a, b, prev]", ["a", "b", "prev"]),
                      a=js("results.a"), b=js("results.b"), prev=js("previous_result"))))
        self.assertEqual(self.sync_result("f/t/results_by_id", {"x": 1}), [2, "middle", "middle"])

    def test_identity_step_passes_the_previous_result_on(self):
        self.create_flow("f/t/identity", flow_value(
            rawscript("a", ADD_ONE_PY, x=js("flow_input.x")),
            identity("same"),
            rawscript("b", py_return("[p, s]", ["p", "s"]),
                      p=js("previous_result"), s=js("results.same"))))
        job = self.run_flow("f/t/identity", {"x": 5})
        self.assert_succeeded(job, [6, 6])
        self.assertEqual(self.module_status(job, "same").get("type"), "Success", job["flow_status"])

    def test_a_flow_ending_with_identity_answers_the_step_before_it(self):
        self.create_flow("f/t/identity_last", flow_value(
            rawscript("a", py_return("{'k': [1, 2]}")), identity("end")))
        self.assertEqual(self.sync_result("f/t/identity_last"), {"k": [1, 2]})


class ScriptAndFlowStepsTest(FlowMixin, ServerTestCase):
    """Steps that run a stored script (by path or by hash) or another flow (by path)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.v1 = s.create_script(cls.token, "f/t/versioned", "def main(x: int):\n    return f'v1:{x}'\n")
        cls.v2 = s.create_script(cls.token, "f/t/versioned", "def main(x: int):\n    return f'v2:{x}'\n",
                                 parent_hash=cls.v1)

    def test_script_step_runs_the_latest_version_by_path_and_the_pinned_one_by_hash(self):
        self.create_flow("f/t/script_steps", flow_value(
            script("latest", "f/t/versioned", x=js("flow_input.x")),
            script("pinned", "f/t/versioned", hash=self.v1, x=js("flow_input.x")),
            rawscript("both", py_return("[a, b]", ["a", "b"]),
                      a=js("results.latest"), b=js("results.pinned"))))
        job = self.run_flow("f/t/script_steps", {"x": 3})
        self.assert_succeeded(job, ["v2:3", "v1:3"])
        for step, version in (("latest", self.v2), ("pinned", self.v1)):
            with self.subTest(step=step):
                child = self.job(self.module_status(job, step)["job"])
                self.assertEqual((child.get("script_path"), child.get("script_hash")),
                                 ("f/t/versioned", version), child)

    def test_script_step_with_an_unknown_path_fails_the_flow(self):
        self.create_flow("f/t/script_missing", flow_value(script("gone", "f/t/no_such_script")))
        error = self.sync_error("f/t/script_missing")
        self.assertEqual(error.get("step_id"), "gone", error)
        self.assertIn("f/t/no_such_script", error.get("message", ""), error)

    def test_flow_step_runs_the_flow_at_its_path(self):
        self.create_flow("f/t/child", flow_value(rawscript("inner", ADD_ONE_PY, x=js("flow_input.x"))))
        self.create_flow("f/t/parent", flow_value(
            subflow("sub", "f/t/child", x=js("flow_input.x * 2")),
            rawscript("after", ADD_ONE_PY, x=js("previous_result"))))
        job = self.run_flow("f/t/parent", {"x": 5})
        self.assert_succeeded(job, 12)  # child: 5 * 2 + 1 = 11, then + 1
        sub = self.job(self.module_status(job, "sub")["job"])
        self.assertEqual(sub.get("job_kind"), "flow", sub)
        self.assertEqual(sub.get("script_path"), "f/t/child", sub)
        self.assertEqual(sub.get("result"), 11, sub)
        self.assertEqual(sub.get("parent_job"), job["id"], sub)
        self.assertEqual(sub.get("flow_step_id"), "sub", sub)
        # The sub-flow's own step is its child, and has the top flow as root.
        inner = self.children_of_step(sub["id"], "inner")
        self.assertEqual(len(inner), 1, self.children(sub["id"]))
        self.assertEqual(inner[0].get("root_job"), job["id"], inner[0])


class FlowStatusTest(FlowMixin, ServerTestCase):
    """What GET jobs_u/get says about a flow job and its child jobs (`wmill flow run` reads it)."""

    def test_a_running_flow_shows_each_modules_state(self):
        d = self.shared_dir()
        self.create_flow("f/t/status_running", flow_value(
            rawscript("a", WAIT_FOR_FILE_PY, gate=js("flow_input.gate"), value=static(1)),
            rawscript("b", ADD_ONE_PY, x=js("previous_result"))))
        flow_id = self.start("f/t/status_running", {"gate": d.file("open")})
        a = self.wait_module(flow_id, "a", lambda m: m.get("type") == "InProgress" and m.get("job"),
                             what="InProgress with a job")
        self.assertRegex(a["job"], UUID_RE)
        running = self.job(flow_id)
        self.assertEqual((running["type"], running["job_kind"]), ("QueuedJob", "flow"), running)
        status = running["flow_status"]
        self.assertEqual([m.get("id") for m in status["modules"]], ["a", "b"], status)
        self.assertEqual(status["modules"][1].get("type"), "WaitingForPriorSteps", status)
        self.assertEqual(status.get("step"), 0, status)
        self.assertEqual(status.get("failure_module", {}).get("id"), "failure", status)
        child = self.job(a["job"])
        self.assertEqual(child["type"], "QueuedJob", child)
        self.assertEqual(child.get("parent_job"), flow_id, child)
        d.touch("open")
        done = self.wait_flow(flow_id)
        self.assert_succeeded(done, 2)

    def test_a_running_loop_shows_its_iterator_and_iteration_jobs(self):
        d = self.shared_dir()
        body = rawscript("wait", WAIT_FOR_FILE_PY, gate=js("flow_input.gate"),
                         value=js("flow_input.iter.value"))
        self.create_flow("f/t/status_loop", flow_value(forloop("loop", "flow_input.items", [body])))
        flow_id = self.start("f/t/status_loop", {"items": ["a", "b"], "gate": d.file("open")})
        loop = self.wait_module(flow_id, "loop",
                                lambda m: m.get("type") == "InProgress" and m.get("flow_jobs"),
                                what="InProgress with an iteration job")
        iterator = loop.get("iterator") or {}
        self.assertEqual((iterator.get("index"), iterator.get("itered")), (0, ["a", "b"]), loop)
        self.assertEqual(len(loop["flow_jobs"]), 1, loop)
        self.assertRegex(loop["flow_jobs"][0], UUID_RE)
        d.touch("open")
        self.assert_succeeded(self.wait_flow(flow_id), ["a", "b"])

    def test_a_completed_flow_has_its_raw_flow_status_and_child_jobs(self):
        value = flow_value(rawscript("a", ADD_ONE_PY, x=js("flow_input.x")),
                           rawscript("b", ADD_ONE_PY, x=js("previous_result")))
        self.create_flow("f/t/status_done", value)
        job = self.run_flow("f/t/status_done", {"x": 1})
        self.assert_succeeded(job, 3)
        self.assertEqual(job["job_kind"], "flow", job)
        self.assertEqual(job.get("args"), {"x": 1}, job)
        raw = job.get("raw_flow")
        self.assertIsInstance(raw, dict, job)
        self.assertEqual([m["id"] for m in raw["modules"]], ["a", "b"], raw)
        self.assertEqual(raw["modules"][0]["value"]["content"], ADD_ONE_PY, raw)
        status = job["flow_status"]
        self.assertIsInstance(status.get("step"), int, status)
        self.assertEqual(status.get("failure_module", {}).get("id"), "failure", status)
        modules = self.modules(job)
        self.assertEqual([(m.get("id"), m.get("type")) for m in modules],
                         [("a", "Success"), ("b", "Success")], status)
        children = self.children(job["id"])
        self.assertEqual(sorted(c["id"] for c in children), sorted(str(m.get("job")) for m in modules),
                         children)
        by_step = {c["flow_step_id"]: c for c in children}
        for step, result in (("a", 2), ("b", 3)):
            with self.subTest(step=step):
                c = self.job(by_step[step]["id"])
                self.assertEqual(c["type"], "CompletedJob", c)
                self.assertEqual(c.get("parent_job"), job["id"], c)
                self.assertEqual(c.get("root_job"), job["id"], c)
                self.assertEqual(c.get("flow_step_id"), step, c)
                self.assertIs(c.get("is_flow_step"), True, c)
                self.assertEqual((c.get("success"), c.get("result")), (True, result), c)
        # The steps ran one after the other.
        self.assertLessEqual(parse_ts(self.job(by_step["a"]["id"])["completed_at"]),
                             parse_ts(self.job(by_step["b"]["id"])["started_at"]))


class LoopsTest(FlowMixin, ServerTestCase):
    def test_forloop_collects_iteration_results_in_order(self):
        body = rawscript("body", "def main(v, i, base, pre):\n    return f'{i}:{v}:{base}:{pre}'\n",
                         v=js("flow_input.iter.value"), i=js("flow_input.iter.index"),
                         base=js("flow_input.base"), pre=js("results.pre"))
        self.create_flow("f/t/forloop", flow_value(
            rawscript("pre", py_return("'P'")),
            forloop("loop", "flow_input.items", [body])))
        job = self.run_flow("f/t/forloop", {"items": ["a", "b", "c"], "base": "B"})
        expected = ["0:a:B:P", "1:b:B:P", "2:c:B:P"]
        self.assert_succeeded(job, expected)
        loop = self.module_status(job, "loop")
        self.assertEqual(loop.get("type"), "Success", loop)
        iterations = loop.get("flow_jobs")
        self.assertIsInstance(iterations, list, loop)
        self.assertEqual(len(iterations), 3, loop)
        for i, iteration in enumerate(iterations):
            with self.subTest(iteration=i):
                it = self.job(iteration)
                self.assertEqual(it.get("parent_job"), job["id"], it)
                steps = self.children_of_step(iteration, "body")
                self.assertEqual(len(steps), 1, self.children(iteration))
                step = self.job(steps[0]["id"])
                self.assertEqual(step.get("parent_job"), iteration, step)
                self.assertEqual(step.get("root_job"), job["id"], step)
                self.assertEqual(step.get("result"), expected[i], step)

    def test_a_loop_bodys_first_step_gets_the_iteration_input_as_previous_result(self):
        # Windmill's rule: an iteration is a flow of its own whose input is the flow's input
        # plus `iter`, and a flow's first step sees its input as previous_result.
        body = rawscript("first", "def main(p):\n    return [p['iter'], p['base']]\n",
                         p=js("previous_result"))
        self.create_flow("f/t/loop_previous", flow_value(
            rawscript("pre", py_return("'before the loop'")),
            forloop("loop", "['a', 'b']", [body])))
        job = self.run_flow("f/t/loop_previous", {"base": "B"})
        self.assert_succeeded(job, [[{"value": "a", "index": 0}, "B"],
                                    [{"value": "b", "index": 1}, "B"]])

    def test_a_forloop_without_skip_failures_skips_them_as_windmill_does(self):
        # skip_failures is required by OpenFlow; when it is absent Windmill skips failures.
        value = flow_value(forloop("loop", "[1, 2]", [rawscript("body", FAIL_ON_TWO_PY,
                                                             v=js("flow_input.iter.value"))]))
        del value["modules"][0]["value"]["skip_failures"]
        self.create_flow("f/t/forloop_default_skip", value)
        job = self.run_flow("f/t/forloop_default_skip")
        self.assertIs(job.get("success"), True, job)
        self.assertEqual(job["result"][0], 10, job)
        self.assertIn("bad 2", job["result"][1]["error"]["message"], job)

    def test_forloop_over_an_empty_list_answers_an_empty_array(self):
        self.create_flow("f/t/forloop_empty", flow_value(
            forloop("loop", "flow_input.items", [rawscript("body", ECHO_PY, v=js("flow_input.iter.value"))])))
        self.assertEqual(self.sync_result("f/t/forloop_empty", {"items": []}), [])

    def test_forloop_skip_failures_keeps_the_error_and_goes_on(self):
        self.create_flow("f/t/forloop_skip", flow_value(
            forloop("loop", "flow_input.items",
                    [rawscript("body", FAIL_ON_TWO_PY, v=js("flow_input.iter.value"))],
                    skip_failures=True)))
        job = self.run_flow("f/t/forloop_skip", {"items": [1, 2, 3]})
        self.assertIs(job.get("success"), True, job)
        result = job["result"]
        self.assertEqual(len(result), 3, result)
        self.assertEqual((result[0], result[2]), (10, 30), result)
        self.assertIsInstance(result[1], dict, result)
        self.assertIn("bad 2", result[1].get("error", {}).get("message", ""), result)

    def test_forloop_without_skip_failures_fails_the_flow(self):
        self.create_flow("f/t/forloop_fail", flow_value(
            forloop("loop", "flow_input.items",
                    [rawscript("body", FAIL_ON_TWO_PY, v=js("flow_input.iter.value"))],
                    skip_failures=False),
            rawscript("after", py_return("'after ran'"))))
        error = self.sync_error("f/t/forloop_fail", {"items": [1, 2, 3]})
        self.assertIn("bad 2", error.get("message", ""), error)
        job = self.run_flow("f/t/forloop_fail", {"items": [1, 2, 3]})
        self.assertIs(job.get("success"), False, job)
        self.assertEqual(self.children_of_step(job["id"], "after"), [])

    def test_nested_forloops_give_nested_arrays(self):
        inner = forloop("inner", "flow_input.iter.value",
                        [rawscript("times_ten", py_return("v * 10", ["v"]), v=js("flow_input.iter.value"))])
        self.create_flow("f/t/nested_loops", flow_value(forloop("outer", "flow_input.matrix", [inner])))
        self.assertEqual(self.sync_result("f/t/nested_loops", {"matrix": [[1, 2], [3], []]}),
                         [[10, 20], [30], []])

    def test_whileloop_repeats_until_its_stop_after_if(self):
        body = rawscript("double", py_return("i * step", ["i", "step"]),
                         i=js("flow_input.iter.index"), step=js("flow_input.step"))
        self.create_flow("f/t/whileloop", flow_value(
            whileloop("loop", [body], stop_expr="result >= 6"),
            rawscript("after", py_return("{'loop': r}", ["r"]), r=js("previous_result"))))
        # Iterations 0, 1, 2, 3 answer 0, 2, 4, 6; the one that met the condition is kept.
        self.assertEqual(self.sync_result("f/t/whileloop", {"step": 2}), {"loop": [0, 2, 4, 6]})


class BranchesTest(FlowMixin, ServerTestCase):
    def test_branchone_runs_the_first_branch_whose_expr_is_true(self):
        self.create_flow("f/t/branchone", flow_value(
            branchone("pick", [
                ("flow_input.n > 10", [rawscript("big", py_return("f'big {n}'", ["n"]), n=js("flow_input.n"))]),
                ("flow_input.n > 0", [rawscript("pos1", ADD_ONE_PY, x=js("flow_input.n")),
                                      rawscript("pos2", py_return("f'small {first}'", ["first"]),
                                                first=js("results.pos1"))]),
            ], default=[rawscript("neg", py_return("'not positive'"))]),
            rawscript("after", py_return("{'branch_result': r}", ["r"]), r=js("previous_result"))))
        cases = ((50, "big 50", {"type": "branch", "branch": 0}),  # both exprs are true
                 (5, "small 6", {"type": "branch", "branch": 1}),
                 (-1, "not positive", {"type": "default"}))
        for n, result, chosen in cases:
            with self.subTest(n=n):
                job = self.run_flow("f/t/branchone", {"n": n})
                self.assert_succeeded(job, {"branch_result": result})
                pick = self.module_status(job, "pick")
                self.assertEqual(pick.get("type"), "Success", pick)
                self.assertEqual(pick.get("branch_chosen"), chosen, pick)

    def test_branchall_answers_each_branchs_last_result_in_order(self):
        self.create_flow("f/t/branchall", flow_value(
            rawscript("before", py_return("'B'")),
            branchall("all", [
                [rawscript("a", py_return("f'A{b}'", ["b"]), b=js("results.before"))],
                [rawscript("b1", py_return("1")),
                 rawscript("b2", ADD_ONE_PY, x=js("previous_result"))],
                [rawscript("c", ECHO_PY, v=js("flow_input.x"))],
            ], parallel=False)))
        job = self.run_flow("f/t/branchall", {"x": "from input"})
        self.assert_succeeded(job, ["AB", 2, "from input"])
        branches = self.module_status(job, "all")
        self.assertEqual(branches.get("type"), "Success", branches)
        self.assertEqual(len(branches.get("flow_jobs") or []), 3, branches)

    def test_branchall_skip_failure_keeps_the_error_in_its_slot(self):
        failing = [rawscript("boom", py_raise("branch zero broke"))]
        fine = [rawscript("fine", py_return("'ok'"))]
        self.create_flow("f/t/branchall_skip", flow_value(
            branchall("all", [(failing, True), (fine, False)], parallel=False)))
        job = self.run_flow("f/t/branchall_skip")
        self.assertIs(job.get("success"), True, job)
        self.assertEqual(len(job["result"]), 2, job)
        first, second = job["result"]
        self.assertIn("branch zero broke", first.get("error", {}).get("message", ""), job)
        self.assertEqual(second, "ok", job)

        self.create_flow("f/t/branchall_fail", flow_value(
            branchall("all", [(failing, False), (fine, False)], parallel=False)))
        error = self.sync_error("f/t/branchall_fail")
        self.assertIn("branch zero broke", error.get("message", ""), error)


class ParallelTest(FlowMixin, ServerTestCase):
    """Parallel branches and iterations: each step waits for the other's marker file, so the
    flow succeeds only if they run at the same time."""

    server_env = {"NUM_WORKERS": "6"}

    def rendezvous(self, id, me, other):
        return rawscript(id, RENDEZVOUS_PY, folder=js("flow_input.folder"), me=me, other=other)

    def test_parallel_branchall_runs_its_branches_at_the_same_time(self):
        self.create_flow("f/t/parallel_branches", flow_value(
            branchall("both", [[self.rendezvous("left", "L", "R")],
                               [self.rendezvous("right", "R", "L")]], parallel=True)))
        d = self.shared_dir()
        job = self.run_flow("f/t/parallel_branches", {"folder": d.path})
        self.assert_succeeded(job, ["L", "R"])

    def test_branchall_without_parallel_runs_its_branches_at_the_same_time(self):
        # Windmill's default for branchall when `parallel` is absent.
        value = flow_value(branchall("both", [[self.rendezvous("left", "L", "R")],
                                              [self.rendezvous("right", "R", "L")]]))
        del value["modules"][0]["value"]["parallel"]
        self.create_flow("f/t/default_parallel_branches", value)
        d = self.shared_dir()
        job = self.run_flow("f/t/default_parallel_branches", {"folder": d.path})
        self.assert_succeeded(job, ["L", "R"])

    def test_parallel_forloop_runs_its_iterations_at_the_same_time(self):
        body = self.rendezvous("meet", js("flow_input.iter.value"),
                               js("flow_input.iter.value === 'L' ? 'R' : 'L'"))
        self.create_flow("f/t/parallel_loop", flow_value(
            forloop("loop", "['L', 'R']", [body], parallel=True, parallelism=2)))
        d = self.shared_dir()
        job = self.run_flow("f/t/parallel_loop", {"folder": d.path})
        self.assert_succeeded(job, ["L", "R"])  # in iteration order, whichever finished first

    def test_parallelism_caps_the_iterations_running_at_once(self):
        # Each iteration marks itself running, then counts the marks after a while: with a cap
        # of 2 no count can exceed 2.
        count = ("def main(folder: str, me: int):\n"
                 "    import glob, os, time\n"
                 "    mine = os.path.join(folder, f'running-{me}')\n"
                 "    open(mine, 'w').close()\n"
                 "    try:\n"
                 "        time.sleep(0.3)\n"
                 "        return len(glob.glob(os.path.join(folder, 'running-*')))\n"
                 "    finally:\n"
                 "        os.remove(mine)\n")
        self.create_flow("f/t/parallelism", flow_value(
            forloop("loop", "[0, 1, 2, 3, 4, 5]",
                    [rawscript("count", count, folder=js("flow_input.folder"), me=js("flow_input.iter.value"))],
                    parallel=True, parallelism=static(2))))
        d = self.shared_dir()
        job = self.run_flow("f/t/parallelism", {"folder": d.path})
        self.assertIs(job.get("success"), True, job)
        self.assertEqual(len(job["result"]), 6, job)
        self.assertTrue(all(1 <= n <= 2 for n in job["result"]),
                        f"more than 2 iterations ran at once: {job['result']}")


if __name__ == "__main__":
    unittest.main()
