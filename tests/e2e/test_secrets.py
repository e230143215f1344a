"""Variables, secrets, resources and resource types through the real server: ownership, scopes,
audit rows, encryption at rest, `$var:`/`$res:` in job arguments, masking in logs, and the
master key (missing, wrong, rotated)."""
import os
import sqlite3
import subprocess
import unittest

from e2e_util import audit_list, poll, sync_run
from harness import BIN, PG_BASE, WS, Server, ServerTestCase, quote

SECRET = "s3cr3t-Hunter2-value"


def read(path):
    with open(path) as f:
        return f.read()


class VariablesTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bob = cls.server.add_member(cls.token, "bob@example.com", "bob-password-123")

    def api(self, method, route, token=None, **kw):
        return self.server.request(method, f"/api/w/{WS}/{route}", token=token or self.token, **kw)

    def create_var(self, path, value, secret=False, token=None):
        return self.api("POST", "variables/create", token=token,
                        json_body={"path": path, "value": value, "is_secret": secret,
                                   "description": "d"})

    def test_create_read_update_delete_with_audit(self):
        r = self.create_var("u/admin/plain", "hello")
        self.assertEqual((r.status, r.text), (201, "variable u/admin/plain created"))
        self.assertEqual(self.create_var("u/admin/plain", "again").status, 400)
        r = self.api("GET", "variables/get/u/admin/plain")
        self.assertEqual(r.status, 200, r)
        v = r.json()
        self.assertEqual((v["path"], v["value"], v["is_secret"]), ("u/admin/plain", "hello", False))
        self.assertEqual(self.api("GET", "variables/get_value/u/admin/plain").json(), "hello")
        self.assertIs(self.api("GET", "variables/exists/u/admin/plain").json(), True)
        self.assertIs(self.api("GET", "variables/exists/u/admin/nothing").json(), False)
        r = self.api("POST", "variables/update/u/admin/plain", json_body={"value": "bye"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.api("GET", "variables/get_value/u/admin/plain").json(), "bye")
        self.assertEqual(self.api("DELETE", "variables/delete/u/admin/plain").status, 200)
        self.assertEqual(self.api("GET", "variables/get/u/admin/plain").status, 404)
        ops = [a["operation"] for a in audit_list(self.server, self.token,
                                                  resource="u/admin/plain")]
        for op in ("variables.create", "variables.update", "variables.delete"):
            self.assertIn(op, ops)

    def test_a_secret_is_never_listed_and_each_reveal_is_audited(self):
        self.assertEqual(self.create_var("u/admin/key", SECRET, secret=True).status, 201)
        listed = self.api("GET", "variables/list").json()
        entry = next(v for v in listed if v["path"] == "u/admin/key")
        self.assertIsNone(entry["value"])
        self.assertTrue(entry["is_secret"])
        hidden = self.api("GET", "variables/get/u/admin/key?decrypt_secret=false").json()
        self.assertIsNone(hidden["value"])
        sealed = self.api("GET", "variables/get/u/admin/key?decrypt_secret=false"
                          "&include_encrypted=true").json()["value"]
        self.assertNotIn(SECRET, sealed)
        before = len(audit_list(self.server, self.token, operation="variables.decrypt_secret",
                                resource="u/admin/key"))
        self.assertEqual(self.api("GET", "variables/get/u/admin/key").json()["value"], SECRET)
        self.assertEqual(self.api("GET", "variables/get_value/u/admin/key").json(), SECRET)
        after = audit_list(self.server, self.token, operation="variables.decrypt_secret",
                           resource="u/admin/key")
        self.assertEqual(len(after), before + 2)
        # A value sealed by /encrypt is stored as given with already_encrypted.
        sealed = self.api("POST", "variables/encrypt", json_body="other-secret").text
        r = self.api("POST", "variables/create?already_encrypted=true",
                     json_body={"path": "u/admin/presealed", "value": sealed, "is_secret": True,
                                "description": ""})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.api("GET", "variables/get_value/u/admin/presealed").json(),
                         "other-secret")

    def test_a_member_reads_and_writes_only_what_it_owns(self):
        self.assertEqual(self.create_var("u/admin/mine", "admin's", secret=True).status, 201)
        for route in ("variables/get/u/admin/mine", "variables/get_value/u/admin/mine"):
            self.assertEqual(self.api("GET", route, token=self.bob).status, 404)
        self.assertIs(self.api("GET", "variables/exists/u/admin/mine", token=self.bob).json(),
                      False)
        self.assertNotIn("u/admin/mine", [v["path"] for v in
                                          self.api("GET", "variables/list", token=self.bob).json()])
        self.assertEqual(self.create_var("u/admin/by-bob", "x", token=self.bob).status, 403)
        r = self.api("POST", "variables/update/u/admin/mine", token=self.bob,
                     json_body={"value": "stolen"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.api("DELETE", "variables/delete/u/admin/mine", token=self.bob).status,
                         403)
        self.assertEqual(self.create_var("u/bob/own", "bob's", token=self.bob).status, 201)
        self.assertEqual(self.api("GET", "variables/get_value/u/bob/own", token=self.bob).json(),
                         "bob's")
        # An admin reads everything.
        self.assertEqual(self.api("GET", "variables/get_value/u/bob/own").json(), "bob's")

    def test_a_scoped_token_reads_only_its_paths(self):
        self.create_var("f/ops/one", "1")
        self.create_var("u/admin/two", "2")
        scoped = self.server.create_token(self.token, label="vars",
                                          scopes=["variables:read:f/ops/*"])
        self.assertEqual(self.api("GET", "variables/get_value/f/ops/one", token=scoped).status,
                         200)
        self.assertEqual(self.api("GET", "variables/get_value/u/admin/two", token=scoped).status,
                         403)
        self.assertEqual(self.create_var("f/ops/three", "3", token=scoped).status, 403)
        self.assertEqual(self.api("GET", "resources/list", token=scoped).status, 403)

    def test_a_value_not_sealed_by_this_workspace_is_refused(self):
        for value in ("not-sealed", self.api("POST", "variables/encrypt",
                                             json_body="x").text[:-4] + "AAAA"):
            r = self.api("POST", "variables/create?already_encrypted=true",
                         json_body={"path": "u/admin/bad_seal", "value": value,
                                    "is_secret": True, "description": ""})
            self.assertEqual(r.status, 400, r)
            self.assertIn("not sealed with this workspace's key", r.text)
        self.assertIs(self.api("GET", "variables/exists/u/admin/bad_seal").json(), False)

    def test_a_cookie_from_another_origin_changes_nothing(self):
        r = self.server.request("POST", f"/api/w/{WS}/variables/create", token="",
                                json_body={"path": "u/admin/csrf", "value": "x",
                                           "is_secret": False, "description": ""},
                                headers={"Cookie": "token=" + self.token,
                                         "Sec-Fetch-Site": "cross-site"})
        self.assertEqual(r.status, 403, r)
        self.assertIs(self.api("GET", "variables/exists/u/admin/csrf").json(), False)

    def test_bad_input_gets_clear_errors(self):
        r = self.api("POST", "variables/create", json_body={"path": "u/admin/x"})
        self.assertEqual(r.status, 422)
        r = self.create_var("not a path", "x")
        self.assertEqual(r.status, 400)
        self.assertIn("invalid path", r.text)
        r = self.api("POST", "variables/update/u/admin/none", json_body={"value": "x"})
        self.assertEqual(r.status, 404)


class ResourcesTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bob = cls.server.add_member(cls.token, "bob@example.com", "bob-password-123")

    def api(self, method, route, token=None, **kw):
        return self.server.request(method, f"/api/w/{WS}/{route}", token=token or self.token, **kw)

    def test_types_and_resources_round_trip(self):
        r = self.api("POST", "resources/type/create",
                     json_body={"name": "c_pg", "schema": {"type": "object"}, "description": "db"})
        self.assertEqual((r.status, r.text), (201, "resource_type c_pg created"))
        self.assertEqual(self.api("POST", "resources/type/create", token=self.bob,
                                  json_body={"name": "c_x"}).status, 403)
        self.assertIn("c_pg", self.api("GET", "resources/type/listnames").json())
        self.assertEqual(self.api("GET", "resources/type/get/c_pg").json()["schema"],
                         {"type": "object"})
        value = {"host": "db", "port": 5432}
        r = self.api("POST", "resources/create",
                     json_body={"path": "u/admin/db", "value": value, "resource_type": "c_pg"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.api("POST", "resources/create", json_body={
            "path": "u/admin/db", "value": {}, "resource_type": "c_pg"}).status, 400)
        r = self.api("POST", "resources/create?update_if_exists=true", json_body={
            "path": "u/admin/db", "value": dict(value, port=5433), "resource_type": "c_pg"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.api("GET", "resources/get_value/u/admin/db").json()["port"], 5433)
        r = self.api("POST", "resources/update_value/u/admin/db", json_body={"value": value})
        self.assertEqual(r.status, 200, r)
        got = self.api("GET", "resources/get/u/admin/db").json()
        self.assertEqual((got["value"], got["resource_type"]), (value, "c_pg"))
        listed = self.api("GET", "resources/list?resource_type=c_pg").json()
        self.assertEqual([x["path"] for x in listed], ["u/admin/db"])
        self.assertEqual(self.api("GET", "resources/list?resource_type=other").json(), [])
        self.assertEqual(self.api("GET", "resources/get/u/admin/db", token=self.bob).status, 404)
        self.assertEqual(self.api("DELETE", "resources/delete/u/admin/db", token=self.bob).status,
                         403)
        self.assertEqual(self.api("DELETE", "resources/delete/u/admin/db").status, 200)
        self.assertIs(self.api("GET", "resources/exists/u/admin/db").json(), False)
        ops = [a["operation"] for a in audit_list(self.server, self.token, resource="u/admin/db")]
        for op in ("resources.create", "resources.update", "resources.delete"):
            self.assertIn(op, ops)

    def test_interpolation_resolves_references_as_the_reader(self):
        self.api("POST", "variables/create", json_body={
            "path": "u/admin/pw", "value": SECRET, "is_secret": True, "description": ""})
        self.api("POST", "resources/create", json_body={
            "path": "u/admin/conn", "resource_type": "c_any",
            "value": {"password": "$var:u/admin/pw", "nested": {"user": "me"}}})
        self.api("POST", "resources/create", json_body={
            "path": "u/admin/outer", "resource_type": "c_any", "value": {"db": "$res:u/admin/conn"}})
        raw = self.api("GET", "resources/get_value/u/admin/outer").json()
        self.assertEqual(raw, {"db": "$res:u/admin/conn"})
        got = self.api("GET", "resources/get_value_interpolated/u/admin/outer").json()
        self.assertEqual(got, {"db": {"password": SECRET, "nested": {"user": "me"}}})
        # Bob's resource naming admin's secret resolves to nothing for bob.
        self.api("POST", "resources/create", token=self.bob, json_body={
            "path": "u/bob/steal", "resource_type": "c_any", "value": {"pw": "$var:u/admin/pw"}})
        r = self.api("GET", "resources/get_value_interpolated/u/bob/steal", token=self.bob)
        self.assertEqual(r.status, 404)
        self.assertNotIn(SECRET, r.text)


class JobsSeeSecretsTest(ServerTestCase):
    """A job's arguments resolve `$var:`/`$res:` as its user; its logs never show a secret."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bob = cls.server.add_member(cls.token, "bob@example.com", "bob-password-123")
        api = lambda route, body, token=cls.token: cls.server.request(
            "POST", f"/api/w/{WS}/{route}", token=token, json_body=body)
        api("variables/create", {"path": "u/admin/key", "value": SECRET, "is_secret": True,
                                 "description": ""})
        api("resources/create", {"path": "u/admin/conf", "resource_type": "c_any",
                                 "value": {"key": "$var:u/admin/key", "n": 1}})
        cls.server.create_script(cls.token, "u/admin/echo",
                                 "def main(key, conf=None):\n"
                                 "    print('the key is', key)\n"
                                 "    print('split', key[:5], end='', flush=True)\n"
                                 "    print(key[5:], flush=True)\n"
                                 "    return {'len': len(key), 'conf_n': (conf or {}).get('n')}\n")
        cls.server.create_script(cls.bob, "u/bob/echo", "def main(key):\n    return key\n")

    def test_references_in_webhook_args_are_resolved_but_stored_as_given(self):
        r = sync_run(self.server, self.token, "u/admin/echo",
                     {"key": "$var:u/admin/key", "conf": "$res:u/admin/conf"})
        self.assertEqual((r.status, r.json()), (200, {"len": len(SECRET), "conf_n": 1}), r)
        job_id = self.server.run_async(self.token, "u/admin/echo", {"key": "$var:u/admin/key"})
        done = self.server.wait_job(self.token, job_id)
        self.assertTrue(done["success"], done)
        self.assertEqual(done["args"], {"key": "$var:u/admin/key"})
        self.assertNotIn(SECRET, done["logs"])
        self.assertIn("the key is ***", done["logs"])
        self.assertIn("split ***", done["logs"])  # printed in two pieces, masked whole
        audit = audit_list(self.server, self.token, operation="variables.decrypt_secret")
        self.assertTrue(any((a.get("parameters") or {}).get("job_id") == job_id for a in audit),
                        audit)

    def test_a_scoped_token_passes_only_references_its_scopes_may_read(self):
        runner = self.server.create_token(self.token, label="webhook-echo",
                                          scopes=["jobs:run:scripts:u/admin/echo"])
        r = sync_run(self.server, runner, "u/admin/echo", {"key": "$var:u/admin/key"})
        self.assertEqual(r.status, 403, r)
        self.assertIn("variables:read:u/admin/key", r.text)
        self.assertNotIn(SECRET, r.text)
        r = sync_run(self.server, runner, "u/admin/echo",
                     {"key": "plain", "conf": "$res:u/admin/conf"})
        self.assertEqual(r.status, 403, r)
        reader = self.server.create_token(self.token, label="webhook-echo-reader", scopes=[
            "jobs:run:scripts:u/admin/echo", "variables:read:u/admin/key"])
        r = sync_run(self.server, reader, "u/admin/echo", {"key": "$var:u/admin/key"})
        self.assertEqual((r.status, r.json()), (200, {"len": len(SECRET), "conf_n": None}), r)

    def test_a_caller_reads_nothing_through_a_script_it_could_not_read_itself(self):
        r = sync_run(self.server, self.bob, "u/bob/echo", {"key": "$var:u/admin/key"})
        self.assertNotEqual(r.status, 200)
        self.assertNotIn(SECRET, r.text)
        self.assertIn("Variable u/admin/key not found", r.text)

    def test_the_live_log_stream_is_masked(self):
        self.server.create_script(self.token, "u/admin/slow",
                                  "import time\n"
                                  "def main(key):\n"
                                  "    print('live', key, flush=True)\n"
                                  "    time.sleep(1.5)\n")
        job_id = self.server.run_async(self.token, "u/admin/slow", {"key": "$var:u/admin/key"})

        def live_logs():
            r = self.server.request("GET", f"/api/w/{WS}/jobs_u/getupdate/{job_id}"
                                    "?log_offset=0&running=true", token=self.token)
            j = r.json()
            logs = j.get("new_logs") or ""
            # The whole line: unbuffered Python writes "live", the secret and "\n" apart.
            return j if j.get("running") and "\n" in logs.partition("live")[2] else None

        j = poll(live_logs, what="the running job's first log line")
        self.assertIn("live ***", j["new_logs"])
        self.assertNotIn(SECRET, j["new_logs"])
        self.server.wait_job(self.token, job_id)

    def test_a_job_token_works_on_the_variables_routes_and_whoami(self):
        self.server.create_script(self.token, "u/admin/whoami", (
            "import json, os, urllib.request\n"
            "def get(route):\n"
            "    req = urllib.request.Request(os.environ['BASE_INTERNAL_URL'] + '/api' + route,\n"
            "        headers={'Authorization': 'Bearer ' + os.environ['WM_TOKEN']})\n"
            "    return json.load(urllib.request.urlopen(req))\n"
            "def main():\n"
            "    ws = os.environ['WM_WORKSPACE']\n"
            "    return {'me': get('/users/whoami')['email'],\n"
            "            'value': get(f'/w/{ws}/variables/get_value/u/admin/key') == '"
            + SECRET + "',\n"
            "            'state': os.environ['WM_STATE_PATH']}\n"))
        r = sync_run(self.server, self.token, "u/admin/whoami", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"me": "admin@windmill.dev", "value": True,
                                    "state": "u/admin/whoami/user"})


class SecretsAtRestTest(unittest.TestCase):
    """The database holds no secret in clear; the master key is checked at start; rotation
    keeps every secret readable."""

    def start(self, data_dir=None, env=None):
        s = Server(data_dir=data_dir, env=env)
        s.start()
        self.addCleanup(s.stop)
        return s

    def put_secret(self, server):
        token = server.login()
        r = server.request("POST", f"/api/w/{WS}/variables/create", token=token, json_body={
            "path": "u/admin/db_password", "value": SECRET, "is_secret": True, "description": ""})
        self.assertEqual(r.status, 201, r)
        return token

    def read_secret(self, server):
        token = server.login()
        return server.request("GET", f"/api/w/{WS}/variables/get_value/u/admin/db_password",
                              token=token).json()

    def database_bytes(self, server):
        if PG_BASE:
            url = server.env["DATABASE_URL"]
            return subprocess.run(["pg_dump", "--data-only", url], capture_output=True,
                                  check=True).stdout
        db = os.path.join(server.data_dir, "millrace.db")
        with sqlite3.connect(db) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = b""
        for name in os.listdir(server.data_dir):
            if name.startswith("millrace.db"):
                with open(os.path.join(server.data_dir, name), "rb") as f:
                    data += f.read()
        return data

    def test_no_secret_in_clear_and_a_private_key_file(self):
        s = self.start()
        self.put_secret(s)
        self.assertNotIn(SECRET.encode(), self.database_bytes(s))
        key_file = os.path.join(s.data_dir, "master.key")
        self.assertEqual(os.stat(key_file).st_mode & 0o777, 0o600)
        s.restart()
        self.assertEqual(self.read_secret(s), SECRET)

    def test_a_missing_or_wrong_master_key_stops_the_start(self):
        s = self.start()
        self.put_secret(s)
        s.stop()
        key_file = os.path.join(s.data_dir, "master.key")
        os.rename(key_file, key_file + ".away")
        with self.assertRaises(Exception):
            s.start(timeout=15)
        self.assertIn("the master key is missing", read(s.log_path))
        self.assertFalse(os.path.exists(key_file))  # never made anew over sealed data
        s.env["MILLRACE_MASTER_KEY"] = "A" * 43 + "="
        with self.assertRaises(Exception):
            s.start(timeout=15)
        self.assertIn("does not open this database's secrets", read(s.log_path))
        del s.env["MILLRACE_MASTER_KEY"]
        os.rename(key_file + ".away", key_file)
        s.start()
        self.assertEqual(self.read_secret(s), SECRET)

    def test_rotate_key_keeps_every_secret_readable(self):
        s = self.start()
        self.put_secret(s)
        key_file = os.path.join(s.data_dir, "master.key")
        old = read(key_file)
        cmd = [BIN, "rotate-key", "--data", s.data_dir]
        env = dict(os.environ)
        if PG_BASE:
            env["DATABASE_URL"] = s.env["DATABASE_URL"]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("rotated the master key", out.stdout)
        self.assertNotEqual(read(key_file), old)
        s.restart()
        self.assertEqual(self.read_secret(s), SECRET)


if __name__ == "__main__":
    unittest.main()
