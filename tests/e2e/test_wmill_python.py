"""Millrace's own Python `wmill` (clients/python/wmill/__init__.py): Windmill's documented Python
client, the same names, arguments, results and errors, against the real binary.

- From outside: this process imports the module from clients/python and points a
  Windmill(base_url, token, workspace) at the server (and, in a subprocess, the module-level
  functions configured from the environment alone, as in a job).
- Inside jobs: Python scripts saved on the server `import wmill` (the server writes the module
  into each job's folder) and use the job's own environment and token; a TypeScript job does the
  same with `windmill-client`.
"""
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from e2e_util import GATE_SH, Gate, poll
from harness import ADMIN_EMAIL, ROOT, WS, ServerTestCase

CLIENT_DIR = os.path.join(ROOT, "clients", "python")
sys.path.insert(0, CLIENT_DIR)
import wmill  # noqa: E402  (ours, from clients/python: checked in test_the_module_is_millraces)

# The client logs each HTTP error it raises, as Windmill's does; the tests check the exceptions.
logging.getLogger("windmill_client").addHandler(logging.NullHandler())

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
WAIT_SECONDS = 60  # no call of a test waits longer than this for a job

HELLO_PY = 'def main(name: str = "world"):\n    return f"hello {name}"\n'
DOUBLE_PY = "def main(x: int):\n    return x * 2\n"
FAILS_PY = "def main():\n    raise ValueError('boom from fails_py')\n"
NOTHING_PY = "def main():\n    return None\n"


class WmillClientTestBase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.base = f"http://127.0.0.1:{cls.server.port}"
        cls.wm = wmill.Windmill(base_url=cls.base, token=cls.token, workspace=WS)

    def api(self, method, route, body=None, token=None):
        """A request under /api/w/<WS>."""
        return self.server.request(method, f"/api/w/{WS}{route}", json_body=body,
                                   token=token or self.token)

    def completed(self, job_id, token=None):
        return self.server.wait_job(token or self.token, job_id, timeout=WAIT_SECONDS)


class WmillFromOutsideTest(WmillClientTestBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.hello_hash = s.create_script(cls.token, "u/admin/hello", HELLO_PY)
        s.create_script(cls.token, "u/admin/gate", GATE_SH, language="bash")
        s.create_script(cls.token, "u/admin/fails", FAILS_PY)
        s.create_script(cls.token, "u/admin/nothing", NOTHING_PY)

    def start_gated(self):
        gate = Gate()
        self.addCleanup(gate.cleanup)
        job = self.wm.run_script_by_path_async("u/admin/gate", {"gate": gate.path})
        poll(lambda: self.wm.get_job_status(job) == "RUNNING", timeout=WAIT_SECONDS,
             what=f"job {job} running")
        return gate, job

    # --- the module itself ----------------------------------------------------------------------

    def test_the_module_is_millraces_and_its_import_loads_nothing_heavy(self):
        self.assertEqual(os.path.dirname(os.path.dirname(os.path.abspath(wmill.__file__))),
                         os.path.abspath(CLIENT_DIR))
        # A fresh interpreter, as a job: importing wmill adds only itself (and __future__).
        code = ("import sys; sys.path.insert(0, sys.argv[1]); before = set(sys.modules);"
                "import wmill; print(' '.join(sorted(set(sys.modules) - before)))")
        out = subprocess.run([sys.executable, "-I", "-B", "-c", code, CLIENT_DIR],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(set(out.stdout.split()) - {"__future__"}, {"wmill"}, out.stdout)

    def test_the_module_installs_with_pip_for_users_own_tools(self):
        venv = tempfile.mkdtemp(prefix="millrace-wmill-venv-")
        self.addCleanup(shutil.rmtree, venv, True)
        # System site packages give the venv Debian's setuptools: no package index is needed.
        subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", venv],
                       check=True, capture_output=True)
        # From a copy: a build writes its build/ and egg-info beside the sources.
        source = os.path.join(venv, "source")
        shutil.copytree(os.path.join(ROOT, "clients", "python"), source)
        pip = subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--no-index",
                              "--no-build-isolation", source], capture_output=True, text=True)
        self.assertEqual(pip.returncode, 0, pip.stdout + pip.stderr)
        out = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                              "import wmill; print(wmill.__file__); print(wmill.__version__)"],
                             capture_output=True, text=True, cwd=venv, check=True).stdout.split()
        self.assertTrue(out[0].startswith(venv), out)
        self.assertEqual(out[1], "0.1.0")

    def test_a_client_needs_a_workspace(self):
        saved = os.environ.pop("WM_WORKSPACE", None)
        try:
            with self.assertRaises(AssertionError):
                wmill.Windmill(base_url=self.base, token=self.token)
        finally:
            if saved is not None:
                os.environ["WM_WORKSPACE"] = saved

    # --- users and server ------------------------------------------------------------------------

    def test_whoami_answers_the_tokens_user(self):
        me = self.wm.whoami()
        self.assertEqual((me["email"], me["username"], me["super_admin"]),
                         (ADMIN_EMAIL, "admin", True), me)
        self.assertEqual(self.wm.user, me)

    def test_version_is_the_servers_text(self):
        self.assertEqual(self.wm.version, self.server.request("GET", "/api/version").text)

    def test_a_wrong_token_raises_with_the_url_status_and_body(self):
        bad = wmill.Windmill(base_url=self.base, token="not-a-token", workspace=WS)
        with self.assertRaises(Exception) as caught:
            bad.whoami()
        self.assertTrue(str(caught.exception).startswith(f"{self.base}/api/users/whoami: 401, "),
                        caught.exception)

    # --- running scripts -------------------------------------------------------------------------

    def test_run_script_by_path_answers_the_result(self):
        self.assertEqual(self.wm.run_script_by_path("u/admin/hello", {"name": "sync"},
                                                    timeout=WAIT_SECONDS), "hello sync")
        # No args: the script's defaults apply.
        self.assertEqual(self.wm.run_script_by_path("u/admin/hello", timeout=WAIT_SECONDS),
                         "hello world")

    def test_run_script_by_path_async_answers_a_job_id_and_wait_job_its_result(self):
        job = self.wm.run_script_by_path_async("u/admin/hello", {"name": "async"})
        self.assertRegex(job, UUID_RE)
        self.assertEqual(self.wm.wait_job(job, timeout=WAIT_SECONDS), "hello async")
        done = self.completed(job)
        self.assertEqual((done["script_path"], done["args"]), ("u/admin/hello", {"name": "async"}))
        self.assertEqual(self.wm.get_result(job), "hello async")
        self.assertEqual(self.wm.get_job(job)["type"], "CompletedJob")

    def test_run_script_by_hash_runs_that_version(self):
        v1 = self.server.create_script(self.token, "u/admin/versioned",
                                       "def main():\n    return 'v1'\n")
        self.server.create_script(self.token, "u/admin/versioned",
                                  "def main():\n    return 'v2'\n", parent_hash=v1)
        self.assertEqual(self.wm.run_script_by_hash(v1, timeout=WAIT_SECONDS), "v1")
        self.assertEqual(self.wm.run_script_by_path("u/admin/versioned", timeout=WAIT_SECONDS),
                         "v2")
        job = self.wm.run_script_by_hash_async(self.hello_hash, {"name": "h"})
        self.assertEqual(self.wm.wait_job(job, timeout=WAIT_SECONDS), "hello h")

    def test_a_failing_script_raises_with_its_error(self):
        with self.assertRaises(Exception) as caught:
            self.wm.run_script_by_path("u/admin/fails", timeout=WAIT_SECONDS)
        text = str(caught.exception)
        self.assertRegex(text, r"^Job [0-9a-f-]{36} was not successful: ")
        self.assertIn("boom from fails_py", text)
        self.assertIn("ValueError", text)
        job = self.wm.run_script_by_path_async("u/admin/fails")
        with self.assertRaises(Exception) as caught:
            self.wm.wait_job(job, timeout=WAIT_SECONDS)
        self.assertIn(f"Job {job} was not successful", str(caught.exception))
        self.assertIn("boom from fails_py", str(caught.exception))
        # get_result answers the error object itself.
        self.assertEqual(self.wm.get_result(job)["error"]["message"], "boom from fails_py")

    def test_a_none_result_raises_only_when_asked(self):
        self.assertIsNone(self.wm.run_script_by_path("u/admin/nothing", timeout=WAIT_SECONDS))
        with self.assertRaises(Exception) as caught:
            self.wm.run_script_by_path("u/admin/nothing", timeout=WAIT_SECONDS,
                                       assert_result_is_not_none=True)
        self.assertEqual(str(caught.exception), "Result was none")

    def test_running_a_missing_script_raises_404(self):
        with self.assertRaises(Exception) as caught:
            self.wm.run_script_by_path_async("u/admin/does_not_exist")
        self.assertIn("/jobs/run/p/u/admin/does_not_exist: 404, ", str(caught.exception))

    # --- following jobs --------------------------------------------------------------------------

    def test_get_job_status_follows_a_job_from_waiting_to_completed(self):
        gate, job = self.start_gated()
        self.assertEqual(self.wm.get_job_status(job), "RUNNING")
        later = self.wm.run_script_by_path_async("u/admin/hello", scheduled_in_secs=600)
        self.assertEqual(self.wm.get_job_status(later), "WAITING")
        self.wm.cancel_job(later)
        gate.open()
        self.assertEqual(self.wm.wait_job(job, timeout=WAIT_SECONDS), "released")
        self.assertEqual(self.wm.get_job_status(job), "COMPLETED")

    def test_get_result_of_an_unfinished_job_raises_404(self):
        gate, job = self.start_gated()
        with self.assertRaises(Exception) as caught:
            self.wm.get_result(job)
        self.assertIn(f"/jobs_u/completed/get_result/{job}: 404, ", str(caught.exception))
        gate.open()

    def test_get_job_status_of_an_unknown_job_raises(self):
        with self.assertRaises(Exception) as caught:
            self.wm.get_job_status("01234567-89ab-cdef-0123-456789abcdef")
        self.assertIn(": 404, ", str(caught.exception))

    def test_cancel_job_cancels_a_running_job_with_the_reason(self):
        gate, job = self.start_gated()
        self.assertEqual(self.wm.cancel_job(job, "stop it"), job)
        with self.assertRaises(Exception) as caught:
            self.wm.wait_job(job, timeout=WAIT_SECONDS)
        self.assertIn(f"Job {job} was not successful", str(caught.exception))
        self.assertIn("stop it", str(caught.exception))
        done = self.completed(job)
        self.assertEqual((done["canceled"], done["canceled_reason"]), (True, "stop it"), done)
        # Without a reason, Windmill's words.
        gate2, job2 = self.start_gated()
        self.wm.cancel_job(job2)
        self.assertEqual(self.completed(job2)["canceled_reason"], "cancelled via cancel_job method")

    def test_wait_job_times_out_and_cancels_the_job(self):
        gate, job = self.start_gated()
        with self.assertRaises(TimeoutError) as caught:
            self.wm.wait_job(job, timeout=0.3)
        self.assertEqual(str(caught.exception), "reached timeout")
        done = self.completed(job)
        self.assertEqual((done["canceled"], done["canceled_reason"]), (True, "reached timeout"))

    # --- the module-level functions, configured from the environment ------------------------------

    def run_module(self, code, **env):
        """Runs `code` in a fresh `python3 -I` with the module importable and the environment of a
        job (WM_TOKEN, WM_WORKSPACE, BASE_INTERNAL_URL...); answers the JSON it prints last."""
        full_env = {"PATH": "/usr/bin:/bin", "WM_TOKEN": self.token, "WM_WORKSPACE": WS,
                    "BASE_INTERNAL_URL": self.base}
        full_env.update(env)
        program = ("import sys, json; sys.path.insert(0, sys.argv[1]); import wmill\n" + code)
        out = subprocess.run([sys.executable, "-I", "-B", "-c", program, CLIENT_DIR],
                             env=full_env, capture_output=True, text=True, timeout=120)
        why = f"\nstdout:\n{out.stdout}\nstderr:\n{out.stderr}"
        self.assertEqual(out.returncode, 0, why)
        return json.loads(out.stdout.strip().splitlines()[-1]), why

    def test_module_functions_use_the_environment(self):
        got, why = self.run_module(
            "print(json.dumps({'ws': wmill.get_workspace(), 'me': wmill.whoami()['email'],\n"
            "    'user': wmill.get_user()['email'],\n"
            "    'sync': wmill.run_script_by_path('u/admin/hello', {'name': 'env'}, timeout=60),\n"
            "    'async': wmill.wait_job(wmill.run_script_by_path_async('u/admin/hello'),"
            " timeout=60),\n"
            f"    'by_hash': wmill.run_script_by_hash({self.hello_hash!r}, {{'name': 'h'}},"
            " timeout=60),\n"
            "    'any': wmill.wait_job(wmill.run_script_async('u/admin/hello'), timeout=60),\n"
            "}))")
        self.assertEqual(got, {"ws": WS, "me": ADMIN_EMAIL, "user": ADMIN_EMAIL,
                               "sync": "hello env", "async": "hello world", "by_hash": "hello h",
                               "any": "hello world"}, why)

    def test_base_url_falls_back_to_base_url_then_localhost(self):
        got, why = self.run_module("print(json.dumps(wmill.Windmill().base_url))",
                                   BASE_INTERNAL_URL="", BASE_URL="http://example.test:9")
        self.assertEqual(got, "http://example.test:9/api", why)
        got, why = self.run_module("print(json.dumps(wmill.Windmill().base_url))",
                                   BASE_INTERNAL_URL="")
        self.assertEqual(got, "http://localhost:8000/api", why)

    def test_module_run_script_by_path_raises_on_a_none_result_by_default(self):
        # Windmill's module-level run_script_by_path asserts a result; its class method does not.
        got, why = self.run_module(
            "try:\n"
            "    wmill.run_script_by_path('u/admin/nothing', timeout=60); print('null')\n"
            "except Exception as e:\n"
            "    print(json.dumps(str(e)))\n")
        self.assertEqual(got, "Result was none", why)

    # --- variables --------------------------------------------------------------------------------

    def test_set_variable_creates_then_updates_and_get_variable_reads_it(self):
        self.wm.set_variable("u/admin/plain_var", "first")
        self.assertEqual(self.wm.get_variable("u/admin/plain_var"), "first")
        self.wm.set_variable("u/admin/plain_var", "second")
        self.assertEqual(self.wm.get_variable("u/admin/plain_var"), "second")
        # Windmill's reference syntaxes name the same variable.
        self.assertEqual(self.wm.get_variable("$var:u/admin/plain_var"), "second")
        self.assertEqual(self.wm.get_variable("var://u/admin/plain_var"), "second")
        r = self.api("GET", "/variables/get/u/admin/plain_var")
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json()["is_secret"], False, r)

    def test_a_secret_variable_is_created_secret_and_read_in_clear(self):
        self.wm.set_variable("u/admin/secret_var", "s3cr3t value", is_secret=True)
        self.assertEqual(self.wm.get_variable("u/admin/secret_var"), "s3cr3t value")
        r = self.api("GET", "/variables/get/u/admin/secret_var")
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json()["is_secret"], True, r)
        listed = [v for v in self.api("GET", "/variables/list").json()
                  if v["path"] == "u/admin/secret_var"]
        self.assertEqual([v["value"] for v in listed], [None], listed)  # a list never shows it
        # Updating keeps it secret.
        self.wm.set_variable("u/admin/secret_var", "rotated")
        self.assertEqual(self.wm.get_variable("u/admin/secret_var"), "rotated")
        self.assertIs(self.api("GET", "/variables/get/u/admin/secret_var").json()["is_secret"],
                      True)

    def test_get_variable_of_a_missing_path_raises_404(self):
        with self.assertRaises(Exception) as caught:
            self.wm.get_variable("u/admin/no_such_var")
        self.assertIn("/variables/get_value/u/admin/no_such_var: 404, ", str(caught.exception))

    # --- resources --------------------------------------------------------------------------------

    def test_set_resource_creates_then_updates_and_get_resource_reads_it(self):
        value = {"host": "db.internal", "port": 5432, "tags": ["a", "ü"]}
        self.wm.set_resource(value, "u/admin/some_db", "any")
        self.assertEqual(self.wm.get_resource("u/admin/some_db"), value)
        self.wm.set_resource({"host": "db2"}, "$res:u/admin/some_db", "any")
        self.assertEqual(self.wm.get_resource("$res:u/admin/some_db"), {"host": "db2"})
        self.assertEqual(self.wm.get_resource("res://u/admin/some_db"), {"host": "db2"})
        r = self.api("GET", "/resources/get/u/admin/some_db")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["resource_type"], r.json()["value"]), ("any", {"host": "db2"}))

    def test_get_resource_resolves_variable_references(self):
        self.wm.set_variable("u/admin/res_password", "hunter2", is_secret=True)
        self.wm.set_resource({"user": "app", "password": "$var:u/admin/res_password"},
                             "u/admin/with_secret", "any")
        self.assertEqual(self.wm.get_resource("u/admin/with_secret"),
                         {"user": "app", "password": "hunter2"})

    def test_get_resource_of_a_missing_path_raises_or_answers_none(self):
        with self.assertRaises(Exception) as caught:
            self.wm.get_resource("u/admin/no_such_resource")
        self.assertIn("/resources/get_value_interpolated/u/admin/no_such_resource: 404, ",
                      str(caught.exception))
        self.assertIsNone(self.wm.get_resource("u/admin/no_such_resource",
                                               none_if_undefined=True))

    def test_module_set_resource_takes_the_path_first(self):
        got, why = self.run_module(
            "wmill.set_resource('u/admin/module_res', {'k': 1})\n"
            "print(json.dumps(wmill.get_resource('u/admin/module_res')))\n")
        self.assertEqual(got, {"k": 1}, why)
        r = self.api("GET", "/resources/get/u/admin/module_res")
        self.assertEqual(r.json()["resource_type"], "any", r)

    def test_server_survived(self):
        self.assertTrue(self.server.alive())
        self.assertHealthy()


# --- inside jobs ----------------------------------------------------------------------------------

READS_SECRETS_PY = """import wmill

def main():
    return {"secret": wmill.get_variable("u/admin/job_secret"),
            "prefixed": wmill.get_variable("$var:u/admin/job_secret"),
            "db": wmill.get_resource("u/admin/job_db"),
            "missing": wmill.get_resource("u/admin/job_missing", none_if_undefined=True)}
"""

CALLS_SCRIPTS_PY = """import os
import wmill

def main(x: int):
    sync = wmill.run_script_by_path("u/admin/double", {"x": x})
    child = wmill.run_script_by_path_async("u/admin/double", {"x": x + 1})
    return {"sync": sync, "child": child, "waited": wmill.wait_job(child),
            "me": os.environ["WM_JOB_ID"]}
"""

CALLS_A_FAILING_SCRIPT_PY = """import wmill

def main():
    try:
        wmill.run_script_by_path("u/admin/fails")
    except Exception as e:
        return {"raised": str(e)}
    return {"raised": None}
"""

KEEPS_STATE_PY = """import wmill

def main(label: str):
    before = wmill.get_state()
    wmill.set_state({"runs": (before or {}).get("runs", 0) + 1, "last": label})
    return {"before": before, "after": wmill.get_state()}
"""

REPORTS_PROGRESS_PY = """import wmill

def main():
    wmill.set_progress(42)
    return wmill.get_progress()
"""

KNOWS_ITS_CONTEXT_PY = """import os
import wmill

def main():
    return {"me": wmill.whoami(), "workspace": wmill.get_workspace(),
            "root": wmill.get_root_job_id(), "job": os.environ["WM_JOB_ID"]}
"""

WINDMILL_CLIENT_TS = """import * as wmill from "windmill-client";

export async function main(x: number) {
  const before = await wmill.getState();
  await wmill.setState({ runs: (before?.runs ?? 0) + 1 });
  const child = await wmill.runScriptByPathAsync("u/admin/double", { x: x + 1 });
  await wmill.setProgress(30);
  return {
    secret: await wmill.getVariable("u/admin/job_secret"),
    db: await wmill.getResource("u/admin/job_db"),
    before: before ?? null,
    doubled: await wmill.runScriptByPath("u/admin/double", { x }),
    doubled_async: await wmill.waitJob(child),
    progress: await wmill.getProgress(),
  };
}
"""


class WmillInsideJobsTest(WmillClientTestBase):
    # A job that waits for its child holds a worker while the child needs another.
    server_env = {"NUM_WORKERS": "3"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        for path, content in (("u/admin/double", DOUBLE_PY), ("u/admin/fails", FAILS_PY),
                              ("u/admin/reads_secrets", READS_SECRETS_PY),
                              ("u/admin/calls_scripts", CALLS_SCRIPTS_PY),
                              ("u/admin/calls_a_failing_script", CALLS_A_FAILING_SCRIPT_PY),
                              ("u/admin/keeps_state", KEEPS_STATE_PY),
                              ("u/admin/reports_progress", REPORTS_PROGRESS_PY),
                              ("u/admin/knows_its_context", KNOWS_ITS_CONTEXT_PY)):
            s.create_script(cls.token, path, content)

    def run_job(self, path, args=None, token=None):
        """Runs the script through the async webhook; answers (job id, its result), failing with
        the job's logs when it did not succeed."""
        token = token or self.token
        job = self.server.run_async(token, path, args or {})
        done = self.completed(job, token)
        self.assertTrue(done["success"], f"job {job} of {path} failed:\n"
                        f"{json.dumps(done.get('result'), indent=1)}\nlogs:\n{done.get('logs')}")
        return job, done["result"]

    def create_secret_and_resource(self):
        """A secret variable and a resource that refers to it, made through the HTTP API (once)."""
        if getattr(type(self), "made_secret_and_resource", False):
            return
        r = self.api("POST", "/variables/create", {"path": "u/admin/job_secret",
                                                   "value": "job-s3cr3t", "is_secret": True,
                                                   "description": "read by a job"})
        self.assertEqual(r.status, 201, r)
        r = self.api("POST", "/resources/create", {
            "path": "u/admin/job_db", "resource_type": "any",
            "value": {"host": "db.local", "port": 5432, "password": "$var:u/admin/job_secret"}})
        self.assertEqual(r.status, 201, r)
        type(self).made_secret_and_resource = True

    def test_a_job_reads_a_secret_variable_and_a_resource(self):
        self.create_secret_and_resource()
        _, got = self.run_job("u/admin/reads_secrets")
        self.assertEqual(got, {"secret": "job-s3cr3t", "prefixed": "job-s3cr3t",
                               "db": {"host": "db.local", "port": 5432, "password": "job-s3cr3t"},
                               "missing": None})

    def test_a_job_runs_another_script_sync_and_async_as_its_child(self):
        job, got = self.run_job("u/admin/calls_scripts", {"x": 20})
        self.assertEqual((got["sync"], got["waited"], got["me"]), (40, 42, job), got)
        self.assertRegex(got["child"], UUID_RE)
        child = self.completed(got["child"])
        self.assertEqual((child["script_path"], child["args"]), ("u/admin/double", {"x": 21}))
        self.assertEqual(child.get("parent_job"), job, child)

    def test_a_job_sees_the_error_of_a_script_it_ran(self):
        _, got = self.run_job("u/admin/calls_a_failing_script")
        self.assertRegex(got["raised"] or "", r"^Job [0-9a-f-]{36} was not successful: ")
        self.assertIn("boom from fails_py", got["raised"])

    def test_state_is_kept_from_one_run_to_the_next(self):
        _, first = self.run_job("u/admin/keeps_state", {"label": "one"})
        self.assertEqual(first, {"before": None, "after": {"runs": 1, "last": "one"}})
        _, second = self.run_job("u/admin/keeps_state", {"label": "two"})
        self.assertEqual(second, {"before": {"runs": 1, "last": "one"},
                                  "after": {"runs": 2, "last": "two"}})

    def test_a_job_reports_its_progress(self):
        job, got = self.run_job("u/admin/reports_progress")
        self.assertEqual(got, 42)
        self.assertEqual(self.wm.get_progress(job), 42)


    def test_a_job_knows_its_user_workspace_and_root(self):
        job, got = self.run_job("u/admin/knows_its_context")
        self.assertEqual((got["me"]["email"], got["workspace"], got["root"], got["job"]),
                         (ADMIN_EMAIL, WS, job, job), got)

    def test_whoami_in_a_job_is_the_user_who_ran_it(self):
        member = self.server.add_member(self.token, "ada@example.com", "ada-password-123")
        username = self.api("GET", "/users/whoami", token=member).json()["username"]
        path = f"u/{username}/who"
        self.server.create_script(member, path, KNOWS_ITS_CONTEXT_PY)
        _, got = self.run_job(path, token=member)
        self.assertEqual((got["me"]["email"], got["me"]["username"]),
                         ("ada@example.com", username), got)

    def test_a_typescript_job_uses_windmill_client(self):
        self.create_secret_and_resource()
        self.server.create_script(self.token, "u/admin/ts_client", WINDMILL_CLIENT_TS,
                                  language="bun")
        job, first = self.run_job("u/admin/ts_client", {"x": 4})
        self.assertEqual(first, {"secret": "job-s3cr3t",
                                 "db": {"host": "db.local", "port": 5432,
                                        "password": "job-s3cr3t"},
                                 "before": None, "doubled": 8, "doubled_async": 10,
                                 "progress": 30})
        self.assertEqual(self.wm.get_progress(job), 30)
        _, second = self.run_job("u/admin/ts_client", {"x": 5})
        self.assertEqual((second["before"], second["doubled"]), ({"runs": 1}, 10), second)

    def test_server_survived(self):
        self.assertTrue(self.server.alive())
        self.assertHealthy()


if __name__ == "__main__":
    unittest.main()
