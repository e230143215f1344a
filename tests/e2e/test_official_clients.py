"""The official Windmill clients, unchanged, against the real millrace binary.

`wmill` (npm package windmill-cli) and the JS SDK (windmill-client) are pinned in the repo's
package.json; `npm ci` at the repo root installs them into node_modules/. Each test runs the real
client as a subprocess (no TTY, stdin closed, a temporary HOME and WMILL_CONFIG_DIR, a temporary
project folder, a timeout) and checks what it printed, its exit code, and what the server holds.
docs/architecture.md ("Compatibility checked with the official clients") lists what is covered.

Skipped only when node_modules/.bin/wmill is missing (run `npm ci` at the repo root).

The server runs with its access log on: when an assertion fails its message carries the client's
output and the end of the server's log (the requests the client made and their statuses).
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import ADMIN_EMAIL, ROOT, WS, ServerTestCase

NODE_MODULES = os.path.join(ROOT, "node_modules")
WMILL = os.path.join(NODE_MODULES, ".bin", "wmill")
NODE = shutil.which("node") or "/usr/bin/node"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

HELLO_PY = 'def main(name: str = "world"):\n    return f"hello {name}"\n'
HELLO_SH = 'name="$1"\necho "hello $name"\n'
FAIL_PY = 'def main():\n    raise Exception("boom from fail_py")\n'
# Long enough that `script run` without -s finds the job unfinished and streams its logs
# through getupdate.
SLOW_SH = ('name="$1"\necho "start $name"\nsleep 1.5\necho "middle $name"\nsleep 1\n'
           'echo "hello $name"\n')

SCRIPTS = {  # local file → (script path, language, content)
    "f/test/hello_py.py": ("f/test/hello_py", "python3", HELLO_PY),
    "f/test/hello_sh.sh": ("f/test/hello_sh", "bash", HELLO_SH),
    "f/test/fail_py.py": ("f/test/fail_py", "python3", FAIL_PY),
    "f/test/slow_sh.sh": ("f/test/slow_sh", "bash", SLOW_SH),
}

PROFILE = "e2e"
CLI_TIMEOUT = 120  # `script run -s` itself gives up after ~60 s; version asks the npm registry


def strip_ansi(text):
    return ANSI_RE.sub("", text)


def last_line(text):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else ""


class OfficialClientsTest(ServerTestCase):
    server_env = {"MILLRACE_QUIET": "0", "ACCESS_LOG": "1"}

    @classmethod
    def setUpClass(cls):
        if not os.access(WMILL, os.X_OK):
            raise unittest.SkipTest(
                f"{WMILL} is missing: run `npm ci` in {ROOT} to install the official Windmill "
                "clients (windmill-cli, windmill-client) pinned in package.json")
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="millrace-clients-")
        cls.home = os.path.join(cls.tmp, "home")
        cls.config_dir = os.path.join(cls.home, ".config")
        cls.project = os.path.join(cls.tmp, "project")
        cls.sdk_dir = os.path.join(cls.tmp, "sdk")
        for d in (cls.home, cls.config_dir, cls.project, cls.sdk_dir):
            os.makedirs(d, exist_ok=True)
        # ESM resolves bare imports from the importing file's folders, not NODE_PATH.
        os.symlink(NODE_MODULES, os.path.join(cls.sdk_dir, "node_modules"))
        cls.base = f"http://127.0.0.1:{cls.server.port}"
        cls._done = {}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)
        super().tearDownClass()

    # --- running the clients ------------------------------------------------------------

    def env(self, **extra):
        env = {
            "PATH": os.path.dirname(NODE) + ":/usr/local/bin:/usr/bin:/bin",
            "HOME": self.home,
            "WMILL_CONFIG_DIR": self.config_dir,
            "NO_COLOR": "1",
            "TERM": "dumb",
        }
        env.update(extra)
        return env

    def run_client(self, argv, cwd=None, timeout=CLI_TIMEOUT, env=None):
        """Runs a command with no TTY; returns (returncode, stdout, stderr), ANSI stripped."""
        try:
            p = subprocess.run(argv, cwd=cwd or self.project, env=env or self.env(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            out = strip_ansi((e.stdout or b"").decode(errors="replace"))
            err = strip_ansi((e.stderr or b"").decode(errors="replace"))
            self.fail(f"{argv} timed out after {timeout}s\nstdout:\n{out}\nstderr:\n{err}"
                      + self.server_log())
        return (p.returncode, strip_ansi(p.stdout.decode(errors="replace")),
                strip_ansi(p.stderr.decode(errors="replace")))

    def wmill(self, *args, **kw):
        return self.run_client([WMILL, *args], **kw)

    def server_log(self, n=6000):
        return "\n--- end of the server's log:\n" + self.server.tail_log(n)

    def explain(self, argv, rc, out, err):
        return (f"\n$ wmill {' '.join(argv)}\nexit {rc}\nstdout:\n{out}\nstderr:\n{err}"
                + self.server_log())

    def assertWmillOk(self, *args, **kw):
        rc, out, err = self.wmill(*args, **kw)
        self.assertEqual(rc, 0, self.explain(args, rc, out, err))
        return out, err

    # --- shared setup, done once and in any test order ----------------------------------

    def once(self, key, fn):
        """Runs fn once per class; later callers get its outcome (or the same failure)."""
        if key not in self._done:
            try:
                self._done[key] = ("ok", fn())
            except AssertionError as e:
                self._done[key] = ("failed", str(e))
        state, value = self._done[key]
        if state == "failed":
            self.fail(f"prerequisite '{key}' failed:\n{value}")
        return value

    def ensure_workspace(self):
        def add():
            return self.assertWmillOk("workspace", "add", PROFILE, WS, self.base + "/",
                                      "--token", self.token)
        return self.once("workspace add", add)

    def ensure_project(self):
        def init():
            self.ensure_workspace()
            out, err = self.assertWmillOk("init")
            return out, err
        return self.once("init", init)

    def ensure_pushed(self):
        def push():
            self.ensure_project()
            results = {}
            for local, (_, _, content) in SCRIPTS.items():
                path = os.path.join(self.project, local)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(content)
            for local in SCRIPTS:
                results[local] = self.assertWmillOk("script", "push", local)
            return results
        return self.once("script push", push)

    # --- wmill generate-metadata (lock jobs, Cookie auth) ---------------------------------

    def test_generate_metadata_runs_lock_jobs_and_writes_metadata(self):
        self.ensure_project()
        folder = os.path.join(self.project, "f", "meta")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "lock_py.py"), "w") as f:
            f.write("def main(n: int = 2):\n    return n * 2\n")
        out, err = self.assertWmillOk("generate-metadata", "--yes")
        meta = os.path.join(folder, "lock_py.script.yaml")
        self.assertTrue(os.path.exists(meta), self.explain(["generate-metadata"], 0, out, err))
        self.assertIn("jobs/run/dependencies_async", self.server.tail_log(200000))

    # --- wmill workspace ----------------------------------------------------------------

    def test_workspace_add_saves_the_profile(self):
        out, err = self.ensure_workspace()
        self.assertIn(f"Added workspace {PROFILE}", out + err)
        with open(os.path.join(self.config_dir, "windmill", "remotes.ndjson")) as f:
            remotes = [json.loads(l) for l in f if l.strip()]
        self.assertIn({"name": PROFILE, "remote": self.base + "/", "workspaceId": WS,
                       "token": self.token}, remotes)
        with open(os.path.join(self.config_dir, "windmill", "activeWorkspace")) as f:
            self.assertEqual(f.read().strip(), PROFILE)

    def test_workspace_whoami_prints_the_admin(self):
        self.ensure_workspace()
        out, err = self.assertWmillOk("workspace", "whoami")
        self.assertIn(ADMIN_EMAIL, out, self.explain(["workspace", "whoami"], 0, out, err))
        self.assertIn(f"Active: {PROFILE}", out)

    # --- wmill init + script push -------------------------------------------------------

    def test_init_writes_wmill_yaml(self):
        self.ensure_project()
        with open(os.path.join(self.project, "wmill.yaml")) as f:
            text = f.read()
        self.assertIn("syncBehavior: v1", text)
        self.assertIn("nonDottedPaths: true", text)

    def test_script_push_creates_the_scripts_on_the_server(self):
        pushed = self.ensure_pushed()
        for local, (path, language, content) in SCRIPTS.items():
            with self.subTest(script=path):
                out, err = pushed[local]
                self.assertIn(f"Created new script {path}", out + err)
                r = self.server.request("GET", f"/api/w/{WS}/scripts/get/p/{path}",
                                        token=self.token)
                self.assertEqual(r.status, 200, r)
                script = r.json()
                self.assertEqual(script["path"], path)
                self.assertEqual(script["language"], language)
                self.assertEqual(script["content"], content)

    def test_script_push_of_a_changed_file_updates_the_script(self):
        self.ensure_pushed()
        local = "f/test/push_update.py"
        path = "f/test/push_update"
        with open(os.path.join(self.project, local), "w") as f:
            f.write("def main():\n    return 1\n")
        self.assertWmillOk("script", "push", local)
        first = self.server.request("GET", f"/api/w/{WS}/scripts/get/p/{path}",
                                    token=self.token).json()
        with open(os.path.join(self.project, local), "w") as f:
            f.write("def main():\n    return 2\n")
        out, err = self.assertWmillOk("script", "push", local)
        self.assertIn(f"Updated script {path}", out + err)
        r = self.server.request("GET", f"/api/w/{WS}/scripts/get/p/{path}", token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["content"], "def main():\n    return 2\n")
        self.assertNotEqual(r.json()["hash"], first["hash"])
        rc, out, err = self.wmill("script", "run", path, "-d", "{}", "-s")
        self.assertEqual((rc, last_line(out)), (0, "2"), self.explain(["script", "run"], rc, out, err))

    # --- wmill flow push -------------------------------------------------------------------

    def write_flow(self, folder, multiplier):
        """A flow folder as `wmill sync pull` writes it: flow.yaml and one inline file per step."""
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "flow.yaml"), "w") as f:
            f.write(
                "summary: two step test\n"
                "description: ''\n"
                "value:\n"
                "  modules:\n"
                "    - id: a\n"
                "      summary: add one\n"
                "      value:\n"
                "        type: rawscript\n"
                "        content: '!inline add_one.py'\n"
                "        language: python3\n"
                "        input_transforms:\n"
                "          x:\n"
                "            type: javascript\n"
                "            expr: flow_input.x\n"
                "schema:\n"
                "  $schema: https://json-schema.org/draft/2020-12/schema\n"
                "  type: object\n"
                "  properties:\n"
                "    x:\n"
                "      type: integer\n"
                "      description: ''\n"
                "  required:\n"
                "    - x\n")
        with open(os.path.join(folder, "add_one.py"), "w") as f:
            f.write(f"def main(x: int):\n    return (x + 1) * {multiplier}\n")

    def test_flow_push_creates_then_updates_the_flow(self):
        self.ensure_project()
        folder = os.path.join(self.project, "f", "test", "two_step__flow")
        self.write_flow(folder, 1)
        self.assertWmillOk("flow", "push", "f/test/two_step__flow", "f/test/two_step")
        r = self.server.request("GET", f"/api/w/{WS}/flows/get/f/test/two_step", token=self.token)
        self.assertEqual(r.status, 200, r)
        flow = r.json()
        self.assertEqual(flow["summary"], "two step test")
        step = flow["value"]["modules"][0]
        self.assertEqual(step["id"], "a")
        self.assertEqual(step["value"]["content"], "def main(x: int):\n    return (x + 1) * 1\n")
        self.assertEqual(flow["schema"]["required"], ["x"])
        # Pushing the same folder again writes nothing; a changed step makes a new version.
        self.assertWmillOk("flow", "push", "f/test/two_step__flow", "f/test/two_step")
        history = self.server.request("GET", f"/api/w/{WS}/flows/history/p/f/test/two_step",
                                      token=self.token).json()
        self.assertEqual(len(history), 1, history)
        self.write_flow(folder, 10)
        self.assertWmillOk("flow", "push", "f/test/two_step__flow", "f/test/two_step")
        flow = self.server.request("GET", f"/api/w/{WS}/flows/get/f/test/two_step",
                                   token=self.token).json()
        self.assertIn("* 10", flow["value"]["modules"][0]["value"]["content"])
        history = self.server.request("GET", f"/api/w/{WS}/flows/history/p/f/test/two_step",
                                      token=self.token).json()
        self.assertEqual(len(history), 2, history)

    # --- wmill sync pull, then flow push: a flow as the app's builder saves it ------------

    BUILT_FLOW = {
        "summary": "built in the app", "description": "loop and branch",
        "schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                   "properties": {"n": {"type": "integer", "description": "how many"}},
                   "required": ["n"], "order": ["n"]},
        "value": {
            "modules": [
                {"id": "a", "summary": "double", "retry": {"constant": {"attempts": 2, "seconds": 1}},
                 "timeout": 30, "value": {
                     "type": "rawscript", "language": "python3",
                     "content": "def main(n: int):\n    return [n, n * 2]\n",
                     "input_transforms": {"n": {"type": "javascript", "expr": "flow_input.n"}}}},
                {"id": "b", "value": {
                    "type": "forloopflow", "iterator": {"type": "javascript", "expr": "results.a"},
                    "skip_failures": False, "parallel": False, "modules": [
                        {"id": "c", "value": {
                            "type": "rawscript", "language": "bun",
                            "content": "export function main(x: number) {\n  return x + 1;\n}\n",
                            "input_transforms": {"x": {"type": "javascript",
                                                       "expr": "flow_input.iter.value"}}}}]}},
                {"id": "d", "stop_after_if": {"expr": "result === 0", "skip_if_stopped": False},
                 "value": {
                     "type": "branchone",
                     "branches": [{"summary": "several", "expr": "results.b.length > 1", "modules": [
                         {"id": "e", "value": {
                             "type": "rawscript", "language": "python3",
                             "content": "def main(v: list):\n    return sum(v)\n",
                             "input_transforms": {"v": {"type": "javascript",
                                                        "expr": "results.b"}}}}]}],
                     "default": [{"id": "f", "value": {
                         "type": "rawscript", "language": "bash", "content": "echo 0\n",
                         "input_transforms": {}}}]}},
            ],
            "failure_module": {"id": "failure", "value": {
                "type": "rawscript", "language": "python3",
                "content": "def main(message: str = \"\"):\n    return message\n",
                "input_transforms": {"message": {"type": "javascript", "expr": "error.message"}}}},
        },
    }

    def test_sync_pull_then_flow_push_round_trips_a_flow_shaped_as_the_builder_saves_it(self):
        self.ensure_project()
        body = dict(self.BUILT_FLOW, path="f/test/built_flow")
        r = self.server.request("POST", f"/api/w/{WS}/flows/create", json_body=body,
                                token=self.token)
        self.assertEqual(r.status, 201, r)
        self.assertWmillOk("sync", "pull", "--yes")
        folder = os.path.join(self.project, "f", "test", "built_flow__flow")
        self.assertTrue(os.path.isfile(os.path.join(folder, "flow.yaml")), os.listdir(self.project))
        inline = sorted(f for f in os.listdir(folder) if f != "flow.yaml")
        self.assertEqual(len(inline), 5, inline)  # one file per inline step, failure handler too
        with open(os.path.join(folder, "flow.yaml")) as f:
            self.assertIn("!inline", f.read())
        # Pushed back unchanged: nothing is lost, so nothing new is saved.
        self.assertWmillOk("flow", "push", "f/test/built_flow__flow", "f/test/built_flow")
        flow = self.server.request("GET", f"/api/w/{WS}/flows/get/f/test/built_flow",
                                   token=self.token).json()
        self.assertEqual(flow["value"], self.BUILT_FLOW["value"])
        self.assertEqual(flow["schema"], self.BUILT_FLOW["schema"])
        self.assertEqual((flow["summary"], flow["description"]),
                         ("built in the app", "loop and branch"))
        history = self.server.request("GET", f"/api/w/{WS}/flows/history/p/f/test/built_flow",
                                      token=self.token).json()
        self.assertEqual(len(history), 1, history)
        # A step changed on disk comes back as a new version with the change.
        step = next(f for f in inline if f.endswith(".sh"))
        with open(os.path.join(folder, step), "w") as f:
            f.write("echo 1\n")
        self.assertWmillOk("flow", "push", "f/test/built_flow__flow", "f/test/built_flow")
        flow = self.server.request("GET", f"/api/w/{WS}/flows/get/f/test/built_flow",
                                   token=self.token).json()
        self.assertEqual(flow["value"]["modules"][2]["value"]["default"][0]["value"]["content"],
                         "echo 1\n")

    def test_the_tarball_is_refused_as_zip_and_holds_only_what_the_caller_reads(self):
        r = self.server.request("GET", f"/api/w/{WS}/workspaces/tarball?archive_type=zip",
                                token=self.token)
        self.assertEqual(r.status, 400, r)
        self.assertIn("Invalid Archive Type", r.text)
        self.server.create_script(self.token, "u/admin/private_export", "def main():\n    return 1\n")
        mona = self.server.add_member(self.token, "mona.export@example.com", "mona-password-1")
        self.server.create_script(mona, "u/mona_export/mine", "echo mine\n", language="bash")
        import io
        import tarfile
        r = self.server.request("GET", f"/api/w/{WS}/workspaces/tarball?archive_type=tar",
                                token=mona)
        self.assertEqual(r.status, 200, r)
        names = tarfile.open(fileobj=io.BytesIO(r.body)).getnames()
        self.assertIn("u/mona_export/mine.sh", names)
        self.assertIn("u/mona_export/mine.script.json", names)
        self.assertFalse(any(n.startswith("u/admin/") for n in names), names)
        # A token for one webhook exports nothing.
        scoped = self.server.create_token(self.token, label="webhook-export",
                                          scopes=["jobs:run:scripts:u/admin/private_export"])
        r = self.server.request("GET", f"/api/w/{WS}/workspaces/tarball?archive_type=tar",
                                token=scoped)
        self.assertEqual(r.status, 403, r)

    # --- wmill flow run -----------------------------------------------------------------

    def create_cli_flow(self, path, fail=False):
        """Two Python steps and a for-loop of Bash steps: `wmill flow run` follows each module's
        job, and the loop's flow_jobs."""
        tail = "raise Exception('boom in b')" if fail else "return y * 10"
        value = {"modules": [
            {"id": "a", "summary": "add one", "value": {
                "type": "rawscript", "language": "python3",
                "content": "def main(x: int):\n    print('step a says hi')\n    return x + 1\n",
                "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.x"}}}},
            {"id": "b", "summary": "times ten", "value": {
                "type": "rawscript", "language": "python3",
                "content": f"def main(y: int):\n    {tail}\n",
                "input_transforms": {"y": {"type": "javascript", "expr": "results.a"}}}},
            {"id": "c", "summary": "loop", "value": {
                "type": "forloopflow", "skip_failures": False, "parallel": False,
                "iterator": {"type": "javascript", "expr": "[1, 2].map((i) => i + results.b)"},
                "modules": [{"id": "d", "value": {
                    "type": "rawscript", "language": "bash",
                    "content": 'n="$1"\necho "item $n"\n',
                    "input_transforms": {"n": {"type": "javascript",
                                               "expr": "flow_input.iter.value"}}}}]}}]}
        r = self.server.request("POST", f"/api/w/{WS}/flows/create", token=self.token, json_body={
            "path": path, "summary": "cli flow", "description": "", "value": value,
            "schema": {"type": "object", "properties": {"x": {"type": "integer"}},
                       "required": ["x"]}})
        self.assertEqual(r.status, 201, r)

    def test_flow_run_s_prints_the_flow_result(self):
        self.ensure_workspace()
        self.once("cli_flow", lambda: self.create_cli_flow("f/test/cli_flow"))
        argv = ("flow", "run", "f/test/cli_flow", "-d", '{"x": 2}', "-s")
        rc, out, err = self.wmill(*argv)
        why = self.explain(argv, rc, out, err)
        self.assertEqual(rc, 0, why)
        self.assertEqual(json.loads(last_line(out)), ["item 31", "item 32"], why)

    def test_flow_run_without_s_follows_each_step(self):
        self.ensure_workspace()
        self.once("cli_flow", lambda: self.create_cli_flow("f/test/cli_flow"))
        argv = ("flow", "run", "f/test/cli_flow", "-d", '{"x": 4}')
        rc, out, err = self.wmill(*argv)
        why = self.explain(argv, rc, out, err)
        self.assertEqual(rc, 0, why)
        # Each step's job was tracked (its logs printed, in order); then the result, indented.
        self.assertIn("====== a: add one ======", out, why)
        self.assertLess(out.index("step a says hi"), out.index("====== b: times ten ======"), why)
        self.assertIn("Flow ran to completion", out, why)
        result = out.split("Flow ran to completion", 1)[1]
        self.assertEqual(json.loads(strip_ansi(result)), ["item 51", "item 52"], why)

    def test_flow_run_s_of_a_failing_flow_exits_1(self):
        self.ensure_workspace()
        self.once("cli_flow_fail", lambda: self.create_cli_flow("f/test/cli_flow_fail", True))
        argv = ("flow", "run", "f/test/cli_flow_fail", "-d", '{"x": 1}', "-s")
        rc, out, err = self.wmill(*argv)
        why = self.explain(argv, rc, out, err)
        self.assertEqual(rc, 1, why)
        error = json.loads(last_line(out))["error"]
        self.assertEqual((error["message"], error["step_id"]), ("boom in b", "b"), why)

    # --- wmill script run -s ------------------------------------------------------------

    def run_s(self, path, args):
        argv = ("script", "run", path, "-d", json.dumps(args), "-s")
        rc, out, err = self.wmill(*argv)
        return argv, rc, out, err

    def test_script_run_s_python_prints_the_result(self):
        self.ensure_pushed()
        argv, rc, out, err = self.run_s("f/test/hello_py", {"name": "bob"})
        self.assertEqual(rc, 0, self.explain(argv, rc, out, err))
        self.assertEqual(last_line(out), '"hello bob"', self.explain(argv, rc, out, err))

    def test_script_run_s_bash_prints_the_result_as_a_json_string(self):
        self.ensure_pushed()
        argv, rc, out, err = self.run_s("f/test/hello_sh", {"name": "bob"})
        self.assertEqual(rc, 0, self.explain(argv, rc, out, err))
        self.assertEqual(last_line(out), '"hello bob"', self.explain(argv, rc, out, err))

    def test_script_run_s_of_a_failing_script_exits_1(self):
        self.ensure_pushed()
        argv, rc, out, err = self.run_s("f/test/fail_py", {})
        self.assertEqual(rc, 1, self.explain(argv, rc, out, err))
        result = json.loads(last_line(out))
        self.assertEqual(result["error"]["name"], "Exception", out)
        self.assertEqual(result["error"]["message"], "boom from fail_py", out)

    def test_script_run_of_a_missing_script_exits_1(self):
        self.ensure_workspace()
        argv = ("script", "run", "f/test/does_not_exist", "-d", "{}", "-s")
        rc, out, err = self.wmill(*argv)
        self.assertEqual(rc, 1, self.explain(argv, rc, out, err))
        self.assertIn("not found", (out + err).lower(), self.explain(argv, rc, out, err))

    # --- wmill script run without -s (log streaming) ------------------------------------

    def test_script_run_without_s_prints_logs_and_result(self):
        self.ensure_pushed()
        argv = ("script", "run", "f/test/hello_sh", "-d", '{"name":"x"}')
        rc, out, err = self.wmill(*argv)
        why = self.explain(argv, rc, out, err)
        self.assertEqual(rc, 0, why)
        lines = [l.strip() for l in out.splitlines()]
        self.assertEqual(lines.count("hello x"), 1, why)  # the job's log, once
        self.assertEqual(last_line(out), '"hello x"', why)  # then the result

    def test_script_run_without_s_streams_logs_through_getupdate(self):
        self.ensure_pushed()
        argv = ("script", "run", "f/test/slow_sh", "-d", '{"name":"y"}')
        rc, out, err = self.wmill(*argv)
        why = self.explain(argv, rc, out, err)
        self.assertEqual(rc, 0, why)
        ids = UUID_RE.findall(out + err)
        self.assertTrue(ids, "the CLI printed no job id (it prints one while waiting)\n" + why)
        job_id = ids[0]
        self.assertIn("Streaming logs", out + err, why)
        lines = [l.strip() for l in out.splitlines()]
        for line in ("start y", "middle y", "hello y"):
            self.assertEqual(lines.count(line), 1, f"log line {line!r} not printed once\n" + why)
        self.assertLess(lines.index("start y"), lines.index("middle y"), why)
        self.assertLess(lines.index("middle y"), lines.index("hello y"), why)
        self.assertEqual(last_line(out), '"hello y"', why)
        log = self.server.tail_log(10_000_000)
        self.assertIn(f"GET /api/w/{WS}/jobs_u/getupdate/{job_id}?running=", log)
        self.assertTrue(self.server.alive())
        # The job's full log on the server matches what was streamed.
        job = self.server.wait_job(self.token, job_id)
        self.assertEqual(job["logs"].count("middle y"), 1, job)

    # --- wmill job result ---------------------------------------------------------------

    def test_job_result_of_a_webhook_job(self):
        self.ensure_pushed()
        job_id = self.server.run_async(self.token, "f/test/hello_py", {"name": "hook"})
        self.server.wait_job(self.token, job_id)
        argv = ("job", "result", job_id)
        rc, out, err = self.wmill(*argv)
        self.assertEqual(rc, 0, self.explain(argv, rc, out, err))
        self.assertEqual(last_line(out), '"hello hook"', self.explain(argv, rc, out, err))

    # --- wmill version ------------------------------------------------------------------

    def test_version_prints_the_backend_version(self):
        self.ensure_workspace()
        expected = self.server.request("GET", "/api/version")
        self.assertEqual(expected.status, 200, expected)
        # The CLI also asks the npm registry for its latest version; it only warns when it
        # cannot reach it.
        out, err = self.assertWmillOk("version")
        self.assertIn("CLI version: 1.819.0", out + err)
        self.assertIn(f"Backend Version: {expected.text.strip()}", out + err,
                      self.explain(["version"], 0, out, err))

    # --- windmill-client (JS SDK) -------------------------------------------------------

    def run_sdk(self, body):
        """Runs an ESM snippet with `wmill` imported and set up; the snippet's `out` object is
        printed as JSON and returned."""
        src = ('import * as wmill from "windmill-client";\n'
               'const [token, base] = process.argv.slice(2);\n'
               'wmill.setClient(token, base);\n'
               'const out = {};\n'
               'try {\n' + body + '\n} catch (e) {\n'
               '  out.uncaught = {message: String(e && e.message || e), status: e && e.status,'
               ' body: e && e.body};\n}\n'
               'console.log("SDK-OUT " + JSON.stringify(out));\n')
        fd, script = tempfile.mkstemp(suffix=".mjs", dir=self.sdk_dir)
        with os.fdopen(fd, "w") as f:
            f.write(src)
        argv = [NODE, script, self.token, self.base]
        rc, out, err = self.run_client(argv, cwd=self.sdk_dir, timeout=60,
                                       env=self.env(WM_WORKSPACE=WS))
        why = f"\n$ node <<{body}>>\nexit {rc}\nstdout:\n{out}\nstderr:\n{err}" + self.server_log()
        self.assertEqual(rc, 0, why)
        marked = [l for l in out.splitlines() if l.startswith("SDK-OUT ")]
        self.assertTrue(marked, why)
        result = json.loads(marked[-1][len("SDK-OUT "):])
        self.assertNotIn("uncaught", result, why)
        return result, why

    def test_sdk_run_script_by_path_returns_the_result(self):
        self.ensure_pushed()
        r, why = self.run_sdk(
            'out.py = await wmill.runScriptByPath("f/test/hello_py", {name: "sdk"});\n'
            'out.sh = await wmill.runScriptByPath("f/test/hello_sh", {name: "sdk"});')
        self.assertEqual(r, {"py": "hello sdk", "sh": "hello sdk"}, why)

    def test_sdk_run_async_then_wait_job_and_get_result(self):
        self.ensure_pushed()
        r, why = self.run_sdk(
            'out.id = await wmill.runScriptByPathAsync("f/test/hello_py", {name: "async"});\n'
            'out.waited = await wmill.waitJob(out.id);\n'
            'out.result = await wmill.default.getResult(out.id);\n'
            'out.maybe = await wmill.default.getResultMaybe(out.id);')
        self.assertRegex(r["id"], "^" + UUID_RE.pattern + "$", why)
        self.assertEqual(r["waited"], "hello async", why)
        self.assertEqual(r["result"], "hello async", why)
        self.assertEqual(r["maybe"]["completed"], True, why)
        self.assertEqual(r["maybe"]["success"], True, why)
        self.assertEqual(r["maybe"]["result"], "hello async", why)
        job = self.server.wait_job(self.token, r["id"])
        self.assertEqual(job["script_path"], "f/test/hello_py")

    def test_sdk_job_service_run_wait_result_returns_the_bare_result(self):
        self.ensure_pushed()
        r, why = self.run_sdk(
            'out.result = await wmill.JobService.runWaitResultScriptByPath('
            '{workspace: "admins", path: "f/test/hello_py", requestBody: {name: "wait"}});\n'
            'out.id = await wmill.JobService.runScriptByPath('
            '{workspace: "admins", path: "f/test/hello_sh", requestBody: {name: "js"}});')
        self.assertEqual(r["result"], "hello wait", why)
        self.assertRegex(r.get("id") or "", "^" + UUID_RE.pattern + "$", why)
        self.assertEqual(self.server.wait_job(self.token, r["id"])["result"], "hello js")

    def test_sdk_variables_resources_and_state(self):
        """windmill-client's secret, resource and state helpers against this server, from
        outside (a job's own use of them is in test_wmill_python)."""
        self.ensure_pushed()
        r, why = self.run_sdk(
            'await wmill.setVariable("u/admin/sdk_secret", "sdk-s3cret", true, "from the sdk");\n'
            'out.secret = await wmill.getVariable("u/admin/sdk_secret");\n'
            'await wmill.setVariable("u/admin/sdk_secret", "sdk-s3cret-2");\n'
            'out.updated = await wmill.getVariable("u/admin/sdk_secret");\n'
            'await wmill.setResource({host: "h", pw: "$var:u/admin/sdk_secret"}, '
            '"u/admin/sdk_res", "c_sdk");\n'
            'out.resource = await wmill.getResource("u/admin/sdk_res");\n'
            'out.missing = await wmill.getResource("u/admin/sdk_nothing", true);\n'
            'out.state_before = await wmill.getState("u/admin/sdk_state");\n'
            'await wmill.setState({cursor: 7}, "u/admin/sdk_state");\n'
            'out.state_after = await wmill.getState("u/admin/sdk_state");\n'
            'const id = await wmill.runScriptByPathAsync("f/test/hello_py", {name: "p"});\n'
            'out.root = await wmill.getRootJobId(id);\n'
            'out.id = id;')
        self.assertEqual(r["secret"], "sdk-s3cret", why)
        self.assertEqual(r["updated"], "sdk-s3cret-2", why)
        self.assertEqual(r["resource"], {"host": "h", "pw": "sdk-s3cret-2"}, why)
        self.assertNotIn("missing", r, why)  # undefined: not in the JSON
        self.assertNotIn("state_before", r, why)
        self.assertEqual(r["state_after"], {"cursor": 7}, why)
        self.assertEqual(r["root"], r["id"], why)
        listed = self.server.request("GET", f"/api/w/{WS}/variables/list", token=self.token).json()
        mine = next(v for v in listed if v["path"] == "u/admin/sdk_secret")
        self.assertEqual((mine["is_secret"], mine["value"]), (True, None))

    def test_sdk_failing_script_throws(self):
        self.ensure_pushed()
        r, why = self.run_sdk(
            'try {\n'
            '  out.value = await wmill.runScriptByPath("f/test/fail_py", {});\n'
            '} catch (e) { out.error = String(e && e.message || e); }\n'
            'try {\n'
            '  out.wait_value = await wmill.JobService.runWaitResultScriptByPath('
            '{workspace: "admins", path: "f/test/fail_py", requestBody: {}});\n'
            '} catch (e) { out.wait_error = {status: e.status, body: e.body}; }')
        self.assertNotIn("value", r, why)
        self.assertIn("was not successful", r.get("error", ""), why)
        self.assertIn("boom from fail_py", r["error"], why)
        self.assertNotIn("wait_value", r, why)
        self.assertGreaterEqual(r["wait_error"]["status"], 400, why)
        self.assertIn("boom from fail_py", json.dumps(r["wait_error"]["body"]), why)

    def test_server_survived(self):
        self.ensure_pushed()
        self.assertTrue(self.server.alive())
        self.assertHealthy()


if __name__ == "__main__":
    unittest.main()
