"""Small helpers shared by the end-to-end test files (stdlib only). The harness itself lives in
harness.py; this file only adds conveniences on top of it."""
import atexit
import datetime
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

from harness import WS, quote, shared_folder

# A python3 script that answers with exactly the args it was given.
KWARGS_PY = "def main(**kwargs):\n    return kwargs\n"

# A bash script that blocks until the file named by its first argument exists, then prints a
# line. Lets a test hold a job in the running state for as long as it needs, with no timing.
GATE_SH = 'gate="$1"\necho "waiting for $gate"\nwhile [ ! -e "$gate" ]; do sleep 0.05; done\necho released\n'


def poll(fn, timeout=20.0, interval=0.05, what="condition"):
    """Calls fn() until it returns a truthy value; returns that value. Fails after timeout."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} not reached in {timeout}s (last value: {last!r})")


def parse_ts(text):
    """RFC 3339 → aware datetime (accepts a trailing Z and any fraction)."""
    t = text.replace("Z", "+00:00").replace("z", "+00:00")
    return datetime.datetime.fromisoformat(t)


def rfc3339(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def new_uuid():
    return str(uuid.uuid4())


class Gate:
    """A file a GATE_SH job waits for. open() releases the job. cleanup() opens the gate (so no
    job is left waiting) and leaves the file: a job may still be polling for it; the folder goes
    when the test process exits."""

    def __init__(self):
        self.dir = shared_folder("millrace-e2e-gate-")  # the jobs see it
        atexit.register(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, "open")

    def open(self):
        with open(self.path, "w") as f:
            f.write("go")

    def cleanup(self):
        self.open()


def running_command(needle):
    """Pids of this machine's live processes whose command line contains `needle` (the host's
    view: a sandboxed job's pids are its own namespace's)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ")
            with open(f"/proc/{pid}/stat") as f:
                zombie = f.read().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:
            continue
        if needle.encode() in cmdline and not zombie:
            found.append(int(pid))
    return found


def job_state(server, token, job_id, ws=WS):
    r = server.request("GET", f"/api/w/{ws}/jobs_u/get/{job_id}", token=token)
    return r.json() if r.status == 200 else None


def wait_running(server, token, job_id, ws=WS, timeout=20):
    return poll(lambda: (lambda j: j if j and j.get("running") else None)(
        job_state(server, token, job_id, ws)), timeout=timeout, what=f"job {job_id} running")


def sync_run(server, token, path, args=None, query="", ws=WS, **kw):
    return server.request("POST", f"/api/w/{ws}/jobs/run_wait_result/p/{path}{query}",
                          json_body=args if args is not None else {}, token=token, **kw)


def audit_list(server, token, ws=WS, **filters):
    q = "&".join(f"{k}={quote(str(v))}" for k, v in filters.items())
    r = server.request("GET", f"/api/w/{ws}/audit/list" + (f"?{q}" if q else ""), token=token)
    assert r.status == 200, r
    return r.json()


def open_request(server, method, path, body=b"", headers=None):
    """Sends one HTTP/1.1 request on a raw socket and returns the socket without reading the
    answer (the caller closes it to simulate a client going away)."""
    headers = dict(headers or {})
    headers.setdefault("Host", f"127.0.0.1:{server.port}")
    headers["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(head.encode() + b"\r\n" + body)
    return s


def sign(provider, secret, payload, **extra):
    """The headers a sender's own library puts on `payload` (tests/e2e/signers.mjs: GitHub's
    @octokit/webhooks, the stripe package, standardwebhooks)."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run(["node", os.path.join(here, "signers.mjs")], check=True,
                         input=json.dumps(dict(provider=provider, secret=secret,
                                               payload=payload, **extra)),
                         capture_output=True, text=True, timeout=60)
    return json.loads(out.stdout)
