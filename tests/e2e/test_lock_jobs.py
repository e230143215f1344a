"""Dependency (lock) jobs as `wmill generate-metadata` and `wmill sync push` start them: Cookie
auth, a job id answered at once, and a result shaped as the CLI reads it."""
import unittest

from e2e_util import poll
from harness import ServerTestCase, WS


class LockJobsTest(ServerTestCase):
    def wait_result(self, job):
        def done():
            r = self.server.request("GET", f"/api/w/{WS}/jobs_u/completed/get_result_maybe/{job}"
                                    "?get_started=false", token=self.token)
            self.assertEqual(r.status, 200, r)
            return r.json() if r.json()["completed"] else None
        return poll(done, timeout=20, what=f"lock job {job} to complete")

    def test_dependencies_job_with_cookie_auth_completes_with_an_empty_lock(self):
        body = {"raw_scripts": [{"raw_code": "def main():\n    return 1\n", "language": "python3",
                                 "script_path": "f/test/x"}],
                "raw_workspace_dependencies": None, "entrypoint": "f/test/x",
                "temp_script_refs": None}
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/dependencies_async",
                                json_body=body, headers={"Cookie": f"token={self.token}"})
        self.assertEqual(r.status, 201, r)
        done = self.wait_result(r.text.strip())
        self.assertEqual((done["success"], done["result"]), (True, {"lock": ""}))

    def test_flow_dependencies_job_returns_the_flow_value_unchanged(self):
        flow = {"modules": [{"id": "a", "value": {"type": "identity"}}]}
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/flow_dependencies_async",
                                json_body={"flow_value": flow, "path": "f/test/flow"},
                                token=self.token)
        self.assertEqual(r.status, 201, r)
        done = self.wait_result(r.text.strip())
        self.assertEqual(done["result"], {"updated_flow_value": flow})

    def test_lock_job_without_a_token_is_401(self):
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/dependencies_async",
                                json_body={"raw_scripts": []})
        self.assertEqual((r.status, r.text), (401, "Unauthorized"))

    def test_lock_job_is_audited(self):
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/dependencies_async",
                                json_body={"entrypoint": "f/test/audited"}, token=self.token)
        self.assertEqual(r.status, 201, r)
        rows = self.server.request("GET", f"/api/w/{WS}/audit/list?operation=jobs.run.dependencies",
                                   token=self.token).json()
        self.assertTrue(any(row["resource"] == "f/test/audited" and
                            row["parameters"]["uuid"] == r.text for row in rows), rows)


class WaitedLockJobTest(ServerTestCase):
    """No worker takes the job: the caller of jobs/run/dependencies waits as long as a sync
    webhook would (TIMEOUT_WAIT_RESULT), then gets Windmill's 500 and the job is canceled."""

    server_env = {"NUM_WORKERS": "0", "TIMEOUT_WAIT_RESULT": "1"}

    def test_a_waited_lock_job_times_out_like_a_sync_webhook_and_is_canceled(self):
        body = {"raw_scripts": [{"raw_code": "import yaml\n", "language": "python3",
                                 "script_path": "f/test/x"}], "entrypoint": "f/test/x"}
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/dependencies", json_body=body,
                                token=self.token, timeout=30)
        self.assertEqual((r.status, r.text), (500, "timeout after 1s"))

        def canceled():
            jobs = self.server.request("GET", f"/api/w/{WS}/jobs/completed/list"
                                       "?job_kinds=dependencies", token=self.token).json()
            return jobs if jobs and jobs[0]["canceled"] else None
        # The cancel is written after the answer is sent: wait for it rather than race it.
        poll(canceled, timeout=20, what="the timed-out lock job to be canceled")


if __name__ == "__main__":
    unittest.main()
