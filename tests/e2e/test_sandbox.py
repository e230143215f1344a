"""Jobs cannot reach the server's secrets: when the server runs as root, jobs run as an
unprivileged user (JOB_USER, `nobody` by default) that cannot read the data folder."""
import os
import pwd
import subprocess
import unittest

from harness import BIN, PG_BASE, Server, WS

AS_ROOT = os.geteuid() == 0


def sync(server, token, path, args=None):
    return server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/{path}",
                          json_body=args or {}, token=token)


@unittest.skipUnless(AS_ROOT, "the job user applies when the server runs as root")
class JobUserTest(unittest.TestCase):
    def setUp(self):
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()

    def start(self, env=None):
        s = Server(env=env).start()
        self.servers.append(s)
        return s, s.login()

    def test_jobs_run_as_nobody_by_default(self):
        s, token = self.start()
        s.create_script(token, "u/admin/whoami", "id -u\n", language="bash")
        r = sync(s, token, "u/admin/whoami")
        self.assertEqual((r.status, r.json()), (200, str(pwd.getpwnam("nobody").pw_uid)))

    def test_a_job_cannot_read_the_servers_database(self):
        s, token = self.start()
        if PG_BASE:
            # The data is in PostgreSQL: the way to it (DATABASE_URL) must not reach a job.
            s.create_script(token, "u/admin/env_url", "def main():\n    import os\n"
                                                      "    return os.environ.get('DATABASE_URL')\n")
            r = sync(s, token, "u/admin/env_url")
            self.assertEqual((r.status, r.json()), (200, None), r)
            return
        db = os.path.join(s.data_dir, "millrace.db")
        self.assertTrue(os.path.exists(db))
        s.create_script(token, "u/admin/steal", f'head -c 16 "{db}"\n', language="bash")
        r = sync(s, token, "u/admin/steal")
        self.assertEqual(r.status, 422, r)
        self.assertIn("Permission denied", r.json()["error"]["message"])
        s.create_script(token, "u/admin/steal_py",
                        f"def main():\n    return open({db!r}, 'rb').read(16).hex()\n")
        r = sync(s, token, "u/admin/steal_py")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["error"]["name"], "PermissionError")

    def test_job_user_dash_runs_jobs_as_the_servers_user(self):
        s, token = self.start({"JOB_USER": "-"})
        s.create_script(token, "u/admin/whoami", "id -u\n", language="bash")
        self.assertEqual(sync(s, token, "u/admin/whoami").json(), "0")

    def test_an_unknown_job_user_stops_the_server_with_a_clear_error(self):
        p = subprocess.run([BIN, "serve", "--port", "0", "--data", "/tmp/millrace-e2e-nouser",
                            "--job-user", "no-such-user-here"],
                           env={"PATH": "/usr/bin:/bin", "MILLRACE_ADMIN_PASSWORD": "x"},
                           capture_output=True, timeout=30)
        subprocess.run(["rm", "-rf", "/tmp/millrace-e2e-nouser"])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"JOB_USER no-such-user-here does not exist", p.stderr)


if __name__ == "__main__":
    unittest.main()
