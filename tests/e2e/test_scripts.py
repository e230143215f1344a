"""Scripts: create, read, list, history, archive, versioning rules and hash pinning (§4)."""
import json
import unittest

from harness import WS, ServerTestCase

HEX16 = r"^[0-9a-f]{16}$"


def py_returning(value):
    return f"def main():\n    return {value!r}\n"


class ScriptsTest(ServerTestCase):
    def create(self, body, query="", token=None, headers=None):
        return self.server.request("POST", f"/api/w/{WS}/scripts/create{query}", json_body=body,
                                   token=token or self.token, headers=headers)

    def new_script(self, path, content="def main():\n    return 1\n", language="python3", **extra):
        body = {"path": path, "summary": extra.pop("summary", "s"), "content": content,
                "language": language}
        body.update(extra)
        return self.create(body)

    def get(self, path, expect=200):
        r = self.server.request("GET", f"/api/w/{WS}{path}", token=self.token)
        self.assertEqual(r.status, expect, r)
        return r

    # --- create and read ---------------------------------------------------------------------

    def test_create_answers_201_text_16_hex_hash(self):
        r = self.new_script("u/admin/created")
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.content_type.startswith("text/plain"), r.content_type)
        self.assertRegex(r.text, HEX16)

    def test_a_bash_script_of_one_long_line_is_read_not_a_crash(self):
        # Its header was read with a regex that recursed once per character. A million of them
        # (just under SCRIPT_SIZE_LIMIT's default, 1 MiB).
        value = "v" * 1_000_000
        r = self.new_script("u/admin/long_line", f'x="${{1:-{value}}}"\necho "${{#x}}"\n',
                            language="bash")
        self.assertEqual(r.status, 201, r)
        self.assertHealthy()
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/long_line",
                                json_body={}, token=self.token, timeout=60)
        self.assertEqual((r.status, r.json()), (200, "1000000"), r)

    def test_deeply_nested_signatures_are_saved_not_a_crash(self):
        # Each level of a type or a default was a recursion when the schema was inferred.
        n = 100_000
        for path, language, content in [
                ("u/admin/deep_list", "python3",
                 "def main(x: " + "list[" * n + "int" + "]" * n + "):\n    return 1\n"),
                ("u/admin/deep_default", "python3",
                 "def main(x = " + "[" * n + "]" * n + "):\n    return 1\n"),
                ("u/admin/deep_array", "bun",
                 "export function main(x: string" + "[]" * n + ") { return 1 }\n")]:
            with self.subTest(path=path):
                r = self.new_script(path, content, language=language)
                self.assertEqual(r.status, 201, r)
                self.assertHealthy()

    def test_get_by_path_and_by_hash_return_the_script(self):
        content = "def main(x: int = 1):\n    return x\n"
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                  "properties": {"x": {"type": "integer", "default": 1}}, "required": []}
        r = self.new_script("u/admin/getme", content, summary="Get me", description="desc",
                            schema=schema)
        self.assertEqual(r.status, 201, r)
        h = r.text
        for route in ("/scripts/get/p/u/admin/getme", f"/scripts/get/h/{h}"):
            o = self.get(route).json()
            self.assertEqual(o["hash"], h)
            self.assertEqual(o["path"], "u/admin/getme")
            self.assertEqual(o["content"], content)
            self.assertEqual(o["language"], "python3")
            self.assertEqual(o["summary"], "Get me")
            self.assertEqual(o["description"], "desc")
            self.assertEqual(o["schema"], schema)
            self.assertEqual(o["workspace_id"], WS)
            self.assertEqual(o["created_by"], "admin")
            self.assertIs(o["archived"], False)
            self.assertIs(o["deleted"], False)
            self.assertEqual(o["kind"], "script")
            self.assertIsNone(o["parent_hashes"])
            for f in ("created_at", "extra_perms", "lock", "lock_error_logs", "is_template", "tag"):
                self.assertIn(f, o)

    def test_raw_by_path_and_hash_return_content_text(self):
        # Windmill's raw routes take the path with its language extension (.py/.ts/.go/.sh) and
        # the hash with a .ts suffix (both are how module imports reach them).
        content = "echo raw\n"
        h = self.new_script("u/admin/rawme", content, language="bash").text
        for route in ("/scripts/raw/p/u/admin/rawme.sh", f"/scripts/raw/h/{h}.ts"):
            with self.subTest(route=route):
                r = self.get(route)
                self.assertEqual(r.text, content)
                self.assertTrue(r.content_type.startswith("text/plain"), r.content_type)

    def test_exists_is_json_true_or_false(self):
        self.new_script("u/admin/exists_yes")
        r = self.get("/scripts/exists/p/u/admin/exists_yes")
        self.assertEqual((r.content_type, r.json()), ("application/json", True))
        r = self.get("/scripts/exists/p/u/admin/exists_no")
        self.assertEqual(r.json(), False)

    def test_get_unknown_path_is_404(self):
        r = self.get("/scripts/get/p/u/admin/nope", expect=404)
        self.assertTrue(r.text.lower().startswith("not found: script not found at name u/admin/nope"), r)
        r = self.get("/scripts/get/h/0123456789abcdef", expect=404)

    def test_list_filters_by_path_start(self):
        for p in ("f/listing/one", "f/listing/two", "f/listother/three"):
            self.assertEqual(self.new_script(p).status, 201)
        paths = [s["path"] for s in self.get("/scripts/list?path_start=f/listing/").json()]
        self.assertEqual(sorted(paths), ["f/listing/one", "f/listing/two"])
        everything = self.get("/scripts/list").json()
        self.assertTrue({"f/listing/one", "f/listother/three"} <= {s["path"] for s in everything})
        for s in everything:
            for f in ("hash", "path", "summary", "created_at", "archived", "extra_perms",
                      "language", "starred", "kind"):
                self.assertIn(f, s)

    def test_list_hides_archived_and_show_archived_lists_only_archived(self):
        # Windmill: show_archived=true lists the paths whose newest version is archived, and
        # only those; without it only non-archived versions are listed.
        self.assertEqual(self.new_script("f/arch/gone").status, 201)
        self.assertEqual(self.new_script("f/arch/kept").status, 201)
        r = self.server.request("POST", f"/api/w/{WS}/scripts/archive/p/f/arch/gone", token=self.token)
        self.assertEqual(r.status, 200, r)
        visible = {s["path"] for s in self.get("/scripts/list?path_start=f/arch/").json()}
        self.assertEqual(visible, {"f/arch/kept"})
        listed = self.get("/scripts/list?path_start=f/arch/&show_archived=true").json()
        self.assertEqual([(s["path"], s["archived"]) for s in listed], [("f/arch/gone", True)])

    def test_archive_marks_script_archived(self):
        self.assertEqual(self.new_script("u/admin/to_archive").status, 201)
        r = self.server.request("POST", f"/api/w/{WS}/scripts/archive/p/u/admin/to_archive",
                                token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertIs(self.get("/scripts/get/p/u/admin/to_archive").json()["archived"], True)
        self.assertEqual(self.get("/scripts/exists/p/u/admin/to_archive").json(), True)

    def test_archived_path_can_be_created_again_without_parent(self):
        self.assertEqual(self.new_script("u/admin/reborn").status, 201)
        self.server.request("POST", f"/api/w/{WS}/scripts/archive/p/u/admin/reborn", token=self.token)
        r = self.new_script("u/admin/reborn", "def main():\n    return 2\n")
        self.assertEqual(r.status, 201, r)

    # --- versioning ---------------------------------------------------------------------------

    def test_path_conflict_without_parent_hash_is_400(self):
        h = self.new_script("u/admin/conflict").text
        r = self.new_script("u/admin/conflict", "def main():\n    return 2\n")
        self.assertEqual((r.status, r.text),
                         (400, f"Bad request: Path conflict for u/admin/conflict with non-archived hash {h}"))

    def test_parent_hash_creates_version_and_archives_parent(self):
        v1 = self.new_script("u/admin/versioned", py_returning("v1")).text
        r = self.new_script("u/admin/versioned", py_returning("v2"), parent_hash=v1)
        self.assertEqual(r.status, 201, r)
        v2 = r.text
        self.assertNotEqual(v1, v2)
        old = self.get(f"/scripts/get/h/{v1}").json()
        self.assertIs(old["archived"], True)
        new = self.get("/scripts/get/p/u/admin/versioned").json()
        self.assertEqual(new["hash"], v2)
        self.assertIs(new["archived"], False)
        self.assertEqual(new["parent_hashes"], [v1])
        hist = self.get("/scripts/history/p/u/admin/versioned").json()
        self.assertEqual([x["script_hash"] for x in hist], [v2, v1])  # newest first
        for x in hist:
            self.assertIn("created_at", x)
            self.assertIn("deployment_msg", x)

    def test_parent_from_another_path_onto_occupied_path_is_path_conflict(self):
        occupied = self.new_script("u/admin/occupied", py_returning("a")).text
        other = self.new_script("u/admin/mover", py_returning("b")).text
        r = self.new_script("u/admin/occupied", py_returning("c"), parent_hash=other)
        self.assertEqual((r.status, r.text),
                         (400, f"Bad request: Path conflict for u/admin/occupied with non-archived hash {occupied}"))
        self.assertEqual(self.get("/scripts/get/p/u/admin/occupied").json()["hash"], occupied)

    def test_parent_hash_that_does_not_exist_is_400(self):
        self.new_script("u/admin/orphan")
        r = self.new_script("u/admin/orphan", py_returning(2), parent_hash="00000000deadbeef")
        self.assertEqual((r.status, r.text), (400, "Bad request: The parent hash does not seem to exist"))

    def test_second_child_of_same_parent_is_400_linear_lineage(self):
        v1 = self.new_script("u/admin/lineage", py_returning(1)).text
        self.assertEqual(self.new_script("u/admin/lineage", py_returning(2), parent_hash=v1).status, 201)
        r = self.new_script("u/admin/lineage", py_returning(3), parent_hash=v1)
        self.assertEqual(r.status, 400, r)
        self.assertIn("lineage must be linear", r.text)

    def test_same_hash_twice_is_400(self):
        # auto_parent pointing at itself is impossible; re-creating identical content on an
        # archived path yields a different parent, so use an archived head with no parent.
        body = {"path": "u/admin/dup", "summary": "", "content": py_returning(1),
                "language": "python3"}
        self.assertEqual(self.create(body).status, 201)
        self.server.request("POST", f"/api/w/{WS}/scripts/archive/p/u/admin/dup", token=self.token)
        r = self.create(body)
        self.assertEqual(r.status, 400, r)
        self.assertIn("same hash", r.text)

    def test_skip_if_noop_with_identical_content_returns_parent_hash(self):
        content = py_returning("same")
        v1 = self.new_script("u/admin/noop", content).text
        r = self.create({"path": "u/admin/noop", "summary": "s", "content": content,
                         "language": "python3", "parent_hash": v1}, query="?skip_if_noop=true")
        self.assertEqual((r.status, r.text), (201, v1))
        hist = self.get("/scripts/history/p/u/admin/noop").json()
        self.assertEqual([x["script_hash"] for x in hist], [v1])
        self.assertIs(self.get(f"/scripts/get/h/{v1}").json()["archived"], False)
        # A real change still makes a version.
        r = self.create({"path": "u/admin/noop", "summary": "s", "content": py_returning("new"),
                         "language": "python3", "parent_hash": v1}, query="?skip_if_noop=true")
        self.assertEqual(r.status, 201, r)
        self.assertNotEqual(r.text, v1)

    def test_auto_parent_uses_current_head(self):
        v1 = self.new_script("u/admin/auto", py_returning(1)).text
        r = self.new_script("u/admin/auto", py_returning(2), auto_parent=True)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.get("/scripts/get/p/u/admin/auto").json()["parent_hashes"], [v1])

    # --- validation -------------------------------------------------------------------------------

    def test_invalid_paths_are_400(self):
        for path in ("hello", "u/admin", "x/a/b", "u/admin/has space", "u/admin/dot.py",
                     "u//x", "u/admin/", "/u/admin/x", "u/admin/a@b"):
            with self.subTest(path=path):
                r = self.new_script(path)
                self.assertEqual(r.status, 400, r)
                self.assertTrue(r.text.startswith("Bad request: "), r)

    def test_valid_deep_and_folder_paths_are_accepted(self):
        for path in ("f/folder/sub/x", "u/admin/with-dash_and_underscore", "g/group/x"):
            with self.subTest(path=path):
                self.assertEqual(self.new_script(path).status, 201)

    def test_missing_field_is_422(self):
        for missing in ("path", "summary", "content", "language"):
            with self.subTest(missing=missing):
                body = {"path": "u/admin/missing", "summary": "", "content": "x",
                        "language": "bash"}
                del body[missing]
                r = self.create(body)
                self.assertEqual(r.status, 422, r)

    def test_text_plain_content_type_is_415(self):
        r = self.server.request("POST", f"/api/w/{WS}/scripts/create", token=self.token,
                                body=json.dumps({"path": "u/admin/ct", "summary": "",
                                                 "content": "x", "language": "bash"}),
                                headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 415, r)

    def test_invalid_json_is_400(self):
        r = self.server.request("POST", f"/api/w/{WS}/scripts/create", token=self.token,
                                body='{"path": "u/admin/bad", ', headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400, r)

    def test_unknown_language_is_422(self):
        r = self.new_script("u/admin/cobol", "x", language="cobol")
        self.assertEqual(r.status, 422, r)
        self.assertFalse(self.get("/scripts/exists/p/u/admin/cobol").json())

    # --- hash pinning ------------------------------------------------------------------------------

    def test_run_by_hash_keeps_running_the_old_version(self):
        s = self.server
        v1 = self.new_script("u/admin/pinned", py_returning("old")).text
        v2 = self.new_script("u/admin/pinned", py_returning("new"), parent_hash=v1).text
        job_old = s.request("POST", f"/api/w/{WS}/jobs/run/h/{v1}", json_body={}, token=self.token)
        self.assertEqual(job_old.status, 201, job_old)
        job_new = s.run_async(self.token, "u/admin/pinned")
        old = s.wait_job(self.token, job_old.text)
        new = s.wait_job(self.token, job_new)
        self.assertEqual((old["result"], old["script_hash"]), ("old", v1))
        self.assertEqual((new["result"], new["script_hash"]), ("new", v2))
        r = s.request("POST", f"/api/w/{WS}/jobs/run_wait_result/h/{v1}", json_body={}, token=self.token)
        self.assertEqual((r.status, r.json()), (200, "old"))
        r = s.request("POST", f"/api/w/{WS}/jobs/run_wait_result/h/{v2}", json_body={}, token=self.token)
        self.assertEqual((r.status, r.json()), (200, "new"))
        r = s.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/pinned", json_body={},
                      token=self.token)
        self.assertEqual((r.status, r.json()), (200, "new"))

    def test_run_unknown_path_or_hash_is_404(self):
        s = self.server
        r = s.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/does_not_exist", json_body={},
                      token=self.token)
        self.assertEqual(r.status, 404, r)
        self.assertTrue(r.text.startswith("Not found: script not found at name u/admin/does_not_exist"), r)
        r = s.request("POST", f"/api/w/{WS}/jobs/run/h/0123456789abcdef", json_body={},
                      token=self.token)
        self.assertEqual(r.status, 404, r)


if __name__ == "__main__":
    unittest.main()
