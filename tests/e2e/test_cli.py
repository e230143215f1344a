"""`millrace serve`: flags and their environment variables, and the first start."""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import unittest

from harness import BIN, Server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CliTest(unittest.TestCase):
    def test_help_lists_every_flag_with_its_environment_variable(self):
        p = subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 0)
        for flag, env in [("--port", "PORT"), ("--data", "MILLRACE_DATA"),
                          ("--workers", "NUM_WORKERS"),
                          ("--timeout-wait-result", "TIMEOUT_WAIT_RESULT"),
                          ("--request-size-limit", "REQUEST_SIZE_LIMIT"),
                          ("--superadmin-secret", "SUPERADMIN_SECRET"),
                          ("--admin-password", "MILLRACE_ADMIN_PASSWORD"),
                          ("--job-user", "JOB_USER"), ("--base-url", "BASE_URL")]:
            self.assertRegex(p.stdout, rf"{re.escape(flag)} V\s+\[{env}\]")

    def test_an_unknown_flag_is_refused_with_the_usage(self):
        p = subprocess.run([BIN, "serve", "--nope"], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown flag --nope", p.stderr)

    def test_server_and_worker_modes_need_a_shared_database(self):
        # The command, or Windmill's MODE; the embedded SQLite database serves one process.
        env = {"PATH": "/usr/bin:/bin"}
        for argv, mode in ((["server"], None), (["worker"], None), ([], "worker"),
                           ([], "server")):
            run_env = dict(env, MODE=mode) if mode else env
            p = subprocess.run([BIN] + argv, capture_output=True, text=True, timeout=10,
                               env=run_env)
            name = argv[0] if argv else mode
            self.assertEqual(p.returncode, 2, (argv, mode, p.stderr))
            self.assertIn(f"millrace {name} shares a PostgreSQL database with other processes: "
                          "set DATABASE_URL", p.stderr)
        p = subprocess.run([BIN, "--help"], capture_output=True, text=True, timeout=10,
                           env=dict(env, MODE="nope"))
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage: millrace serve|server|worker", p.stdout)

    def test_port_and_data_come_from_the_environment(self):
        data = tempfile.mkdtemp(prefix="millrace-e2e-env-")
        shutil.rmtree(data)
        port = free_port()
        proc = subprocess.Popen([BIN, "serve"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                env={"PATH": "/usr/bin:/bin", "PORT": str(port),
                                     "MILLRACE_DATA": data, "MILLRACE_ADMIN_PASSWORD": "pw"})
        try:
            for line in proc.stdout:
                if line.startswith(b"listening on port "):
                    self.assertEqual(int(line.split()[-1]), port)
                    break
            self.assertTrue(os.path.exists(os.path.join(data, "millrace.db")))
            self.assertEqual(os.stat(data).st_mode & 0o777, 0o700)
        finally:
            proc.terminate()
            proc.wait(20)
            shutil.rmtree(data, ignore_errors=True)

    def test_first_start_prints_a_random_admin_password_once(self):
        server = Server(env={"MILLRACE_ADMIN_PASSWORD": ""})
        try:
            server.start()
            text = "".join(server.stdout_lines)
            m = re.search(r"password: (\S+)", text)
            self.assertIsNotNone(m, text)
            password = m.group(1)
            self.assertGreaterEqual(len(password), 16)
            token = server.login(password=password)
            r = server.request("GET", "/api/w/admins/users/whoami", token=token)
            self.assertEqual((r.status, r.json()["username"], r.json()["is_admin"]),
                             (200, "admin", True))
            server.restart()
            self.assertNotIn("password:", "".join(server.stdout_lines))
            server.login(password=password)  # still the same password
        finally:
            server.cleanup()

    def test_a_chosen_admin_password_is_never_printed(self):
        server = Server(env={"MILLRACE_ADMIN_PASSWORD": "chosen-secret-pw"})
        try:
            server.start()
            text = "".join(server.stdout_lines)
            self.assertIn("First start: created the superadmin.", text)
            self.assertNotIn("chosen-secret-pw", text)
            self.assertIn("password: the one in MILLRACE_ADMIN_PASSWORD", text)
            server.login(password="chosen-secret-pw")
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
