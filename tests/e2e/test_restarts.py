"""What happens to running jobs when the server stops: a graceful stop (SIGTERM) leaves them
queued and they run again at the next start. After a kill -9, a sandboxed job's processes die
with the server (its namespace's init dies with it); unsandboxed, what a job had started (its
grandchildren, which outlive the server) is killed before the job runs again."""
import os
import shutil
import signal
import socket
import time
import unittest

from e2e_util import poll, running_command, wait_running
from flow_helpers import FlowMixin, flow_value, js, rawscript
from harness import Server, WS, shared_folder

AS_ROOT = os.geteuid() == 0


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


def group_members(pgid):
    """Live processes of the process group `pgid` (a jail's init stays in the server's group)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(pid))
    return found


def read_words(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read().split() or None


class RestartTest(FlowMixin, unittest.TestCase):
    def setUp(self):
        self.server = Server(env={"NUM_WORKERS": "1"}).start()
        self.token = self.server.login()
        self.dir = shared_folder("millrace-e2e-restart-")

    def tearDown(self):
        self.server.cleanup()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_graceful_stop_leaves_a_running_job_queued_and_it_runs_after_restart(self):
        s = self.server
        s.create_script(self.token, "u/admin/slow_echo", 'x="$1"\nsleep 1\necho "$x"\n',
                        language="bash")
        job = s.run_async(self.token, "u/admin/slow_echo", {"x": "survived"})
        wait_running(s, self.token, job)
        s.stop()  # SIGTERM: the job's process is killed, the job is not recorded as done
        s.start()
        done = s.wait_job(self.token, job, timeout=30)
        self.assertTrue(done["success"], done)
        self.assertEqual(done["result"], "survived")
        self.assertIn("the server was stopped while this job ran", done["logs"])

    def test_graceful_stops_do_not_count_as_crash_restarts(self):
        s = Server(env={"NUM_WORKERS": "1", "MAX_CRASH_RESTARTS": "0"}).start()
        try:
            token = s.login()
            s.create_script(token, "u/admin/slow", 'sleep 1\necho finished\n', language="bash")
            job = s.run_async(token, "u/admin/slow")
            for _ in range(2):  # two deploys while it runs; a crash would fail it at once
                wait_running(s, token, job)
                s.stop()
                s.start()
            done = s.wait_job(token, job, timeout=30)
            self.assertTrue(done["success"], done)
            self.assertEqual(done["result"], "finished")
        finally:
            s.cleanup()

    def check_kill9_leftovers(self, s, token, sandboxed):
        pid_file = os.path.join(self.dir, "child.pid")
        gate = os.path.join(self.dir, "release")
        marker = f"sleep 300{int(sandboxed)}42"
        # The job starts a background child, records its pid, then waits for a gate file.
        s.create_script(token, "u/admin/spawner",
                        f'{marker} &\necho $! >> {pid_file}\n'
                        f'while [ ! -e {gate} ]; do sleep 0.05; done\necho released\n',
                        language="bash")
        job = s.run_async(token, "u/admin/spawner")
        first = poll(lambda: read_words(pid_file), what="the job's child pid")
        # The pid is written as soon as the child is forked, maybe before it executes sleep.
        poll(lambda: running_command(marker), what="the job's child running")
        s.kill9()
        if sandboxed:
            # Its whole namespace went with the server, before any restart.
            poll(lambda: not running_command(marker), timeout=10, what="the child gone")
            s.start()
        else:
            orphan = int(first[0])  # a pid of this machine's: no namespace
            self.assertTrue(alive(orphan), "the grandchild should outlive a kill -9 of the server")
            s.start()
            poll(lambda: not alive(orphan), timeout=20, what=f"leftover process {orphan} killed")
        with open(gate, "w") as f:
            f.write("go")
        done = s.wait_job(token, job, timeout=30)
        self.assertTrue(done["success"], done)
        self.assertEqual(done["result"], "released")
        # Also the second run's background child dies with its job.
        poll(lambda: not running_command(marker), timeout=10, what="second child gone")

    @unittest.skipUnless(AS_ROOT, "jobs are sandboxed when the server runs as root")
    def test_kill9_takes_a_sandboxed_jobs_processes_with_it(self):
        self.check_kill9_leftovers(self.server, self.token, sandboxed=True)

    def test_kill9_leftovers_of_an_unsandboxed_job_are_killed_before_it_runs_again(self):
        s = Server(env={"NUM_WORKERS": "1", "JOB_SANDBOX": "off"}).start()
        try:
            self.check_kill9_leftovers(s, s.login(), sandboxed=False)
        finally:
            s.cleanup()

    @unittest.skipUnless(AS_ROOT, "jobs are sandboxed when the server runs as root")
    def test_kill9_of_the_server_process_alone_ends_every_jail_and_frees_its_port(self):
        # SIGKILL to the server's pid only, as `kill -9 <pid>` does (not to its process group):
        # no init of a job, a warm interpreter or an expression evaluator may outlive it holding
        # the server's descriptors (its listening socket, its database).
        s = self.server
        s.create_script(self.token, "u/admin/warm", "def main(x: int = 1):\n    return x + 1\n",
                        dedicated_worker=True)
        r = s.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/warm", token=self.token,
                      json_body={"x": 1})
        self.assertEqual((r.status, r.json()), (200, 2), r)
        self.create_flow("u/admin/evaluated", flow_value(
            rawscript("a", "def main(x: int):\n    return x * 2\n", x=js("flow_input.x + 1"))))
        self.assertEqual(self.sync_result("u/admin/evaluated", {"x": 2}), 6)
        s.create_script(self.token, "u/admin/long", "sleep 300\n", language="bash")
        job = s.run_async(self.token, "u/admin/long")
        wait_running(s, self.token, job)
        pid, port = s.proc.pid, s.port
        try:
            os.kill(pid, signal.SIGKILL)
            s.proc.wait()
            poll(lambda: not port_open(port), timeout=10, what="the server's port closed")
            poll(lambda: not group_members(pid), timeout=10, what="every init of the server gone")
        finally:
            try:  # whatever is left, so that a failure leaves nothing behind
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            s.kill9()


if __name__ == "__main__":
    unittest.main()
