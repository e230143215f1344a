"""A flow runs as its user, and so do its steps: a step that names a script or a flow its user
may not read fails as if nothing were there, whether the flow was saved or is a preview, and
nothing of that script runs. What the user may read (their own, a folder shared with them)
runs as before."""
import unittest

from harness import ServerTestCase, WS

SECRET = "def main():\n    print('the private script ran')\n    return 'secret'\n"


def step_flow(kind, path):
    return {"modules": [{"id": "a", "value": {"type": kind, "path": path, "input_transforms": {}}}]}


class FlowStepAccessTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.bob = s.add_member(cls.token, "bob@example.com", "bob-password-1")
        r = s.request("POST", f"/api/w/{WS}/folders/create", token=cls.token,
                      json_body={"name": "shared", "summary": "shared",
                                 "extra_perms": {"g/all": False}})
        assert r.status == 200, r
        s.create_script(cls.token, "u/admin/private", SECRET)
        s.create_script(cls.token, "f/shared/hello", "def main():\n    return 'shared hello'\n")
        s.create_script(cls.bob, "u/bob/mine", "def main():\n    return 'mine'\n")
        r = s.request("POST", f"/api/w/{WS}/flows/create", token=cls.token, json_body={
            "path": "u/admin/private_flow", "summary": "", "value": step_flow("script", "u/admin/private")})
        assert r.status == 201, r

    def save_and_run(self, token, path, value):
        r = self.server.request("POST", f"/api/w/{WS}/flows/create", token=token,
                                json_body={"path": path, "summary": "", "value": value})
        self.assertEqual(r.status, 201, r)
        return self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/f/{path}",
                                   json_body={}, token=token, timeout=60)

    def private_runs(self):
        r = self.server.request("GET", f"/api/w/{WS}/jobs/list?script_path_exact=u/admin/private",
                                token=self.token)
        return [j for j in r.json() if j.get("job_kind") == "script"]

    def test_a_members_flow_cannot_run_a_script_of_another_user(self):
        before = len(self.private_runs())
        r = self.save_and_run(self.bob, "u/bob/steal", step_flow("script", "u/admin/private"))
        self.assertEqual(r.status, 422, r)
        self.assertIn("script not found at path u/admin/private", r.text)
        self.assertNotIn("secret", r.text)
        self.assertEqual(len(self.private_runs()), before)

    def test_nor_a_flow_of_another_user_nor_through_a_preview(self):
        r = self.save_and_run(self.bob, "u/bob/steal_flow", step_flow("flow", "u/admin/private_flow"))
        self.assertEqual(r.status, 422, r)
        self.assertIn("flow not found at path u/admin/private_flow", r.text)
        before = len(self.private_runs())
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/preview_flow",
                                json_body={"value": step_flow("script", "u/admin/private")},
                                token=self.bob, timeout=60)
        self.assertEqual(r.status, 422, r)
        self.assertIn("script not found at path u/admin/private", r.text)
        self.assertEqual(len(self.private_runs()), before)

    def test_what_the_user_may_read_runs(self):
        value = {"modules": [
            {"id": "a", "value": {"type": "script", "path": "u/bob/mine", "input_transforms": {}}},
            {"id": "b", "value": {"type": "script", "path": "f/shared/hello", "input_transforms": {}}}]}
        r = self.save_and_run(self.bob, "u/bob/allowed", value)
        self.assertEqual((r.status, r.json()), (200, "shared hello"), r)
        # The admin reads everything: their flow runs their script.
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/f/u/admin/private_flow",
                                json_body={}, token=self.token, timeout=60)
        self.assertEqual((r.status, r.json()), (200, "secret"), r)


if __name__ == "__main__":
    unittest.main()
