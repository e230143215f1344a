"""Warm workers (docs/architecture.md, "Warm workers"): a Python or TypeScript/JavaScript script
saved with `dedicated_worker` (or every such job, with WARM_WORKERS=all) runs in an interpreter
kept by the worker, which loads the script version once and runs `main` per job over a pipe.
Each job still gets its own folder, environment, logs and limits; an interpreter that crashes,
times out or is canceled fails only its current job and is started again for the next one.
Module state is kept between the jobs of one script version (that is the point, and what a
user must know); it is never shared with another script, version or workspace.

The last classes run the language suites of the other files again, every job warm."""
import os
import pwd
import time
import unittest

import test_job_limits
import test_typescript
import test_webhooks
from e2e_util import poll, running_command, sync_run
from flow_helpers import FlowMixin, flow_value, forloop, js, rawscript
from harness import WS, ServerTestCase

AS_ROOT = os.geteuid() == 0

# Counts its own calls: the count says whether the interpreter was kept.
COUNTER_PY = """import os, sys, time, uuid
calls = 0
INSTANCE = uuid.uuid4().hex  # which interpreter answers

def main(crash: bool = False, sleep: float = 0, fail: bool = False, word: str = ""):
    global calls
    calls += 1
    print(f"out {word} {os.environ['WM_JOB_ID']}")
    print(f"err {word}", file=sys.stderr)
    if sleep:
        time.sleep(sleep)
    if crash:
        os._exit(3)
    if fail:
        raise ValueError(f"failed on call {calls}")
    open("mine.txt", "w").write(word)
    return {"calls": calls, "instance": INSTANCE, "job": os.environ["WM_JOB_ID"],
            "cwd": os.getcwd(), "home": os.environ["HOME"], "uid": os.getuid(),
            "files": sorted(os.listdir(".")),
            "siblings": sorted(os.listdir(os.path.dirname(os.getcwd())))}
"""

COUNTER_TS = """let calls = 0;
const instance = `${Date.now()}-${Math.random()}`;  // which interpreter answers
export async function main(crash: boolean = false, fail: boolean = false, word: string = "") {
  calls++;
  console.log(`out ${word} ${process.env.WM_JOB_ID}`);
  console.error(`err ${word}`);
  if (crash) process.exit(3);
  if (fail) throw new TypeError(`failed on call ${calls}`);
  return { calls, instance, job: process.env.WM_JOB_ID, cwd: process.cwd() };
}
"""


def warm_pids(server):
    """Host pids of the server's warm interpreters (processes run with --warm below it)."""
    found = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                if b"--warm" not in f.read().split(b"\0"):
                    continue
            pid = int(name)
            for _ in range(4):  # the interpreter, its sandbox's init, the server
                with open(f"/proc/{pid}/stat") as f:
                    pid = int(f.read().rsplit(")", 1)[1].split()[1])
                if pid == server.proc.pid:
                    found.add(int(name))
                    break
        except OSError:
            continue
    return found


def assert_job_uid(test, uid):
    """Sandboxed jobs run as a uid of their own, no account's."""
    if AS_ROOT:
        test.assertNotIn(uid, (0, os.geteuid()))
        with test.assertRaises(KeyError):
            pwd.getpwuid(uid)


def warm_env(base=None):
    return {**(base or {}), "WARM_WORKERS": "all"}


class WarmScriptsTest(ServerTestCase):
    # One worker: every job of a script meets the same interpreter.
    server_env = {"NUM_WORKERS": "1"}

    def script(self, path, content, language="python3", **extra):
        # The path in a comment: no two tests share a script version, hence an interpreter.
        self.server.create_script(self.token, path, f"{content}\n// {path}\n"
                                  if language != "python3" else f"{content}\n# {path}\n",
                                  language=language, dedicated_worker=True, **extra)

    def run_ok(self, path, args=None):
        r = sync_run(self.server, self.token, path, args or {})
        self.assertEqual(r.status, 200, r)
        return r.json()

    def logs(self, job):
        return self.server.request("GET", f"/api/w/{WS}/jobs_u/get_logs/{job}",
                                   token=self.token).text

    def test_a_dedicated_python_script_keeps_its_interpreter_between_jobs(self):
        self.script("u/admin/count_py", COUNTER_PY)
        runs = [self.run_ok("u/admin/count_py", {"word": w}) for w in ("a", "b", "c")]
        self.assertEqual([r["calls"] for r in runs], [1, 2, 3])
        self.assertEqual(len({r["instance"] for r in runs}), 1, runs)
        # Each job has its own id, folder and HOME, and finds none of the others' files; the
        # folders of the jobs before are gone.
        self.assertEqual(len({r["job"] for r in runs}), 3, runs)
        self.assertEqual(len({r["cwd"] for r in runs}), 3, runs)
        for r in runs:
            self.assertEqual(r["home"], r["cwd"])
            self.assertEqual(r["files"], ["main.py", "mine.txt"])
            self.assertEqual(r["siblings"], [os.path.basename(r["cwd"])])
            assert_job_uid(self, r["uid"])

    def test_a_script_without_dedicated_worker_stays_cold(self):
        self.server.create_script(self.token, "u/admin/count_cold", COUNTER_PY)
        runs = [self.run_ok("u/admin/count_cold") for _ in range(2)]
        self.assertEqual([r["calls"] for r in runs], [1, 1])
        self.assertNotEqual(runs[0]["instance"], runs[1]["instance"])

    def test_each_job_has_its_own_logs(self):
        self.script("u/admin/logs_py", COUNTER_PY)
        self.script("u/admin/logs_ts", COUNTER_TS, language="bun")
        for path in ("u/admin/logs_py", "u/admin/logs_ts"):
            with self.subTest(path=path):
                jobs = {}
                for word in ("first", "second"):
                    jobs[word] = self.run_ok(path, {"word": word})["job"]
                for word, job in jobs.items():
                    logs = self.logs(job)
                    other = "second" if word == "first" else "first"
                    self.assertIn(f"out {word} {job}\n", logs)
                    self.assertIn(f"err {word}\n", logs)
                    self.assertNotIn(other, logs)

    def test_a_crash_fails_only_its_job_and_the_next_gets_a_new_interpreter(self):
        for path, content, language, program in (
                ("u/admin/crash_py", COUNTER_PY, "python3", "python3"),
                ("u/admin/crash_ts", COUNTER_TS, "bun", "node")):
            with self.subTest(language=language):
                self.script(path, content, language=language)
                first = self.run_ok(path)
                self.assertEqual(self.run_ok(path)["calls"], 2)
                r = sync_run(self.server, self.token, path, {"crash": True, "word": "boom"})
                self.assertEqual(r.status, 422, r)
                error = r.json()["error"]
                self.assertEqual(error["name"], "ExecutionErr")
                self.assertIn(f'exit code for "{program}": 3', error["message"])
                self.assertIn("out boom", error["message"])  # its last words
                after = self.run_ok(path)
                self.assertEqual(after["calls"], 1)
                self.assertNotEqual(after["instance"], first["instance"])
        self.assertHealthy()

    def test_an_exception_fails_its_job_and_keeps_the_interpreter(self):
        for path, content, language, name in (
                ("u/admin/raise_py", COUNTER_PY, "python3", "ValueError"),
                ("u/admin/raise_ts", COUNTER_TS, "bun", "TypeError")):
            with self.subTest(language=language):
                self.script(path, content, language=language)
                self.run_ok(path)
                r = sync_run(self.server, self.token, path, {"fail": True})
                self.assertEqual(r.status, 422, r)
                error = r.json()["error"]
                self.assertEqual((error["name"], error["message"]), (name, "failed on call 2"))
                self.assertIn("stack", error)
                self.assertEqual(self.run_ok(path)["calls"], 3)

    def test_a_timeout_kills_the_interpreter_and_the_next_job_runs(self):
        self.script("u/admin/slow_py", COUNTER_PY, timeout=1)
        before = self.run_ok("u/admin/slow_py")
        kept = warm_pids(self.server)
        r = sync_run(self.server, self.token, "u/admin/slow_py", {"sleep": 30})
        self.assertEqual(r.status, 422, r)
        self.assertIn("terminated due to timeout after exceeding the 1s duration limit",
                      r.json()["error"]["message"])
        # Its interpreter, and only it, is gone.
        left = warm_pids(self.server)
        self.assertEqual((len(left), left <= kept), (len(kept) - 1, True), (kept, left))
        after = self.run_ok("u/admin/slow_py")
        self.assertEqual(after["calls"], 1)
        self.assertNotEqual(after["instance"], before["instance"])

    def test_a_canceled_job_ends_its_interpreter_and_the_next_job_runs(self):
        self.script("u/admin/cancel_py", COUNTER_PY)
        self.run_ok("u/admin/cancel_py")
        kept = warm_pids(self.server)
        job = self.server.run_async(self.token, "u/admin/cancel_py", {"sleep": 60})
        poll(lambda: "out " in self.logs(job), what="the job to start")
        r = self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{job}",
                                json_body={"reason": "enough"}, token=self.token)
        self.assertEqual(r.status, 200, r)
        done = self.server.wait_job(self.token, job)
        self.assertEqual(done["canceled"], True, done)
        left = warm_pids(self.server)
        self.assertEqual((len(left), left <= kept), (len(kept) - 1, True), (kept, left))
        self.assertEqual(self.run_ok("u/admin/cancel_py")["calls"], 1)

    def test_what_a_job_starts_in_the_background_ends_with_it(self):
        self.script("u/admin/bg_py",
                    "import subprocess\n"
                    "def main():\n"
                    "    subprocess.Popen(['sleep', '300917'])\n"
                    "    subprocess.Popen(['setsid', 'sleep', '300918'])\n"
                    "    return 'started'\n")
        self.assertEqual(self.run_ok("u/admin/bg_py"), "started")
        for marker in ("sleep 300917", "sleep 300918"):
            poll(lambda: not running_command(marker), what=f"{marker} to be killed")

    def test_a_script_that_fails_to_load_says_why_each_time(self):
        self.script("u/admin/bad_import", "raise ImportError('no such thing')\n"
                                          "def main():\n    return 1\n")
        for _ in range(2):
            r = sync_run(self.server, self.token, "u/admin/bad_import", {})
            self.assertEqual(r.status, 422, r)
            self.assertEqual(r.json()["error"]["message"], "no such thing")

    def test_versions_and_workspaces_do_not_share_an_interpreter(self):
        first = self.server.create_script(self.token, "u/admin/versions", COUNTER_PY,
                                          dedicated_worker=True)
        self.assertEqual(self.run_ok("u/admin/versions")["calls"], 1)
        self.assertEqual(self.run_ok("u/admin/versions")["calls"], 2)
        # A new version is a new interpreter; the old one is still there for /run/h.
        self.server.create_script(self.token, "u/admin/versions", COUNTER_PY + "\n# v2\n",
                                  dedicated_worker=True, parent_hash=first)
        self.assertEqual(self.run_ok("u/admin/versions")["calls"], 1)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/h/{first}",
                                json_body={}, token=self.token)
        self.assertEqual((r.status, r.json()["calls"]), (200, 3), r)
        # The same code in another workspace is another interpreter.
        r = self.server.request("POST", "/api/workspaces/create", token=self.token,
                                json_body={"id": "other", "name": "Other"})
        self.assertEqual(r.status, 200, r)
        self.server.create_script(self.token, "u/admin/versions", COUNTER_PY, ws="other",
                                  dedicated_worker=True)
        r = sync_run(self.server, self.token, "u/admin/versions", {}, ws="other")
        self.assertEqual((r.status, r.json()["calls"]), (200, 1), r)

    def test_the_environment_is_the_jobs_own(self):
        self.script("u/admin/env_py",
                    "import os\n"
                    "def main(set_it: bool = False):\n"
                    "    seen = os.environ.get('LEFT_BEHIND')\n"
                    "    if set_it:\n"
                    "        os.environ['LEFT_BEHIND'] = 'yes'\n"
                    "    return {'seen': seen, 'job': os.environ['WM_JOB_ID'],\n"
                    "            'token': os.environ['WM_TOKEN']}\n")
        first = self.run_ok("u/admin/env_py", {"set_it": True})
        second = self.run_ok("u/admin/env_py")
        self.assertEqual(second["seen"], None, "each job starts from its own environment")
        self.assertNotEqual(first["job"], second["job"])
        self.assertNotEqual(first["token"], second["token"])


class WarmSandboxTest(ServerTestCase):
    server_env = {"WARM_WORKERS": "all", "MILLRACE_E2E_SECRET": "s3cret"}

    def test_a_warm_job_sees_neither_the_servers_secrets_nor_its_database(self):
        db = os.path.join(self.server.data_dir, "millrace.db")
        self.server.create_script(self.token, "u/admin/peek",
                                  "import os\n"
                                  "def main(path: str):\n"
                                  "    try:\n"
                                  "        open(path, 'rb').read(16)\n"
                                  "        readable = True\n"
                                  "    except OSError:\n"
                                  "        readable = False\n"
                                  "    return {'secret': os.environ.get('MILLRACE_E2E_SECRET'),\n"
                                  "            'readable': readable, 'uid': os.getuid()}\n")
        for _ in range(2):  # the first starts the interpreter, the second finds it
            r = sync_run(self.server, self.token, "u/admin/peek", {"path": db})
            self.assertEqual(r.status, 200, r)
            self.assertIsNone(r.json()["secret"])
            assert_job_uid(self, r.json()["uid"])
            if AS_ROOT:
                self.assertFalse(r.json()["readable"])


class WarmModeSettingTest(ServerTestCase):
    server_env = {"NUM_WORKERS": "1", "WARM_WORKERS": "off"}

    def test_off_runs_even_dedicated_scripts_cold(self):
        self.server.create_script(self.token, "u/admin/count_off", COUNTER_PY,
                                  dedicated_worker=True)
        runs = [sync_run(self.server, self.token, "u/admin/count_off", {}).json()
                for _ in range(2)]
        self.assertEqual([r["calls"] for r in runs], [1, 1])


class WarmFlowStepsTest(FlowMixin, ServerTestCase):
    server_env = {"NUM_WORKERS": "1", "WARM_WORKERS": "all"}

    def test_all_runs_inline_flow_steps_warm(self):
        step = rawscript("count", "import uuid\ncalls = 0\nINSTANCE = uuid.uuid4().hex\n"
                                  "def main(x):\n    global calls\n    calls += 1\n"
                                  "    return [x, calls, INSTANCE]\n",
                         x=js("flow_input.iter.value"))
        self.create_flow("f/warm/loop", flow_value(forloop("loop", js("[1, 2, 3, 4]"), [step])))
        results = self.sync_result("f/warm/loop")
        self.assertEqual([x for x, _, _ in results], [1, 2, 3, 4])
        self.assertEqual([c for _, c, _ in results], [1, 2, 3, 4])
        self.assertEqual(len({instance for _, _, instance in results}), 1)


# The language suites again, with every Python and TypeScript job warm.
class WarmPythonConventionsTest(test_webhooks.PythonConventionsTest):
    server_env = warm_env(test_webhooks.PythonConventionsTest.server_env)


class WarmTypeScriptJobsTest(test_typescript.TypeScriptJobsTest):
    server_env = warm_env(test_typescript.TypeScriptJobsTest.server_env)


class WarmMemoryLimitTest(test_job_limits.MemoryLimitTest):
    server_env = warm_env(test_job_limits.MemoryLimitTest.server_env)

    def test_an_error_object_of_any_shape_is_kept_as_it_is(self):
        # A warm job's outcome comes over the pipe, not from ./result.json: a job that leaves
        # its own file and exits past the wrapper is an interpreter that exited.
        self.server.create_script(self.token, "u/admin/odd_error_warm",
                                  "import json, os\n"
                                  "def main():\n"
                                  "    with open('result.json', 'w') as f:\n"
                                  "        f.write(json.dumps({'name': 5, 'message': ['x']}))\n"
                                  "    os._exit(1)\n")
        r = sync_run(self.server, self.token, "u/admin/odd_error_warm", {})
        self.assertEqual(r.status, 422, r)
        self.assertIn('exit code for "python3": 1', r.json()["error"]["message"])
        self.assertHealthy()


class WarmResultSizeTest(test_job_limits.ResultSizeTest):
    server_env = warm_env(test_job_limits.ResultSizeTest.server_env)


if __name__ == "__main__":
    unittest.main()
