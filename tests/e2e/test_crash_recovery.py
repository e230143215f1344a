"""The durability promise: a job whose UUID was returned survives a crash of the server
(kill -9) and is run.

- 1,000 async webhooks from 32 keep-alive client threads; the server is killed with SIGKILL
  while requests are in flight, after a few hundred were acknowledged. Every acknowledged job
  (201 + UUID) must exist after the restart and complete with the right result.
- A job that was running when the server was killed is run again after the restart, and its
  logs say so.
- A job interrupted by more crashes than MAX_CRASH_RESTARTS is failed with a clear error
  instead of being restarted forever.
"""
import http.client
import json
import os
import re
import signal
import sys
import threading
import time
import unittest

from harness import WS, Server

ECHO = 'x="$1"\necho "$x"\n'
TOTAL_REQUESTS = 1000
CLIENT_THREADS = 32
KILL_AFTER_ACKS = 400        # kill once this many 201s have been read (the rest are in flight)
RECOVERY_DEADLINE_S = 120    # every acknowledged job done within this, after the restart


class Client:
    """One keep-alive HTTP/1.1 connection (reconnects after an error)."""

    def __init__(self, port, token, timeout=30):
        self.port, self.token, self.timeout = port, token, timeout
        self.conn = None

    def request(self, method, path, body=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Authorization": "Bearer " + self.token}
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            r = self.conn.getresponse()
            data = r.read()
            if r.getheader("connection", "").lower() == "close":
                self.close()
            return r.status, data
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def kill_orphaned_jobs(server):
    """Job processes run in their own process group, so killing the server's group leaves them
    running (see the report). They are ours: end them by pid, found by their working directory
    inside this server's job folder, so that they cannot outlive the test."""
    root = os.path.realpath(server.job_dir)
    killed = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if cwd == root or cwd.startswith(root + "/"):
            try:
                os.kill(int(pid), signal.SIGKILL)
                killed.append(int(pid))
            except OSError:
                pass
    return killed


class CrashRecoveryBase(unittest.TestCase):
    server_env = {"NUM_WORKERS": "2"}

    def setUp(self):
        self.server = Server(env=self.server_env).start()
        self.addCleanup(self.cleanup_server)
        self.token = self.server.login()

    def cleanup_server(self):
        self.server.kill9()
        kill_orphaned_jobs(self.server)
        self.server.cleanup()

    def crash(self):
        """kill -9 of the server's process group, as a crash would."""
        self.server.kill9()
        self.orphans = kill_orphaned_jobs(self.server)

    def restart_after_crash(self):
        self.server.start()
        self.token = self.server.login()

    def get(self, path):
        r = self.server.request("GET", f"/api/w/{WS}{path}", token=self.token)
        return r

    def wait_until_running(self, job_id, timeout=60, restarts=0):
        """Until the job runs, after `restarts` restarts (their lines in its logs): on
        PostgreSQL a killed node's job is taken back a moment after the next start, not at it."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            r = self.get(f"/jobs_u/get/{job_id}")
            self.assertEqual(r.status, 200, r)
            last = r.json()
            if last.get("type") == "CompletedJob":
                self.fail(f"job {job_id} completed before it could be interrupted: {last}")
            if last.get("running") and (last.get("logs") or "").count("restarting it") >= restarts:
                return last
            time.sleep(0.05)
        self.fail(f"job {job_id} was not running within {timeout}s: {last}")

    def wait_completed(self, job_id, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.get(f"/jobs_u/completed/get/{job_id}")
            if r.status == 200:
                return r.json()
            self.assertEqual(r.status, 404, r)
            time.sleep(0.1)
        r = self.get(f"/jobs_u/get/{job_id}")
        self.fail(f"job {job_id} did not complete within {timeout}s after the restart: {r!r}")


class AcknowledgedWebhooksSurviveKill9(CrashRecoveryBase):
    def test_every_acknowledged_job_exists_and_completes_after_kill9(self):
        s = self.server
        s.create_script(self.token, "u/admin/crash_echo", ECHO, language="bash")

        lock = threading.Lock()
        next_index = iter(range(TOTAL_REQUESTS))
        acked = {}            # uuid -> arg, for every 201 read in full
        unexpected = []       # non-201 answers, and errors before the kill
        lost_in_crash = []    # errors after the kill: not acknowledged, fine
        killing = threading.Event()
        enough = threading.Event()

        def client_thread():
            c = Client(s.port, self.token)
            try:
                while not killing.is_set():
                    with lock:
                        i = next(next_index, None)
                    if i is None:
                        return
                    arg = f"arg-{i:04d}"
                    try:
                        status, body = c.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/crash_echo",
                                                 {"x": arg})
                    except (OSError, http.client.HTTPException) as e:
                        with lock:
                            (lost_in_crash if killing.is_set() else unexpected).append(
                                (arg, repr(e)))
                        if killing.is_set():
                            return
                        continue
                    with lock:
                        if status == 201:
                            acked[body.decode()] = arg
                            if len(acked) >= KILL_AFTER_ACKS:
                                enough.set()
                        else:
                            unexpected.append((arg, status, body[:300]))
            finally:
                c.close()

        threads = [threading.Thread(target=client_thread, daemon=True)
                   for _ in range(CLIENT_THREADS)]
        for t in threads:
            t.start()
        all_done = lambda: not any(t.is_alive() for t in threads)  # noqa: E731
        deadline = time.time() + 120
        while not enough.wait(0.01) and not all_done() and time.time() < deadline:
            pass
        self.assertTrue(enough.is_set(), f"only {len(acked)} webhooks were acknowledged before "
                                         f"the kill point; unexpected answers: {unexpected[:5]}")
        killing.set()
        self.crash()
        for t in threads:
            t.join(60)
        print(f"\n  {len(acked)} webhooks acknowledged before the kill, {len(lost_in_crash)} "
              f"lost in flight", file=sys.stderr)
        self.assertFalse(any(t.is_alive() for t in threads), "client threads did not stop")
        with lock:
            acked = dict(acked)
        self.assertEqual(unexpected, [], "answers other than 201 (or errors) before the kill")
        self.assertEqual(len(set(acked.values())), len(acked), "one job id per request")
        # The crash happened while the traffic went on: some requests were not acknowledged.
        self.assertLess(len(acked), TOTAL_REQUESTS,
                        "every request was answered before the kill: nothing was in flight")
        for job_id in acked:
            self.assertRegex(job_id, r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                     r"[0-9a-f]{12}$")

        self.restart_after_crash()
        c = Client(s.port, self.token)
        self.addCleanup(c.close)
        missing = []
        for job_id, arg in sorted(acked.items(), key=lambda kv: kv[1]):
            status, body = c.request("GET", f"/api/w/{WS}/jobs_u/get/{job_id}?no_logs=true")
            if status != 200:
                missing.append((job_id, arg, status, body[:200]))
        self.assertEqual(missing, [], f"{len(missing)} of {len(acked)} acknowledged jobs are gone "
                                      f"after the crash")

        pending = dict(acked)
        wrong = []
        deadline = time.time() + RECOVERY_DEADLINE_S
        while pending and time.time() < deadline:
            for job_id, arg in list(pending.items()):
                status, body = c.request("GET", f"/api/w/{WS}/jobs_u/completed/get/{job_id}")
                if status == 404:
                    continue
                del pending[job_id]
                done = json.loads(body) if status == 200 else None
                if status != 200 or not done.get("success") or done.get("result") != arg:
                    wrong.append((job_id, arg, status, (done or body)))
            if pending:
                time.sleep(0.2)
        self.assertEqual(wrong, [], "acknowledged jobs that did not succeed with their own arg")
        self.assertEqual(pending, {}, f"{len(pending)} of {len(acked)} acknowledged jobs never "
                                      f"completed within {RECOVERY_DEADLINE_S}s of the restart")


class RunningJobIsRestartedAfterKill9(CrashRecoveryBase):
    def test_running_job_is_run_again_and_its_logs_say_so(self):
        s = self.server
        s.create_script(self.token, "u/admin/sleeper", 'x="$1"\necho "start $x"\nsleep 5\n'
                                                       'echo "slept $x"\n', language="bash")
        job = s.run_async(self.token, "u/admin/sleeper", {"x": "once"})
        self.wait_until_running(job)
        self.crash()
        print(f"\n  orphaned job processes after the kill: {self.orphans}", file=sys.stderr)
        self.restart_after_crash()
        r = self.get(f"/jobs_u/get/{job}")
        self.assertEqual(r.status, 200, r)
        done = self.wait_completed(job)
        self.assertTrue(done["success"], done)
        self.assertEqual(done["result"], "slept once")
        self.assertFalse(done.get("canceled"), done)
        r = self.get(f"/jobs_u/get_logs/{job}")
        self.assertEqual(r.status, 200, r)
        self.assertRegex(r.text, re.compile(r"restart", re.I),
                         f"the logs do not mention the restart: {r.text!r}")
        self.assertIn("slept once", r.text)


class JobInterruptedTooOftenIsFailed(CrashRecoveryBase):
    server_env = {"NUM_WORKERS": "2", "MAX_CRASH_RESTARTS": "1"}

    def test_more_crashes_than_max_crash_restarts_fail_the_job(self):
        s = self.server
        s.create_script(self.token, "u/admin/long_sleeper", 'sleep 60\necho "never"\n',
                        language="bash")
        job = s.run_async(self.token, "u/admin/long_sleeper")
        self.wait_until_running(job)
        self.crash()                      # crash 1: restarted (MAX_CRASH_RESTARTS=1)
        self.restart_after_crash()
        self.wait_until_running(job, restarts=1)
        self.crash()                      # crash 2: one more than allowed
        self.restart_after_crash()
        done = self.wait_completed(job, timeout=30)
        self.assertFalse(done["success"], done)
        self.assertFalse(done.get("canceled"), done)
        error = (done.get("result") or {}).get("error") or {}
        self.assertIsInstance(error.get("message"), str, done)
        self.assertRegex(error["message"], re.compile(r"crash|interrupt|restart", re.I), done)
        self.assertNotIn("never", json.dumps(done.get("result")))
        # It stays failed: nothing runs it again.
        r = self.get(f"/jobs_u/get/{job}")
        self.assertEqual((r.status, r.json().get("type")), (200, "CompletedJob"), r)


class ZombiesFailedWhenNotToBeRestarted(CrashRecoveryBase):
    server_env = {"NUM_WORKERS": "2", "RESTART_ZOMBIE_JOBS": "false"}

    def test_a_job_interrupted_once_is_failed_at_once(self):
        s = self.server
        s.create_script(self.token, "u/admin/long_sleeper", 'sleep 60\necho "never"\n',
                        language="bash")
        job = s.run_async(self.token, "u/admin/long_sleeper")
        self.wait_until_running(job)
        self.crash()
        self.restart_after_crash()
        done = self.wait_completed(job, timeout=30)
        self.assertFalse(done["success"], done)
        self.assertRegex(done["result"]["error"]["message"], "interrupted by a server crash 1 ")


if __name__ == "__main__":
    unittest.main()
