"""Flows: create, update (a version per save), get by path and by version, list, exists,
history, archive, delete, the audit trail, and the checks on what is sent (§6.3)."""
import unittest

from harness import WS, ServerTestCase

SCHEMA = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
          "order": ["x"], "properties": {"x": {"type": "integer", "description": ""}},
          "required": ["x"]}


def two_steps(multiplier=10):
    """The flow `wmill flow push` sends."""
    return {"modules": [
        {"id": "a", "summary": "add one", "value": {
            "type": "rawscript", "language": "python3",
            "content": "def main(x: int):\n    return x + 1\n",
            "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.x"}}}},
        {"id": "b", "summary": "times", "value": {
            "type": "rawscript", "language": "python3",
            "content": f"def main(y: int):\n    return y * {multiplier}\n",
            "input_transforms": {"y": {"type": "javascript", "expr": "results.a"}}}}]}


class FlowsApiTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bob = cls.server.add_member(cls.token, "bob@example.com", "bob-password")

    def call(self, method, route, body=None, token=None):
        return self.server.request(method, f"/api/w/{WS}/flows{route}", json_body=body,
                                   token=token or self.token)

    def create(self, path, value=None, token=None, **extra):
        body = {"path": path, "summary": extra.pop("summary", "two step test"),
                "description": extra.pop("description", ""), "value": value or two_steps(),
                "schema": extra.pop("schema", SCHEMA)}
        body.update(extra)
        return self.call("POST", "/create", body, token)

    def audit(self, operation, resource):
        r = self.server.request("GET", f"/api/w/{WS}/audit/list?operation={operation}"
                                f"&resource={resource}", token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_create_answers_201_with_the_path_and_get_returns_the_flow(self):
        r = self.create("f/test/two_step", skip_draft_deletion=True, tag="python-fast")
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.content_type.startswith("text/plain"), r.content_type)
        self.assertEqual(r.text, "f/test/two_step")
        f = self.call("GET", "/get/f/test/two_step").json()
        self.assertEqual(f["path"], "f/test/two_step")
        self.assertEqual(f["summary"], "two step test")
        self.assertEqual(f["value"], two_steps())
        self.assertEqual(f["schema"], SCHEMA)
        self.assertEqual(f["workspace_id"], WS)
        self.assertEqual(f["edited_by"], "admin")
        self.assertIs(f["archived"], False)
        self.assertEqual(f["tag"], "python-fast")  # other fields come back as sent
        self.assertNotIn("skip_draft_deletion", f)
        self.assertIsInstance(f["version_id"], int)
        self.assertEqual(len(self.audit("flows.create", "f/test/two_step")), 1)
        exists = self.call("GET", "/exists/f/test/two_step")
        self.assertEqual((exists.status, exists.json()), (200, True))
        self.assertIs(self.call("GET", "/exists/f/test/nothing").json(), False)

    def test_each_update_is_a_version_and_old_versions_stay_readable(self):
        self.assertEqual(self.create("f/test/versions").status, 201)
        first = self.call("GET", "/get/f/test/versions").json()["version_id"]
        r = self.call("POST", "/update/f/test/versions",
                      {"path": "f/test/versions", "summary": "now times 100",
                       "value": two_steps(100), "schema": SCHEMA,
                       "deployment_message": "multiply more"})
        self.assertEqual((r.status, r.text), (200, "f/test/versions"))
        latest = self.call("GET", "/get/f/test/versions").json()
        self.assertGreater(latest["version_id"], first)
        self.assertEqual(latest["value"], two_steps(100))
        old = self.call("GET", f"/get/v/{first}").json()
        self.assertEqual((old["value"], old["summary"]), (two_steps(), "two step test"))
        history = self.call("GET", "/history/p/f/test/versions").json()
        self.assertEqual([h["id"] for h in history], [latest["version_id"], first])
        self.assertEqual(history[0]["deployment_msg"], "multiply more")
        self.assertEqual(history[0]["created_by"], "admin")
        newest = self.call("GET", "/get_latest_version/f/test/versions").json()
        self.assertEqual(newest["id"], latest["version_id"])
        self.assertEqual(len(self.audit("flows.update", "f/test/versions")), 1)

    def test_update_may_rename_but_not_onto_another_flow(self):
        self.assertEqual(self.create("f/test/old_name").status, 201)
        self.assertEqual(self.create("f/test/taken").status, 201)
        body = {"path": "f/test/taken", "summary": "s", "value": two_steps()}
        r = self.call("POST", "/update/f/test/old_name", body)
        self.assertEqual(r.status, 400, r)
        self.assertIn("already exists", r.text)
        body["path"] = "f/test/new_name"
        self.assertEqual(self.call("POST", "/update/f/test/old_name", body).status, 200)
        self.assertEqual(self.call("GET", "/get/f/test/old_name").status, 404)
        self.assertEqual(self.call("GET", "/get/f/test/new_name").status, 200)

    def test_list_newest_first_with_path_start_and_archived(self):
        for name in ("list_a", "list_b"):
            self.assertEqual(self.create(f"f/listing/{name}").status, 201)
        paths = [f["path"] for f in self.call("GET", "/list?path_start=f/listing/").json()]
        self.assertEqual(paths, ["f/listing/list_b", "f/listing/list_a"])
        item = self.call("GET", "/list?path_start=f/listing/list_a").json()[0]
        self.assertNotIn("value", item)  # lists carry no definitions
        self.assertEqual(item["summary"], "two step test")
        r = self.call("POST", "/archive/f/listing/list_a", {"archived": True})
        self.assertEqual((r.status, r.text), (200, "Flow f/listing/list_a archived"))
        self.assertEqual([f["path"] for f in self.call("GET", "/list?path_start=f/listing/").json()],
                         ["f/listing/list_b"])
        archived = self.call("GET", "/list?path_start=f/listing/&show_archived=true").json()
        self.assertEqual([f["path"] for f in archived], ["f/listing/list_a"])
        self.assertIs(self.call("GET", "/get/f/listing/list_a").json()["archived"], True)
        self.assertEqual(len(self.audit("flows.archive", "f/listing/list_a")), 1)
        self.assertEqual(self.call("POST", "/archive/f/listing/list_a", {"archived": False}).text,
                         "Flow f/listing/list_a unarchived")
        self.assertEqual(self.call("GET", "/list?path_start=f/listing/&per_page=1").json()[0]["path"],
                         "f/listing/list_b")

    def test_delete_removes_the_flow_and_its_versions(self):
        self.assertEqual(self.create("f/test/doomed").status, 201)
        version = self.call("GET", "/get/f/test/doomed").json()["version_id"]
        r = self.call("DELETE", "/delete/f/test/doomed")
        self.assertEqual((r.status, r.text), (200, "Flow f/test/doomed deleted"))
        self.assertEqual(self.call("GET", "/get/f/test/doomed").status, 404)
        self.assertEqual(self.call("GET", f"/get/v/{version}").status, 404)
        self.assertEqual(self.call("DELETE", "/delete/f/test/doomed").status, 404)
        self.assertEqual(len(self.audit("flows.delete", "f/test/doomed")), 1)
        # The path is free again.
        self.assertEqual(self.create("f/test/doomed").status, 201)

    def test_unknown_flows_and_versions_are_404_in_words(self):
        r = self.call("GET", "/get/f/test/missing")
        self.assertEqual(r.status, 404, r)
        self.assertIn("f/test/missing", r.text)
        self.assertEqual(self.call("GET", "/get/v/999999").status, 404)
        self.assertEqual(self.call("GET", "/get/v/abc").status, 400)
        self.assertEqual(self.call("GET", "/history/p/f/test/missing").status, 404)
        self.assertEqual(self.call("POST", "/update/f/test/missing",
                                   {"path": "f/test/missing", "summary": "s",
                                    "value": two_steps()}).status, 404)
        self.assertEqual(self.call("POST", "/archive/f/test/missing", {}).status, 404)

    def test_a_second_create_at_a_path_is_refused(self):
        self.assertEqual(self.create("f/test/once").status, 201)
        r = self.create("f/test/once")
        self.assertEqual(r.status, 400, r)
        self.assertIn("already exists", r.text)

    def test_malformed_flows_are_refused_and_say_where(self):
        cases = [
            ({"summary": "s", "value": two_steps()}, 422, "missing field `path`"),
            ({"path": "nope", "summary": "s", "value": two_steps()}, 400, "invalid path"),
            ({"path": "f/bad/a", "value": two_steps()}, 422, "missing field `summary`"),
            ({"path": "f/bad/a", "summary": "s"}, 422, "missing field `value`"),
            ({"path": "f/bad/a", "summary": "s", "value": {}}, 422, "missing field `modules`"),
            ({"path": "f/bad/a", "summary": "s", "value": {"modules": {}}}, 422, "array"),
            ({"path": "f/bad/a", "summary": "s", "value": {"modules": [{"value": {"type": "identity"}}]}},
             422, "value.modules[0]: missing field `id`"),
            ({"path": "f/bad/a", "summary": "s", "value": {"modules": [{"id": "a", "value": {"type": "teleport"}}]}},
             422, "unknown variant `teleport`"),
            ({"path": "f/bad/a", "summary": "s", "value": {"modules": [
                {"id": "loop", "value": {"type": "forloopflow", "skip_failures": False,
                                         "modules": [{"id": "x", "value": {}}]}}]}},
             422, "value.modules[0].value.modules[0]"),
            ({"path": "f/bad/a", "summary": "s", "value": two_steps(), "schema": []}, 422, "schema"),
        ]
        for body, status, words in cases:
            with self.subTest(words=words):
                r = self.call("POST", "/create", body)
                self.assertEqual(r.status, status, r)
                self.assertIn(words, r.text)
        r = self.server.request("POST", f"/api/w/{WS}/flows/create", body="{not json",
                                headers={"Content-Type": "application/json"}, token=self.token)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.call("GET", "/exists/f/bad/a").json(), False)

    def test_members_write_only_under_their_own_user_folder(self):
        self.assertEqual(self.create("u/bob/mine", token=self.bob).status, 201)
        r = self.create("u/admin/not_bobs", token=self.bob)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.call("DELETE", "/delete/u/admin/not_bobs", token=self.bob).status, 403)

    def test_a_token_without_flow_scopes_cannot_read_or_write_flows(self):
        token = self.server.create_token(self.token, label="scripts-only", scopes=["scripts:read"])
        self.assertEqual(self.call("GET", "/list", token=token).status, 403)
        reader = self.server.create_token(self.token, label="flows-reader", scopes=["flows:read"])
        self.assertEqual(self.call("GET", "/list", token=reader).status, 200)
        self.assertIn(self.create("f/test/by_reader", token=reader).status, (401, 403))


if __name__ == "__main__":
    unittest.main()
