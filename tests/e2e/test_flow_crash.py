"""A flow survives kill -9 of the server (a step's result and the flow's advance are
stored together, so a crash never leaves a flow half-advanced).

- A 20-step flow, python3 and bash steps in turn, each adding one to previous_result: the server
  is killed after a few steps and before the last ones, restarted, and the flow completes with
  20. Each step writes its id to a shared record when it starts: every step ran once, and at
  most the one interrupted ran twice. The child jobs say the same.
- The same for a sequential for loop of 12 iterations, killed between its 3rd and 10th.
"""
import collections
import sys
import time
import unittest

from flow_helpers import FlowMixin, SharedDir, flow_value, forloop, js, rawscript
from harness import Server
from test_crash_recovery import kill_orphaned_jobs

STEPS = 20
STEP_SLEEP_S = 0.3   # long enough for the kill to land mid-flow, not a measure of anything


def step_id(i):
    return f"s{i:02d}"


def python_step(i):
    return rawscript(step_id(i),
                     "def main(x: int, folder: str):\n"
                     "    import os, time\n"
                     "    with open(os.path.join(folder, 'ran'), 'a') as f:\n"
                     f"        f.write('{step_id(i)}\\n')\n"
                     f"    time.sleep({STEP_SLEEP_S})\n"
                     "    return x + 1\n",
                     x=js("flow_input.x" if i == 1 else "previous_result"),
                     folder=js("flow_input.folder"))


def bash_step(i):
    # result.json holds a JSON number, so that bash and python steps both answer integers.
    return rawscript(step_id(i),
                     'x="$1"\nfolder="$2"\n'
                     f'echo "{step_id(i)}" >> "$folder/ran"\n'
                     f"sleep {STEP_SLEEP_S}\n"
                     'echo "$((x + 1))" > result.json\n',
                     language="bash",
                     x=js("flow_input.x" if i == 1 else "previous_result"),
                     folder=js("flow_input.folder"))


class FlowCrashBase(FlowMixin, unittest.TestCase):
    server_env = {"NUM_WORKERS": "2"}

    def setUp(self):
        self.server = Server(env=self.server_env).start()
        self.addCleanup(self.cleanup_server)
        self.token = self.server.login()
        self.shared = SharedDir()

    def cleanup_server(self):
        self.server.kill9()
        kill_orphaned_jobs(self.server)
        self.server.cleanup()

    def crash_and_restart(self):
        """kill -9 of the server's process group, its orphaned job processes ended, then a
        restart on the same data folder."""
        self.server.kill9()
        orphans = kill_orphaned_jobs(self.server)
        print(f"\n  orphaned job processes after the kill: {orphans}", file=sys.stderr)
        self.server.start()
        self.token = self.server.login()

    def wait_for(self, flow_id, progress, low, high, what):
        """Polls the flow until progress(job) is within [low, high]; fails if the flow got past
        high (or completed) first."""
        deadline = time.time() + 60
        last = None
        while time.time() < deadline:
            last = self.job(flow_id)
            self.assertNotEqual(last.get("type"), "CompletedJob",
                                f"the flow completed before it could be interrupted: {last}")
            n = progress(last)
            if low <= n <= high:
                return n
            if n > high:
                self.fail(f"the flow ran past {high} {what} before it could be killed: {last}")
            time.sleep(0.02)
        self.fail(f"the flow did not reach {what} {low} within 60s: {last}")

    def assert_ran_once_except_one_at_most_twice(self, counts, expected_ids):
        self.assertEqual(set(counts), set(expected_ids), f"record: {dict(counts)}")
        twice = sorted(k for k, n in counts.items() if n == 2)
        more = sorted(k for k, n in counts.items() if n > 2)
        self.assertEqual(more, [], f"ran more than twice: {dict(counts)}")
        self.assertLessEqual(len(twice), 1, f"more than the interrupted one ran twice: {twice}")
        return twice


class TwentyStepFlowSurvivesKill9(FlowCrashBase):
    def test_a_flow_killed_mid_way_completes_with_every_step_run_once(self):
        steps = [python_step(i) if i % 2 else bash_step(i) for i in range(1, STEPS + 1)]
        self.create_flow("f/t/twenty_steps", flow_value(*steps))
        flow_id = self.start("f/t/twenty_steps", {"x": 0, "folder": self.shared.path})

        def successes(job):
            return sum(1 for m in (job.get("flow_status") or {}).get("modules") or []
                       if m.get("type") == "Success")
        done_before = self.wait_for(flow_id, successes, 3, 15, "successful steps")
        self.crash_and_restart()

        job = self.wait_flow(flow_id, timeout=120)
        self.assert_succeeded(job, STEPS)
        self.assertEqual([m.get("type") for m in self.modules(job)], ["Success"] * STEPS,
                         job["flow_status"])

        counts = collections.Counter(self.shared.lines("ran"))
        twice = self.assert_ran_once_except_one_at_most_twice(
            counts, [step_id(i) for i in range(1, STEPS + 1)])
        print(f"\n  killed after {done_before} steps; ran twice: {twice or 'none'}", file=sys.stderr)
        # A step that had completed before the kill is never run again.
        for i in range(1, done_before + 1):
            self.assertEqual(counts[step_id(i)], 1, f"{step_id(i)} completed before the kill "
                                                    f"and ran again: {dict(counts)}")

        children = self.children(flow_id)
        per_step = collections.Counter(c.get("flow_step_id") for c in children)
        self.assert_ran_once_except_one_at_most_twice(
            per_step, [step_id(i) for i in range(1, STEPS + 1)])
        for i in range(1, STEPS + 1):
            with self.subTest(step=step_id(i)):
                mine = [self.job(c["id"]) for c in children if c.get("flow_step_id") == step_id(i)]
                self.assertTrue(any(c.get("success") is True and c.get("result") == i for c in mine),
                                f"no successful job of {step_id(i)} answering {i}: {mine}")
                for c in mine:
                    self.assertEqual((c.get("parent_job"), c.get("root_job")), (flow_id, flow_id), c)
                    self.assertIs(c.get("is_flow_step"), True, c)


class LoopSurvivesKill9(FlowCrashBase):
    ITERATIONS = 12

    def test_a_loop_killed_mid_way_completes_with_every_iteration_run_once(self):
        body = rawscript("body",
                         "def main(v: int, folder: str):\n"
                         "    import os, time\n"
                         "    with open(os.path.join(folder, 'ran'), 'a') as f:\n"
                         "        f.write(f'i{v:02d}\\n')\n"
                         f"    time.sleep({STEP_SLEEP_S})\n"
                         "    return v * 2\n",
                         v=js("flow_input.iter.value"), folder=js("flow_input.folder"))
        self.create_flow("f/t/loop_crash", flow_value(
            forloop("loop", "flow_input.items", [body])))
        items = list(range(self.ITERATIONS))
        flow_id = self.start("f/t/loop_crash", {"items": items, "folder": self.shared.path})

        def iterations_started(job):
            for m in (job.get("flow_status") or {}).get("modules") or []:
                if m.get("id") == "loop":
                    return len(m.get("flow_jobs") or [])
            return 0
        started = self.wait_for(flow_id, iterations_started, 3, 10, "started iterations")
        self.crash_and_restart()

        job = self.wait_flow(flow_id, timeout=120)
        self.assert_succeeded(job, [v * 2 for v in items])
        counts = collections.Counter(self.shared.lines("ran"))
        twice = self.assert_ran_once_except_one_at_most_twice(counts, [f"i{v:02d}" for v in items])
        print(f"\n  killed after {started} iterations had started; ran twice: {twice or 'none'}",
              file=sys.stderr)
        loop = self.module_status(job, "loop")
        self.assertEqual(len(set(loop.get("flow_jobs") or [])), self.ITERATIONS, loop)


if __name__ == "__main__":
    unittest.main()
