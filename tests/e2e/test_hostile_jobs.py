"""Jobs that try to hurt the server, and clients that ask for what cannot be: each gets a
clear answer while the server stays up."""
import unittest

from harness import ServerTestCase, WS


class HostileJobsTest(ServerTestCase):
    def sync(self, path, args=None, query=""):
        return self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/{path}{query}",
                                   json_body=args or {}, token=self.token)

    def bash(self, path, content):
        self.server.create_script(self.token, path, content, language="bash")
        return self.sync(path)

    def tearDown(self):
        self.assertHealthy()

    def test_a_result_file_that_links_elsewhere_is_not_followed(self):
        r = self.bash("u/admin/link_out", "ln -s /etc/shadow result.out\n")
        self.assertEqual(r.status, 422, r)
        self.assertIn("a link is not followed", r.json()["error"]["message"])
        r = self.bash("u/admin/link_json", "ln -s /etc/passwd result.json\n")
        self.assertEqual(r.status, 422, r)

    def test_a_header_argument_beyond_any_number_is_not_an_argument(self):
        # Found by the signatures fuzz target: reading such a header threw out of the worker
        # (and out of scripts/create, when no schema was given).
        content = 'a="$1"\nb="$99999999999999999999"\necho "a=$a"\n'
        self.server.create_script(self.token, "u/admin/huge_index", content, language="bash")
        self.server.create_script(self.token, "u/admin/huge_index_schema", content,
                                  language="bash", schema={"type": "object", "properties": {}})
        for path in ("u/admin/huge_index", "u/admin/huge_index_schema"):
            r = self.sync(path, {"a": "x"})
            self.assertEqual((r.status, r.json()), (200, "a=x"), r)

    def test_a_result_fifo_fails_the_job_instead_of_hanging_a_worker(self):
        r = self.bash("u/admin/fifo", "mkfifo result.json\n")
        self.assertEqual(r.status, 422, r)
        self.assertIn("not a regular file", r.json()["error"]["message"])

    def test_a_job_that_closes_its_output_still_runs_to_the_end(self):
        r = self.bash("u/admin/quiet", "exec >/dev/null 2>&1\nsleep 0.3\necho -n done > result.out\n")
        self.assertEqual((r.status, r.json()), (200, "done"))

    def test_endless_logs_are_cut_with_a_marker(self):
        self.server.create_script(self.token, "u/admin/chatty",
                                  "def main():\n    import sys\n"
                                  "    for _ in range(20):\n"
                                  "        sys.stdout.write('x' * (1024 * 1024) + '\\n')\n"
                                  "    return 'ok'\n")
        r = self.sync("u/admin/chatty")
        self.assertEqual((r.status, r.json()), (200, "ok"))
        job = self.server.request("GET", f"/api/w/{WS}/jobs/list?script_path_exact=u/admin/chatty",
                                  token=self.token).json()[0]["id"]
        logs = self.server.request("GET", f"/api/w/{WS}/jobs_u/get_logs/{job}", token=self.token)
        self.assertIn("logs truncated", logs.text)
        self.assertLess(len(logs.body), 17 * 1024 * 1024)

    def test_a_result_asking_for_a_bodyless_status_gets_no_body(self):
        self.server.create_script(self.token, "u/admin/nocontent",
                                  "def main():\n    return {'wm_status_code': 204, 'result': 1}\n")
        r = self.sync("u/admin/nocontent")
        self.assertEqual((r.status, r.body), (204, b""))

    def test_a_result_with_an_injected_header_is_refused(self):
        self.server.create_script(
            self.token, "u/admin/inject",
            "def main():\n    return {'wm_headers': {'X-A': 'a\\r\\nSet-Cookie: x=1'}, 'result': 1}\n")
        r = self.sync("u/admin/inject")
        self.assertEqual(r.status, 500, r)
        self.assertNotIn("set-cookie", r.headers)

    def test_a_schedule_centuries_ahead_is_refused(self):
        self.server.create_script(self.token, "u/admin/later", "echo later\n", language="bash")
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/later"
                                "?scheduled_in_secs=10000000000", json_body={}, token=self.token)
        self.assertEqual(r.status, 400, r)
        self.assertTrue(r.text.startswith("Bad request: scheduled_in_secs"), r)


if __name__ == "__main__":
    unittest.main()
