"""Packages for Python jobs, through the real server, pip and sandbox: a script's imports are
read from its code, resolved into a lock when it is saved (a dependency job), installed once
into the package cache and put on the job's import path, read-only. The packages come from a
local index the test builds and serves (package_index.py): no outside access is needed."""
import json
import os
import re
import subprocess
import threading
import unittest

from e2e_util import poll, sync_run
from harness import BIN, WS, Server, ServerTestCase
from package_index import PackageIndex

INDEX = None


def setUpModule():
    global INDEX
    INDEX = PackageIndex()


def tearDownModule():
    INDEX.stop()


class PackageCalls:
    """What both test classes call: the workspace's API, a script's view, a sync run."""

    def api(self, method, route, **kw):
        return self.server.request(method, f"/api/w/{WS}/{route}", token=self.token, **kw)

    def script(self, path):
        r = self.api("GET", f"scripts/get/p/{path}")
        self.assertEqual(r.status, 200, r)
        return r.json()

    def run_sync(self, path, args=None):
        return sync_run(self.server, self.token, path, args or {}, timeout=300)


class PackagesTest(PackageCalls, ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server_env = dict(INDEX.env(), NUM_WORKERS="2")
        super().setUpClass()


    def job_logs(self, job_id):
        return self.server.wait_job(self.token, job_id, timeout=120)["logs"]

    def test_inferred_imports_with_a_renamed_distribution_and_a_transitive_dependency(self):
        code = ("import yaml\nimport mr_beta\nimport mr_alpha\n\n"
                "def main(x: str):\n"
                "    return [yaml.FROM_TEST_INDEX, yaml.safe_load(x), mr_beta.shout(x),"
                " mr_alpha.VERSION]\n")
        self.server.create_script(self.token, "u/admin/inferred", code)
        r = self.run_sync("u/admin/inferred", {"x": "hi"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), [True, {"loaded": "hi"}, "HI!2.0", "2.0"])
        s = self.script("u/admin/inferred")
        self.assertEqual(s["lock"], "mr-alpha==2.0\nmr-beta==1.0\npyyaml==6.0.1")
        self.assertEqual((s["lock_status"], s["lock_error_logs"]), ("ready", None))

    def test_a_requirements_block_pins_and_replaces_inference(self):
        code = ("# requirements:\n# mr-alpha==1.0\n\nimport mr_alpha\nimport mr_not_there_at_all\n"
                "\ndef main():\n    return mr_alpha.VERSION\n")
        self.server.create_script(self.token, "u/admin/pinned", code)
        # mr_not_there_at_all is not looked up: the block replaces what imports would ask.
        s = poll(lambda: (lambda s: s if s["lock_status"] != "pending" else None)(
            self.script("u/admin/pinned")), timeout=120, what="the lock")
        self.assertEqual(s["lock"], "mr-alpha==1.0")
        r = self.run_sync("u/admin/pinned")
        self.assertEqual(r.status, 422, r)
        self.assertIn("No module named 'mr_not_there_at_all'", r.json()["error"]["message"])

    def test_extra_requirements_add_to_inference_and_their_pin_wins(self):
        code = ("# extra_requirements:\n# mr-alpha==1.0\n\nimport mr_beta\n\n"
                "def main():\n    return mr_beta.shout('a')\n")
        self.server.create_script(self.token, "u/admin/extra", code)
        r = self.run_sync("u/admin/extra")
        self.assertEqual((r.status, r.json()), (200, "A!1.0"))
        self.assertEqual(self.script("u/admin/extra")["lock"], "mr-alpha==1.0\nmr-beta==1.0")

    def test_a_conflict_fails_the_lock_with_the_resolvers_words(self):
        code = ("# requirements:\n# mr-alpha==2.0\n# mr-gamma\n\n"
                "def main():\n    return 1\n")
        self.server.create_script(self.token, "u/admin/conflict", code)
        r = self.run_sync("u/admin/conflict")
        self.assertEqual(r.status, 422, r)
        message = r.json()["error"]["message"]
        self.assertIn("could not be resolved", message)
        self.assertIn("mr-gamma 1.0 depends on mr-alpha<2", message)
        s = self.script("u/admin/conflict")
        self.assertEqual((s["lock_status"], s["lock"]), ("failed", None))
        self.assertIn("ResolutionImpossible", s["lock_error_logs"])
        # The dependency job started at the save failed with the same words (it may end after
        # the run, which resolved the lock itself).
        def ended():
            return self.api("GET", "jobs/completed/list?job_kinds=dependencies&"
                                   "script_path_exact=u/admin/conflict").json()
        jobs = poll(ended, what="the dependency job to end")
        self.assertFalse(jobs[0]["success"], jobs)

    def test_a_version_run_by_hash_keeps_its_own_lock_after_an_upgrade(self):
        old = self.server.create_script(
            self.token, "u/admin/upgraded",
            "# requirements:\n# mr-alpha==1.0\nimport mr_alpha\n\ndef main():\n"
            "    return mr_alpha.VERSION\n")
        self.assertEqual(self.run_sync("u/admin/upgraded").json(), "1.0")
        self.server.create_script(
            self.token, "u/admin/upgraded",
            "# requirements:\n# mr-alpha==2.0\nimport mr_alpha\n\ndef main():\n"
            "    return mr_alpha.VERSION\n", parent_hash=old)
        self.assertEqual(self.run_sync("u/admin/upgraded").json(), "2.0")
        r = self.api("POST", f"jobs/run_wait_result/h/{old}", json_body={}, timeout=120)
        self.assertEqual((r.status, r.json()), (200, "1.0"))

    def test_an_async_run_right_after_the_save_is_queued_behind_its_lock(self):
        self.server.create_script(self.token, "u/admin/early",
                                  "import mr_beta\n\ndef main():\n    return mr_beta.shout('e')\n")
        job = self.server.run_async(self.token, "u/admin/early")
        done = self.server.wait_job(self.token, job, timeout=120)
        self.assertTrue(done["success"], done)
        self.assertEqual(done["result"], "E!2.0")

    def test_two_first_runs_at_once_install_a_package_once(self):
        code = "import mr_solo\n\ndef main(i: int):\n    return [i, mr_solo.NAME]\n"
        self.server.create_script(self.token, "u/admin/solo_a", code)
        self.server.create_script(self.token, "u/admin/solo_b", code.replace("i,", "i + 100,"))
        for path in ("u/admin/solo_a", "u/admin/solo_b"):
            poll(lambda: self.script(path)["lock_status"] == "ready", timeout=120, what="lock")
        jobs = [self.server.run_async(self.token, p, {"i": 1})
                for p in ("u/admin/solo_a", "u/admin/solo_b")]
        results = [self.server.wait_job(self.token, j, timeout=120) for j in jobs]
        self.assertEqual([r["result"] for r in results], [[1, "solo"], [101, "solo"]])
        installs = [r["logs"].count("installing mr-solo==1.0") for r in results]
        self.assertEqual(sorted(installs), [0, 1], [r["logs"] for r in results])
        downloads = [p for p in INDEX.requests if "mr_solo-1.0-py3-none-any.whl" in p]
        # One download to resolve the lock of each script, one to install: never two installs.
        self.assertLessEqual(len(downloads), 3, downloads)

    def test_a_job_cannot_write_into_the_package_cache(self):
        code = ("import os, mr_flowpkg\n\ndef main():\n"
                "    folder = os.path.dirname(mr_flowpkg.__file__)\n"
                "    out = []\n"
                "    for target in (os.path.join(folder, 'evil.py'), os.path.join(folder, '__init__.py')):\n"
                "        try:\n"
                "            with open(target, 'a') as f:\n"
                "                f.write('x = 1')\n"
                "            out.append('wrote')\n"
                "        except OSError as e:\n"
                "            out.append(type(e).__name__)\n"
                "    return [folder, out]\n")
        self.server.create_script(self.token, "u/admin/vandal", code)
        r = self.run_sync("u/admin/vandal")
        self.assertEqual(r.status, 200, r)
        folder, out = r.json()
        self.assertTrue(folder.endswith("/python/mr-flowpkg==3.1/mr_flowpkg"), folder)
        self.assertNotIn("wrote", out)

    def test_a_flow_step_with_its_own_imports(self):
        value = {"modules": [{"id": "a", "value": {
            "type": "rawscript", "language": "python3",
            "content": "import mr_flowpkg\n\ndef main(n: int):\n    return mr_flowpkg.double(n)\n",
            "input_transforms": {"n": {"type": "javascript", "expr": "flow_input.n"}}}}]}
        r = self.api("POST", "flows/create", json_body={"path": "u/admin/pkgflow", "summary": "",
                                                        "value": value, "schema": {}})
        self.assertEqual(r.status, 201, r)
        r = self.api("POST", "jobs/run_wait_result/f/u/admin/pkgflow", json_body={"n": 21},
                     timeout=120)
        self.assertEqual((r.status, r.json()), (200, 42))

    def test_the_cli_dependency_routes_resolve_a_lock(self):
        body = {"raw_scripts": [{"raw_code": "import mr_beta\n\ndef main():\n    pass\n",
                                 "language": "python3", "script_path": "f/x/y"}],
                "entrypoint": "f/x/y"}
        r = self.api("POST", "jobs/run/dependencies", json_body=body, timeout=120)
        self.assertEqual((r.status, r.json()), (201, {"lock": "mr-alpha==2.0\nmr-beta==1.0"}))
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/dependencies_async",
                                json_body=body, headers={"Cookie": f"token={self.token}"})
        self.assertEqual(r.status, 201, r)
        done = self.server.wait_job(self.token, r.text.strip(), timeout=120)
        self.assertEqual(done["result"], {"lock": "mr-alpha==2.0\nmr-beta==1.0"})
        flow = {"modules": [{"id": "a", "value": {
            "type": "rawscript", "language": "python3", "content": "import yaml\n",
            "input_transforms": {}}}]}
        r = self.api("POST", "jobs/run/flow_dependencies_async",
                     json_body={"flow_value": flow, "path": "f/x/flow"})
        done = self.server.wait_job(self.token, r.text.strip(), timeout=120)
        self.assertEqual(done["result"]["updated_flow_value"]["modules"][0]["value"]["lock"],
                         "pyyaml==6.0.1")
        body["raw_scripts"][0]["raw_code"] = "import mr_nowhere_to_be_found\n"
        r = self.api("POST", "jobs/run/dependencies", json_body=body, timeout=120)
        self.assertEqual(r.status, 422, r)
        self.assertIn("mr-nowhere-to-be-found", r.text.lower().replace("_", "-"))

    def test_the_dependency_routes_need_a_token_that_may_start_jobs_in_the_workspace(self):
        body = {"raw_scripts": [{"raw_code": "import yaml\n", "language": "python3",
                                 "script_path": "u/admin/x"}], "entrypoint": "u/admin/x"}
        scoped = self.server.create_token(self.token, label="hook",
                                          scopes=["jobs:run:scripts:u/admin/inferred"])
        reader = self.server.create_token(self.token, label="reader", scopes=["scripts:read"])
        r = self.server.request("POST", "/api/users/create", token=self.token,
                                json_body={"email": "out@example.com", "password": "out-pass-1234",
                                           "super_admin": False, "name": "Out"})
        self.assertEqual(r.status, 201, r)
        outsider = self.server.login("out@example.com", "out-pass-1234")
        for route in ("dependencies", "dependencies_async", "flow_dependencies_async"):
            with self.subTest(route=route):
                url = f"/api/w/{WS}/jobs/run/{route}"
                self.assertEqual(self.server.request("POST", url, json_body=body).status, 401)
                for token in (scoped, reader):
                    r = self.server.request("POST", url, json_body=body, token=token)
                    self.assertEqual(r.status, 403, r)
                r = self.server.request("POST", url, json_body=body, token=outsider)
                self.assertIn(r.status, (401, 403), r)

    def test_metrics_show_the_cache_and_install_times(self):
        self.server.create_script(self.token, "u/admin/metered",
                                  "import mr_alpha\n\ndef main():\n    return 1\n")
        self.assertEqual(self.run_sync("u/admin/metered").json(), 1)
        text = self.server.request("GET", "/metrics", token=self.token).text
        size = re.search(r'^millrace_package_cache_bytes\{language="python"\} (\d+)$', text, re.M)
        self.assertTrue(size and int(size.group(1)) > 0, text[-2000:])
        self.assertRegex(text, r'millrace_package_install_seconds_count\{language="python"\} [1-9]')
        self.assertRegex(text, r'millrace_package_lock_seconds_count\{language="python"\} [1-9]')


class NpmPackagesTest(PackageCalls, ServerTestCase):
    """TypeScript's imports come from the npm registry, which these machines reach."""


    def test_a_default_import_beside_the_shipped_windmill_client(self):
        self.server.create_script(
            self.token, "u/admin/ms_default",
            'import ms from "ms";\nimport * as wmill from "windmill-client";\n\n'
            "export async function main(span: string) {\n"
            "  return [ms(span), typeof wmill.getVariable];\n}\n", language="bun")
        r = self.run_sync("u/admin/ms_default", {"span": "2h"})
        self.assertEqual((r.status, r.json()), (200, [7200000, "function"]))
        lock = self.script("u/admin/ms_default")["lock"]
        package_json, package_lock = lock.split("\n//package-lock.json\n")
        self.assertEqual(json.loads(package_json)["dependencies"], {"ms": "latest"})
        self.assertIn("node_modules/ms", json.loads(package_lock)["packages"])

    def test_a_named_import_in_a_warm_interpreter(self):
        self.server.create_script(
            self.token, "u/admin/lodash_named",
            'import { chunk } from "lodash";\nimport { createRequire } from "node:module";\n'
            "const require = createRequire(import.meta.url);\n\n"
            "export function main(n: number) {\n"
            "  return [chunk([1, 2, 3, 4, 5, 6], n), require('node:path').basename('/a/b')];\n}\n",
            language="bun", dedicated_worker=True)
        # lodash is a CommonJS package: its named exports come through the bundle, as on Bun.
        self.assertEqual(self.run_sync("u/admin/lodash_named", {"n": 2}).json(),
                         [[[1, 2], [3, 4], [5, 6]], "b"])
        self.assertEqual(self.run_sync("u/admin/lodash_named", {"n": 3}).json(),
                         [[[1, 2, 3], [4, 5, 6]], "b"])

    def test_an_npm_specifier_with_a_version(self):
        self.server.create_script(
            self.token, "u/admin/zod_pinned",
            'import { z } from "npm:zod@3.22.4";\n\n'
            "export function main(s: string) {\n  return z.string().min(2).parse(s);\n}\n",
            language="deno")
        self.assertEqual(self.run_sync("u/admin/zod_pinned", {"s": "ok"}).json(), "ok")
        lock = self.script("u/admin/zod_pinned")["lock"]
        package_json, package_lock = lock.split("\n//package-lock.json\n")
        self.assertEqual(json.loads(package_json)["dependencies"], {"zod": "3.22.4"})
        self.assertEqual(json.loads(package_lock)["packages"]["node_modules/zod"]["version"],
                         "3.22.4")
        r = self.run_sync("u/admin/zod_pinned", {"s": "x"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["error"]["name"], "ZodError")

    def test_a_package_that_does_not_exist_fails_the_lock_with_npms_words(self):
        self.server.create_script(
            self.token, "u/admin/nowhere",
            'import x from "millrace-no-such-package-zq9";\n\n'
            "export function main() {\n  return x;\n}\n", language="bun")
        r = self.run_sync("u/admin/nowhere")
        self.assertEqual(r.status, 422, r)
        self.assertIn("could not be resolved", r.json()["error"]["message"])
        s = self.script("u/admin/nowhere")
        self.assertEqual(s["lock_status"], "failed")
        self.assertIn("404", s["lock_error_logs"])
        self.assertIn("millrace-no-such-package-zq9", s["lock_error_logs"])


class PrunedCacheTest(unittest.TestCase):
    def test_prune_drops_what_no_saved_version_uses_and_a_run_installs_it_again(self):
        server = Server(env=dict(INDEX.env())).start()
        try:
            token = server.login()
            server.create_script(token, "u/admin/kept",
                                 "import mr_solo\n\ndef main():\n    return mr_solo.NAME\n")
            self.assertEqual(sync_run(server, token, "u/admin/kept", timeout=120).json(), "solo")
            server.create_script(token, "u/admin/kept_ts",
                                 'import ms from "ms";\n\nexport function main() {\n'
                                 '  return ms("1s");\n}\n', language="bun")
            self.assertEqual(sync_run(server, token, "u/admin/kept_ts", timeout=300).json(), 1000)
            # A flow's inline steps: their locks are not saved with any script version.
            value = {"modules": [
                {"id": "a", "value": {
                    "type": "rawscript", "language": "python3",
                    "content": "import mr_flowpkg\n\ndef main():\n    return mr_flowpkg.double(2)\n",
                    "input_transforms": {}}},
                {"id": "b", "value": {
                    "type": "rawscript", "language": "bun",
                    "content": 'import ms from "npm:ms@2.1.2";\n\nexport function main(x: number) {\n'
                               '  return x + ms("1s");\n}\n',
                    "input_transforms": {"x": {"type": "javascript", "expr": "results.a"}}}}]}
            r = server.request("POST", f"/api/w/{WS}/flows/create", token=token,
                               json_body={"path": "u/admin/inline", "summary": "", "value": value,
                                          "schema": {}})
            self.assertEqual(r.status, 201, r)
            r = server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/f/u/admin/inline",
                               token=token, json_body={}, timeout=120)
            self.assertEqual((r.status, r.json()), (200, 1004))
            cache = os.path.join(server.data_dir, "cache", "python")
            npm_cache = os.path.join(server.data_dir, "cache", "npm")
            self.assertIn("mr-flowpkg==3.1", os.listdir(cache))
            self.assertEqual(len([p for p in os.listdir(npm_cache) if not p.startswith(".")]), 2)
            env = dict(os.environ)
            if "DATABASE_URL" in server.env:
                env["DATABASE_URL"] = server.env["DATABASE_URL"]
            out = subprocess.run([BIN, "cache", "prune", "--data", server.data_dir], env=env,
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn("removed 2 package folders", out.stdout)
            self.assertEqual(sorted(p for p in os.listdir(cache) if not p.startswith(".")),
                             ["mr-solo==1.0"])
            self.assertEqual(len([p for p in os.listdir(npm_cache) if not p.startswith(".")]), 1)
            self.assertEqual(sync_run(server, token, "u/admin/kept", timeout=120).json(), "solo")
            # What was dropped is installed again by the next run that needs it.
            r = server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/f/u/admin/inline",
                               token=token, json_body={}, timeout=300)
            self.assertEqual((r.status, r.json()), (200, 1004))
            self.assertIn("mr-flowpkg==3.1", os.listdir(cache))
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
