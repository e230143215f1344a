"""Unsaved code and flows run from the editor (jobs/run/preview, jobs/run/preview_flow, and their
run_wait_result forms), the argument form inferred as the code is typed (scripts/infer_schema),
and the size limit on a script's code. Who may run a preview: not a token limited to some
scripts, not an operator, not someone of another workspace."""
import unittest

from e2e_util import audit_list
from harness import Server, ServerTestCase, WS

PY = 'def main(name: str, times: int = 2):\n    print("hi " + name)\n    return name * times\n'


class PreviewTest(ServerTestCase):
    server_env = {"SCRIPT_SIZE_LIMIT": "4096"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        r = s.request("POST", "/api/users/create", token=cls.token,
                      json_body={"email": "olga@example.com", "password": "olga-password",
                                 "super_admin": False, "name": "Olga"})
        assert r.status == 201, r
        r = s.request("POST", f"/api/w/{WS}/workspaces/add_user", token=cls.token,
                      json_body={"email": "olga@example.com", "is_admin": False, "operator": True})
        assert r.status == 200, r
        cls.operator = s.login("olga@example.com", "olga-password")
        cls.member = s.add_member(cls.token, "mona@example.com", "mona-password")

    def preview(self, body, token=None, wait=False, flow=False):
        route = ("run_wait_result" if wait else "run") + ("/preview_flow" if flow else "/preview")
        return self.server.request("POST", f"/api/w/{WS}/jobs/{route}", json_body=body,
                                   token=token or self.token)

    def test_unsaved_code_runs_with_its_logs_and_makes_no_version(self):
        r = self.preview({"content": PY, "language": "python3", "args": {"name": "ab"},
                          "path": "u/admin/draft"})
        self.assertEqual(r.status, 201, r)
        job = self.server.wait_job(self.token, r.text)
        self.assertEqual((job["success"], job["result"]), (True, "abab"))
        self.assertEqual(job["job_kind"], "preview")
        self.assertEqual(job["script_path"], "u/admin/draft")
        self.assertIn("hi ab", job["logs"])
        r = self.server.request("GET", f"/api/w/{WS}/scripts/exists/p/u/admin/draft", token=self.token)
        self.assertEqual(r.text, "false")
        rows = audit_list(self.server, self.token, operation="jobs.run.preview")
        self.assertTrue(any(row["parameters"].get("uuid") == job["id"] for row in rows), rows)

    def test_run_wait_result_answers_the_result_and_a_failure_as_a_sync_webhook(self):
        r = self.preview({"content": "export function main(a: number) { return a + 1 }",
                          "language": "bun", "args": {"a": 41}}, wait=True)
        self.assertEqual((r.status, r.json()), (200, 42))
        r = self.preview({"content": "def main():\n    raise ValueError('nope')\n",
                          "language": "python3"}, wait=True)
        self.assertEqual(r.status, 422, r)
        self.assertEqual((r.json()["error"]["name"], r.json()["error"]["message"]),
                         ("ValueError", "nope"))

    def test_an_unsaved_flow_runs_its_steps(self):
        value = {"modules": [
            {"id": "a", "value": {"type": "rawscript", "language": "python3",
                                  "content": "def main(x):\n    return x * 2\n",
                                  "input_transforms": {"x": {"type": "javascript",
                                                             "expr": "flow_input.n"}}}},
            {"id": "b", "value": {"type": "forloopflow", "iterator": {
                "type": "javascript", "expr": "[1, 2, results.a]"}, "skip_failures": False,
                "modules": [{"id": "c", "value": {
                    "type": "rawscript", "language": "bun",
                    "content": "export function main(i: number) { return i + 100 }",
                    "input_transforms": {"i": {"type": "javascript", "expr": "flow_input.iter.value"}}}}]}},
        ]}
        r = self.preview({"value": value, "args": {"n": 5}, "path": "u/admin/draft_flow"},
                         wait=True, flow=True)
        self.assertEqual((r.status, r.json()), (200, [101, 102, 110]), r)
        r = self.preview({"content": PY, "language": "python3", "args": {"name": "x"}})
        self.assertIsNone(self.server.wait_job(self.token, r.text)["script_path"],
                          "a preview without a path names none")
        r = self.preview({"value": value, "args": {"n": 1}}, flow=True)
        self.assertEqual(r.status, 201, r)
        job = self.server.wait_job(self.token, r.text)
        self.assertEqual((job["job_kind"], job["result"]), ("flowpreview", [101, 102, 102]))
        self.assertEqual([m["id"] for m in job["flow_status"]["modules"]], ["a", "b"])
        r = self.server.request("GET", f"/api/w/{WS}/flows/exists/u/admin/draft_flow", token=self.token)
        self.assertEqual(r.text, "false")
        rows = audit_list(self.server, self.token, operation="jobs.run.flow_preview")
        self.assertTrue(any(row["parameters"].get("uuid") == job["id"] for row in rows), rows)

    def test_malformed_previews_are_refused_before_any_job(self):
        cases = [
            ({"language": "python3"}, 422, "missing field `content`"),
            ({"content": "x", "language": "cobol"}, 422, "unknown variant `cobol`"),
            ({"content": "x", "language": "python3", "args": [1]}, 422, "args: expected an object"),
            ({"content": "x", "language": "python3", "path": "nope"}, 400, None),
            ({"content": "x", "language": "python3", "kind": "identity"}, 400, "kind `code`"),
        ]
        for body, status, words in cases:
            r = self.preview(body)
            self.assertEqual(r.status, status, (body, r))
            if words:
                self.assertIn(words, r.text)
        r = self.preview({"value": {"modules": [{"id": "a", "value": {"type": "warp"}}]}}, flow=True)
        self.assertEqual(r.status, 422, r)
        self.assertIn("unknown variant `warp`", r.text)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/preview", body=b"{",
                                headers={"Content-Type": "application/json"}, token=self.token)
        self.assertEqual(r.status, 400, r)

    def test_code_over_the_size_limit_is_refused_with_413_saved_or_previewed(self):
        big = "def main():\n    return 1\n" + "# padding\n" * 500
        r = self.preview({"content": big, "language": "python3"})
        self.assertEqual(r.status, 413, r)
        self.assertIn("over the limit of 4 KiB (SCRIPT_SIZE_LIMIT)", r.text)
        r = self.server.request("POST", f"/api/w/{WS}/scripts/create", token=self.token,
                                json_body={"path": "u/admin/big", "summary": "", "content": big,
                                           "language": "python3"})
        self.assertEqual(r.status, 413, r)
        self.assertIn("the script's code is 4.91 KiB", r.text)
        r = self.server.request("GET", f"/api/w/{WS}/scripts/exists/p/u/admin/big", token=self.token)
        self.assertEqual(r.text, "false")

    def test_the_argument_form_is_inferred_from_unsaved_code(self):
        r = self.server.request("POST", f"/api/w/{WS}/scripts/infer_schema", token=self.token,
                                json_body={"language": "python3", "content": PY})
        self.assertEqual(r.status, 200, r)
        schema = r.json()["schema"]
        self.assertEqual(list(schema["properties"]), ["name", "times"])
        self.assertEqual(schema["required"], ["name"])
        self.assertEqual(schema["properties"]["times"]["default"], 2)
        self.assertFalse(r.json()["has_preprocessor"])
        r = self.server.request("POST", f"/api/w/{WS}/scripts/infer_schema", token=self.token,
                                json_body={"language": "python3", "content": "def main(:\n"})
        self.assertEqual(r.status, 200, r)
        r = self.server.request("POST", f"/api/w/{WS}/scripts/infer_schema", token=self.token,
                                json_body={"language": "python3"})
        self.assertEqual(r.status, 422, r)
        r = self.server.request("POST", f"/api/w/{WS}/scripts/infer_schema",
                                json_body={"language": "python3", "content": PY})
        self.assertEqual(r.status, 401, r)

    def test_who_may_run_a_preview(self):
        body = {"content": "def main():\n    return 'ran'\n", "language": "python3"}
        # A token for one script runs that script, never unsaved code; nor does one for flows.
        narrow = self.server.create_token(self.token, label="one-script",
                                          scopes=["jobs:run:scripts:u/admin/one"])
        r = self.preview(body, token=narrow)
        self.assertEqual(r.status, 403, r)
        flows_only = self.server.create_token(self.token, label="flows", scopes=["jobs:run:flows"])
        self.assertEqual(self.preview(body, token=flows_only).status, 403)
        r = self.preview({"value": {"modules": []}}, token=narrow, flow=True)
        self.assertEqual(r.status, 403, r)
        read_only = self.server.create_token(self.token, label="reader", scopes=["jobs:read"])
        self.assertEqual(self.preview(body, token=read_only).status, 403)
        # A token for every script runs one; an operator runs saved scripts only.
        broad = self.server.create_token(self.token, label="all-scripts", scopes=["jobs:run:scripts"])
        r = self.preview(body, token=broad, wait=True)
        self.assertEqual((r.status, r.json()), (200, "ran"))
        r = self.preview(body, token=self.operator)
        self.assertEqual(r.status, 403, r)
        self.assertIn("Operators cannot run preview jobs", r.text)
        # A member runs their own previews.
        r = self.preview(body, token=self.member, wait=True)
        self.assertEqual((r.status, r.json()), (200, "ran"))
        # Not in a workspace they are not a member of.
        r = self.server.request("POST", "/api/workspaces/create", token=self.token,
                                json_body={"id": "elsewhere", "name": "Elsewhere"})
        self.assertEqual(r.status, 200, r)
        r = self.server.request("POST", "/api/w/elsewhere/jobs/run/preview", json_body=body,
                                token=self.member)
        self.assertEqual(r.status, 401, r)
        r = self.server.request("GET", "/api/w/elsewhere/jobs/list", token=self.token)
        self.assertEqual(r.json(), [])


if __name__ == "__main__":
    unittest.main()
