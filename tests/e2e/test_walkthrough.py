"""The README's walkthrough, as a test: log in, save a script, call its async webhook, fetch the
result, call its sync webhook."""
import unittest

from harness import ServerTestCase, WS


class WalkthroughTest(ServerTestCase):
    def test_save_run_async_fetch_result_run_sync(self):
        s = self.server
        h = s.create_script(self.token, "u/admin/hello",
                            "def main(name: str = 'world'):\n    return f'hello {name}'\n")
        self.assertRegex(h, r"^[0-9a-f]{16}$")
        job = s.run_async(self.token, "u/admin/hello", {"name": "bob"})
        done = s.wait_job(self.token, job)
        self.assertTrue(done["success"])
        r = s.request("GET", f"/api/w/{WS}/jobs_u/completed/get_result/{job}", token=self.token)
        self.assertEqual((r.status, r.content_type, r.json()), (200, "application/json", "hello bob"))
        r = s.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/hello",
                      json_body={"name": "sync"}, token=self.token)
        self.assertEqual((r.status, r.json()), (200, "hello sync"))


if __name__ == "__main__":
    unittest.main()
