"""End-to-end harness: starts the real millrace binary on a free port with a temporary data
folder and talks HTTP to it. Standard library only (runs with Debian's /usr/bin/python3).

The binary comes from $MILLRACE_BIN (CTest sets it), else build/millrace.
"""
import atexit
import base64
import http.client
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("MILLRACE_BIN", os.path.join(ROOT, "build", "millrace"))
# Set (by `make test`) to a PostgreSQL database URL: every server then keeps its data in a
# database of its own on that cluster instead of the SQLite file (the same tests, both backends).
PG_BASE = os.environ.get("MILLRACE_E2E_POSTGRES")
# Jobs run sandboxed (the tests run as root): they see none of the host's files but this one
# folder, which every server of the tests shares with its jobs (JOB_EXTRA_MOUNTS), so that a test
# can hand a job files and watch what it does. Folders for that are made in it.
# (Not under /tmp: each job has a /tmp of its own.)
SHARED_ROOT = tempfile.mkdtemp(prefix="millrace-e2e-shared-", dir="/var/tmp")
os.chmod(SHARED_ROOT, 0o1777)
atexit.register(shutil.rmtree, SHARED_ROOT, True)

ADMIN_EMAIL = "admin@windmill.dev"
ADMIN_PASSWORD = "e2e-admin-password"
WS = "admins"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    @property
    def content_type(self):
        return self.headers.get("content-type", "")

    def __repr__(self):
        return f"<Response {self.status} {self.content_type} {self.text[:300]!r}>"


def shared_folder(prefix):
    """A new folder jobs can write into (see SHARED_ROOT). Each job runs as a uid of its own, so
    whatever one job makes there, the others may change too: a default ACL gives everything
    made in it rwx for all, whatever the job's umask."""
    path = tempfile.mkdtemp(prefix=prefix, dir=SHARED_ROOT)
    os.chmod(path, 0o777)
    # posix_acl_default, version 2: user::rwx, group::rwx, other::rwx.
    acl = b"".join([(2).to_bytes(4, "little")] +
                   [tag.to_bytes(2, "little") + (7).to_bytes(2, "little") +
                    (0xFFFFFFFF).to_bytes(4, "little") for tag in (0x01, 0x04, 0x20)])
    try:
        os.setxattr(path, "system.posix_acl_default", acl)
    except OSError:
        pass  # no ACLs on this file system: steps of different uids cannot share files
    return path


def postgres_database_for(data_dir):
    """A database on the tests' cluster named after a data folder (so a server started again
    on the same folder finds its data), created if new."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in os.path.basename(data_dir)).lower()
    exists = subprocess.run(["psql", PG_BASE, "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                            capture_output=True, text=True, check=True).stdout.strip()
    if not exists:
        subprocess.run(["psql", PG_BASE, "-qc", f'CREATE DATABASE "{name}"'],
                       capture_output=True, check=True)
    return PG_BASE.rsplit("/", 1)[0] + "/" + name


class Server:
    """One millrace process. Keeps its data folder across restart() and kill9().
    `command`: serve (the default), server (API only) or worker (no HTTP; shares a PostgreSQL
    database with servers)."""

    def __init__(self, env=None, args=None, data_dir=None, command="serve"):
        self.command = command
        self.node = None  # a worker node's id, as it prints it
        self.own_data = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="millrace-e2e-")
        self.job_dir = tempfile.mkdtemp(prefix="millrace-e2e-jobs-")
        self.env = dict(env or {})
        self.env.setdefault("JOB_EXTRA_MOUNTS", SHARED_ROOT)
        self.args = list(args or [])
        self.proc = None
        self.port = None
        self.stdout_lines = []
        self.log_path = os.path.join(self.data_dir, "server.log")
        if PG_BASE and "DATABASE_URL" not in self.env:
            self.env["DATABASE_URL"] = postgres_database_for(self.data_dir)
        if PG_BASE:
            # A node that was killed is restarted from in about two safety polls: a second
            # instead of five keeps the crash tests short.
            self.env.setdefault("SAFETY_POLL_MS", "1000")

    def start(self, timeout=60):
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": self.data_dir,
            "MILLRACE_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "MILLRACE_QUIET": "1",
        }
        env.update(self.env)
        cmd = [BIN, self.command, "--data", self.data_dir, "--job-dir", self.job_dir]
        if self.command != "worker":
            cmd += ["--port", "0", "--bind", "127.0.0.1"]
        cmd += self.args
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=self.log,
                                     start_new_session=True)
        deadline = time.time() + timeout
        self.stdout_lines = []
        # Read from the descriptor with a deadline: a server that hangs before it prints fails
        # the start after `timeout` instead of blocking the test for ever.
        fd = self.proc.stdout.fileno()
        pending = b""
        started = False
        while not started:
            while b"\n" not in pending:
                ready, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
                if not ready:
                    raise RuntimeError("server did not start in time: " + self.tail_log())
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise RuntimeError("server exited before listening: " + self.tail_log())
                pending += chunk
            raw, pending = pending.split(b"\n", 1)
            line = raw.decode(errors="replace") + "\n"
            self.stdout_lines.append(line)
            if line.startswith("listening on port "):
                self.port = int(line.split()[-1])
                started = True
            if line.startswith("millrace worker node "):
                self.node = line.split()[3].rstrip(":")
            if line.startswith("worker ready"):
                started = True
        self.stdout_lines += [l + "\n" for l in pending.decode(errors="replace").splitlines()]
        # Keep draining stdout so the server never blocks on a full pipe.
        import threading
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _drain(self):
        proc = self.proc
        for line in proc.stdout:
            self.stdout_lines.append(line.decode(errors="replace"))

    def tail_log(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def sandboxed(self):
        """Whether this server's jobs run sandboxed (as root, unless JOB_SANDBOX=off)."""
        return os.geteuid() == 0 and self.env.get("JOB_SANDBOX", "auto") != "off"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def report_crash(self):
        """Prints the server's log when it died on its own (a crash, an ASan report)."""
        if self.proc is not None and self.proc.poll() not in (None, 0):
            import sys
            sys.stderr.write(f"\n--- millrace exited with {self.proc.returncode}; its log:\n"
                             + self.tail_log(20000) + "\n---\n")

    def stop(self, timeout=20):
        self.report_crash()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._close_pipe()
        self.proc = None
        self._close_log()

    def _close_pipe(self):
        if self.proc is not None and self.proc.stdout is not None:
            try:
                self.proc.stdout.close()
            except (OSError, ValueError):
                pass  # the drain thread may be reading it

    def _close_log(self):
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._close_pipe()
        self.proc = None
        self._close_log()

    def restart(self):
        self.stop()
        return self.start()

    def cleanup(self):
        self.stop()
        if self.own_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self.job_dir, ignore_errors=True)

    # --- HTTP ---------------------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, token=None, json_body=None,
                timeout=60):
        """One request on a fresh connection. `body` is bytes/str sent as is; `json_body` is
        serialized with Content-Type: application/json."""
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
            headers.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def raw(self, data, timeout=10):
        """Sends raw bytes on a socket and returns everything read until the server closes or
        the timeout passes (for malformed HTTP)."""
        import socket
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
            chunks = []
            while True:
                try:
                    c = s.recv(65536)
                except socket.timeout:
                    break
                if not c:
                    break
                chunks.append(c)
                if b"\r\n\r\n" in b"".join(chunks) and b"Connection: close" not in b"".join(chunks):
                    # A complete answer on a kept-alive connection: stop after its body.
                    head, _, rest = b"".join(chunks).partition(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            length = int(line.split(b":")[1])
                    if len(rest) >= length:
                        break
            return b"".join(chunks)
        finally:
            s.close()

    def login(self, email=ADMIN_EMAIL, password=ADMIN_PASSWORD):
        r = self.request("POST", "/api/auth/login", json_body={"email": email, "password": password})
        assert r.status == 200, r
        return r.text

    # --- conveniences -------------------------------------------------------------------

    def create_script(self, token, path, content, language="python3", ws=WS, **extra):
        body = {"path": path, "summary": extra.pop("summary", ""), "content": content,
                "language": language}
        body.update(extra)
        r = self.request("POST", f"/api/w/{ws}/scripts/create", json_body=body, token=token)
        assert r.status == 201, r
        return r.text

    def add_member(self, token, email, password, ws=WS, is_admin=False):
        """Creates a user, adds it to the workspace, and answers its session token."""
        r = self.request("POST", "/api/users/create", token=token,
                         json_body={"email": email, "password": password, "super_admin": False,
                                    "name": email.split("@")[0].title()})
        assert r.status == 201, r
        r = self.request("POST", f"/api/w/{ws}/workspaces/add_user", token=token,
                         json_body={"email": email, "is_admin": is_admin, "operator": False})
        assert r.status == 200, r
        return self.login(email, password)

    def create_token(self, token, **body):
        r = self.request("POST", "/api/users/tokens/create", json_body=body, token=token)
        assert r.status == 201, r
        return r.text

    def run_async(self, token, path, args=None, ws=WS):
        r = self.request("POST", f"/api/w/{ws}/jobs/run/p/{path}", json_body=args or {}, token=token)
        assert r.status == 201, r
        return r.text

    def wait_job(self, token, job_id, ws=WS, timeout=30):
        """Polls completed/get until the job is done; returns the CompletedJob JSON."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.request("GET", f"/api/w/{ws}/jobs_u/completed/get/{job_id}", token=token)
            if r.status == 200:
                return r.json()
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not complete in {timeout}s")


def b64(obj):
    return base64.b64encode(json.dumps(obj).encode()).decode()


def quote(s):
    return urllib.parse.quote(s, safe="")


class ServerTestCase(unittest.TestCase):
    """One server for the whole class; `self.token` is an admin session."""

    server_env = {}
    server_args = []

    @classmethod
    def setUpClass(cls):
        cls.server = Server(env=cls.server_env, args=cls.server_args).start()
        cls.token = cls.server.login()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assertHealthy(self):
        r = self.server.request("GET", "/api/version")
        self.assertEqual(r.status, 200, r)
