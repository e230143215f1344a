"""Webhook arguments are checked against the schema of the script or flow: a missing
required argument or one of the wrong JSON type is a 400 `Bad request: …` that names the
argument and the type it should have, before any job is made; arguments the schema does not
declare are ignored (Windmill's rule). The schema is the one saved, or the one inferred from
the signature (Python, TypeScript, Bash)."""
import unittest

from e2e_util import sync_run
from harness import WS, ServerTestCase, b64, quote

PY = "def main(name: str, n: int = 1, mode: str = 'a'):\n    return f'{name}:{n}:{mode}'\n"


class ArgValidationTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/checked", PY)
        cls.server.create_script(cls.token, "u/admin/checked_ts",
                                 "export function main(count: number, labels: string[] = []) {\n"
                                 "  return count + labels.length;\n}\n", language="bun")
        cls.server.create_script(cls.token, "u/admin/enum_schema", "def main(**kw):\n    return kw\n",
                                 schema={"type": "object", "required": ["mode"],
                                         "properties": {"mode": {"type": "string",
                                                                 "enum": ["fast", "slow"]}}})

    def jobs(self):
        r = self.server.request("GET", f"/api/w/{WS}/jobs/list?per_page=1000", token=self.token)
        return len(r.json())

    def refused(self, path, args, words):
        before = self.jobs()
        for run in ("run", "run_wait_result"):
            r = self.server.request("POST", f"/api/w/{WS}/jobs/{run}/p/{path}", json_body=args,
                                    token=self.token)
            self.assertEqual((r.status, r.text), (400, "Bad request: " + words), r)
        self.assertEqual(self.jobs(), before, "a refused call made a job")

    def test_a_missing_required_argument_is_named(self):
        self.refused("u/admin/checked", {"n": 2}, "argument `name` is required (expected string)")
        self.refused("u/admin/checked_ts", {}, "argument `count` is required (expected number)")

    def test_a_wrong_type_says_what_was_expected(self):
        self.refused("u/admin/checked", {"name": "x", "n": "two"},
                     "argument `n` should be integer, got string \"two\"")
        self.refused("u/admin/checked_ts", {"count": 1, "labels": "a"},
                     "argument `labels` should be array, got string \"a\"")
        self.refused("u/admin/enum_schema", {"mode": "medium"},
                     "argument `mode` should be one of \"fast\", \"slow\", got \"medium\"")

    def test_good_arguments_run_and_unknown_ones_are_ignored(self):
        r = sync_run(self.server, self.token, "u/admin/checked", {"name": "x", "extra": [1]})
        self.assertEqual((r.status, r.json()), (200, "x:1:a"), r)
        r = sync_run(self.server, self.token, "u/admin/checked_ts", {"count": 2, "labels": ["a"]})
        self.assertEqual((r.status, r.json()), (200, 3), r)

    def test_get_with_a_payload_is_checked_too(self):
        r = self.server.request("GET", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/checked"
                                f"?payload={quote(b64({'n': 1}))}", token=self.token)
        self.assertEqual((r.status, r.text),
                         (400, "Bad request: argument `name` is required (expected string)"), r)

    def test_a_flows_schema_checks_its_webhook(self):
        r = self.server.request("POST", f"/api/w/{WS}/flows/create", token=self.token, json_body={
            "path": "f/t/checked", "summary": "", "value": {"modules": [{"id": "a", "value": {
                "type": "rawscript", "language": "python3",
                "content": "def main(x: int):\n    return x * 2\n",
                "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.x"}}}}]},
            "schema": {"type": "object", "properties": {"x": {"type": "integer"}},
                       "required": ["x"]}})
        self.assertEqual(r.status, 201, r)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/f/f/t/checked",
                                json_body={"x": "2"}, token=self.token)
        self.assertEqual((r.status, r.text),
                         (400, "Bad request: argument `x` should be integer, got string \"2\""), r)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/f/f/t/checked",
                                json_body={"x": 2}, token=self.token)
        self.assertEqual((r.status, r.json()), (200, 4), r)


if __name__ == "__main__":
    unittest.main()
