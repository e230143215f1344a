"""Every job runs in a sandbox of its own (when the server runs as root, the default): its own
PID, mount and IPC namespaces, a uid of its own, no capabilities, a syscall filter, and limits
on memory, processes, disk and CPU time that cover its children. Each test is an attack that
worked when all jobs ran as one user with no namespaces."""
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import unittest

from e2e_util import running_command
from harness import BIN, PG_BASE, Server, ServerTestCase, WS, shared_folder

AS_ROOT = os.geteuid() == 0
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sync(server, token, path, args=None):
    return server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/{path}",
                          json_body=args or {}, token=token, timeout=120)


@unittest.skipUnless(AS_ROOT, "jobs are sandboxed when the server runs as root")
class SandboxedJobsTest(ServerTestCase):
    server_env = {"NUM_WORKERS": "2"}

    def run_both(self, first, second):
        """Runs `first` (async) and `second` (sync) at the same time: scripts made with
        first_job() and second_job(), which meet in a folder both see. Both results."""
        meet = shared_folder("millrace-e2e-meet-")
        a = self.server.run_async(self.token, first, {"meet": meet})
        b = sync(self.server, self.token, second, {"meet": meet})
        done = self.server.wait_job(self.token, a, timeout=60)
        return done, b

    def first_job(self, path, work, result):
        """A Bash job that does `work`, waits for the second job to do its own, then prints
        `result`."""
        self.server.create_script(self.token, path, f'meet="$1"\n{work}\ntouch "$meet/first"\n'
                                  'while [ ! -e "$meet/second" ]; do sleep 0.05; done\n'
                                  f'{result}\n', language="bash")

    def second_job(self, path, work):
        """A Bash job that waits for the first to have done its work, then does its own."""
        self.server.create_script(self.token, path, 'meet="$1"\n'
                                  'while [ ! -e "$meet/first" ]; do sleep 0.05; done\n'
                                  f'{work}\ntouch "$meet/second"\n', language="bash")

    def test_each_running_job_has_a_uid_of_its_own_that_no_account_uses(self):
        self.first_job("u/admin/uid_first", ":", "id -u")
        self.second_job("u/admin/uid_second", "id -u")
        first, second = self.run_both("u/admin/uid_first", "u/admin/uid_second")
        uids = {int(first["result"]), int(second.json())}
        self.assertEqual(len(uids), 2, uids)
        for uid in uids:
            self.assertNotIn(uid, (0, os.geteuid()))
            with self.assertRaises(KeyError):
                pwd.getpwuid(uid)

    def test_a_job_sees_no_other_process_nor_its_environment_arguments_or_memory(self):
        # The victim holds its token and a secret argument while the thief looks everywhere.
        self.first_job("u/admin/victim", 'echo "$2" > ./kept', "echo done")
        thief = r'''
import glob, os, ctypes
def main(meet: str):
    while not os.path.exists(os.path.join(meet, "first")):
        pass
    seen = {"pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
            "self": os.getpid(), "tokens": [], "args": [], "memory": []}
    for environ in glob.glob("/proc/*/environ"):
        try:
            seen["tokens"] += [v.decode()[9:] for v in open(environ, "rb").read().split(b"\\0")
                               if v.startswith(b"WM_TOKEN=")]
        except OSError:
            pass
    seen["tokens"] = sorted(set(seen["tokens"]) - {os.environ["WM_TOKEN"]})
    for top, dirs, files in os.walk("/"):
        if top == "/":
            dirs[:] = [d for d in dirs if d not in ("proc", "usr", "sys")]
        seen["args"] += [os.path.join(top, f) for f in files
                         if f in ("args.json", "kept") and not top.startswith(os.getcwd())]
    libc = ctypes.CDLL(None, use_errno=True)
    seen["ptrace"] = libc.ptrace(0, 0, 0, 0)  # PTRACE_TRACEME
    seen["ptrace_errno"] = ctypes.get_errno()
    buf = ctypes.create_string_buffer(8)
    class iovec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
    local = iovec(ctypes.cast(buf, ctypes.c_void_p), 8)
    seen["vm_read"] = libc.process_vm_readv(1, ctypes.byref(local), 1, ctypes.byref(local), 1, 0)
    seen["vm_read_errno"] = ctypes.get_errno()
    open(os.path.join(meet, "second"), "w").close()
    return seen
'''
        self.server.create_script(self.token, "u/admin/thief", thief)
        meet = shared_folder("millrace-e2e-meet-")
        a = self.server.run_async(self.token, "u/admin/victim",
                                  {"meet": meet, "secret": "hunter2-victim"})
        r = sync(self.server, self.token, "u/admin/thief", {"meet": meet})
        self.assertEqual(r.status, 200, r)
        seen = r.json()
        # Only its own processes: the wrapper, python, nothing of the victim's nor the server.
        self.assertLessEqual(len(seen["pids"]), 3, seen)
        self.assertIn(seen["self"], seen["pids"])
        self.assertEqual(seen["tokens"], [], "no token but its own")
        self.assertEqual(seen["args"], [])
        self.assertEqual((seen["ptrace"], seen["ptrace_errno"]), (-1, 1))  # EPERM
        self.assertEqual((seen["vm_read"], seen["vm_read_errno"]), (-1, 1))
        victim = self.server.wait_job(self.token, a, timeout=60)
        self.assertEqual(victim["result"], "done", victim)

    def test_a_job_cannot_kill_another_job(self):
        self.first_job("u/admin/sleeper", ":", "echo survived")
        self.second_job("u/admin/killer",
                        "kill -9 -1 2>/dev/null || true\n"
                        "for p in /proc/[0-9]*; do [ \"${p#/proc/}\" != $$ ] && "
                        "kill -9 \"${p#/proc/}\" 2>/dev/null || true; done")
        first, second = self.run_both("u/admin/sleeper", "u/admin/killer")
        self.assertEqual(first["success"], True, first)
        self.assertEqual(first["result"], "survived")
        self.assertHealthy()

    def test_a_daemon_started_with_setsid_dies_with_its_job(self):
        for i, how in enumerate(["setsid sleep 31337{0} &", "setsid env -i sleep 31337{0} &",
                                 "nohup setsid sh -c 'trap \"\" HUP TERM; sleep 31337{0}' "
                                 ">/dev/null 2>&1 &"]):
            self.server.create_script(self.token, f"u/admin/daemon{i}",
                                      how.format(i) + "\nsleep 0.2\necho started\n",
                                      language="bash")
            r = sync(self.server, self.token, f"u/admin/daemon{i}")
            self.assertEqual(r.json(), "started")
            deadline = time.time() + 5
            while running_command(f"sleep 31337{i}") and time.time() < deadline:
                time.sleep(0.1)
            self.assertEqual(running_command(f"sleep 31337{i}"), [], how)

    def test_tmp_and_the_job_folder_are_the_jobs_own(self):
        self.first_job("u/admin/writer", "echo secret > /tmp/note\necho secret > ./note\n"
                       "echo secret > /dev/shm/note", "echo wrote")
        self.second_job("u/admin/reader", "ls -A /tmp /dev/shm . | tr '\\n' ' '")
        first, second = self.run_both("u/admin/writer", "u/admin/reader")
        self.assertEqual(first["result"], "wrote")
        self.assertNotIn("note", second.json())

    def test_the_servers_files_and_data_folder_are_not_there(self):
        db = os.path.join(self.server.data_dir, "millrace.db")
        script = (f'for p in "{db}" "{self.server.data_dir}" /root "{os.getcwd()}" /home /var/lib; '
                  'do [ -e "$p" ] && echo "found $p"; done\necho checked\n')
        self.server.create_script(self.token, "u/admin/look", script, language="bash")
        self.assertEqual(sync(self.server, self.token, "u/admin/look").json(), "checked")
        # The system is there, read-only.
        self.server.create_script(self.token, "u/admin/write_usr",
                                  "touch /usr/bin/evil 2>&1 || true\ntouch /etc/evil 2>&1 || true\n"
                                  "ls /usr/bin/bash\n", language="bash")
        r = sync(self.server, self.token, "u/admin/write_usr")
        self.assertEqual(r.json(), "/usr/bin/bash")
        self.assertFalse(os.path.exists("/usr/bin/evil"))

    def test_a_job_has_no_capabilities_and_no_new_privileges(self):
        self.server.create_script(self.token, "u/admin/caps",
                                  "grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status"
                                  " | tr -s '\\t\\n' '  '\n", language="bash")
        r = sync(self.server, self.token, "u/admin/caps").json()
        self.assertIn("CapEff: 0000000000000000", r)
        self.assertIn("CapBnd: 0000000000000000", r)
        self.assertIn("NoNewPrivs: 1", r)
        self.assertIn("Seccomp: 2", r)

    def test_a_fork_bomb_fails_its_job_and_names_the_limit(self):
        self.server.create_script(self.token, "u/admin/bomb", "bomb() { bomb | bomb & }\nbomb\n"
                                  "sleep 20\necho survived\n", language="bash")
        r = sync(self.server, self.token, "u/admin/bomb")
        self.assertEqual(r.status, 422, r)
        self.assertIn("limit of 256 processes (JOB_PIDS_MAX)", r.json()["error"]["message"])
        self.server.create_script(self.token, "u/admin/after", "echo fine\n", language="bash")
        self.assertEqual(sync(self.server, self.token, "u/admin/after").json(), "fine")

    def test_memory_spread_over_children_fails_its_job_and_names_the_limit(self):
        spread = '''
import os, time
def main():
    children = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            block = bytearray(1200 * 1024 * 1024)
            for i in range(0, len(block), 4096):
                block[i] = 1
            time.sleep(30)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    return "all allocated"
'''
        self.server.create_script(self.token, "u/admin/spread", spread)
        r = sync(self.server, self.token, "u/admin/spread")
        self.assertEqual(r.status, 422, r)
        self.assertIn("memory limit of 2048 MB (JOB_MEMORY_LIMIT_MB)",
                      r.json()["error"]["message"])

    def test_a_file_over_the_disk_limit_fails_its_job_and_names_the_limit(self):
        self.server.create_script(self.token, "u/admin/fill",
                                  "head -c 2G /dev/zero > ./big\necho written\n", language="bash")
        r = sync(self.server, self.token, "u/admin/fill")
        self.assertEqual(r.status, 422, r)
        self.assertIn("limit of 1024 MB together (JOB_DISK_LIMIT_MB)",
                      r.json()["error"]["message"])
        # The space is back for the next job of that worker.
        self.server.create_script(self.token, "u/admin/half",
                                  "head -c 600M /dev/zero > /tmp/half\necho ok\n",
                                  language="bash")
        for _ in range(2):
            self.assertEqual(sync(self.server, self.token, "u/admin/half").json(), "ok")

    def test_a_no_network_script_reaches_nothing_but_its_own_loopback(self):
        probe = f'''
import socket
def main():
    s = socket.socket()
    s.settimeout(3)
    try:
        s.connect(("127.0.0.1", {self.server.port}))
        return "reached the server"
    except OSError as e:
        return type(e).__name__
'''
        self.server.create_script(self.token, "u/admin/offline", probe, no_network=True)
        self.server.create_script(self.token, "u/admin/online", probe)
        self.assertEqual(sync(self.server, self.token, "u/admin/offline").json(),
                         "ConnectionRefusedError")
        self.assertEqual(sync(self.server, self.token, "u/admin/online").json(),
                         "reached the server")


@unittest.skipUnless(AS_ROOT, "jobs are sandboxed when the server runs as root")
class SandboxSettingsTest(unittest.TestCase):
    def setUp(self):
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()

    def start(self, env=None, job_dir=None):
        s = Server(env=env)
        if job_dir:
            s.job_dir = job_dir
        s.start()
        self.servers.append(s)
        return s, s.login()

    def test_job_network_off_runs_every_job_without_network(self):
        s, token = self.start({"JOB_NETWORK": "off"})
        s.create_script(token, "u/admin/net",
                        f"(exec 3<>/dev/tcp/127.0.0.1/{s.port}) 2>/dev/null && echo reached "
                        "|| echo unreachable\n", language="bash")
        self.assertEqual(sync(s, token, "u/admin/net").json(), "unreachable")

    def test_cpu_time_over_the_limit_stops_the_job_and_names_the_limit(self):
        s, token = self.start({"JOB_CPU_LIMIT_S": "1"})
        s.create_script(token, "u/admin/spin", "(while :; do :; done) &\n"
                        "while :; do :; done\n", language="bash")
        started = time.time()
        r = sync(s, token, "u/admin/spin")
        self.assertEqual(r.status, 422, r)
        self.assertIn("more than 1 s of CPU time (JOB_CPU_LIMIT_S)", r.json()["error"]["message"])
        self.assertLess(time.time() - started, 30)

    def test_leftovers_in_the_job_root_are_removed_without_following_links(self):
        job_dir = tempfile.mkdtemp(prefix="millrace-e2e-jobroot-")
        victim = tempfile.mkdtemp(prefix="millrace-e2e-victim-")
        with open(os.path.join(victim, "keep"), "w") as f:
            f.write("precious")
        # A crashed node's folder whose contents link out, and its lock nobody holds.
        os.makedirs(os.path.join(job_dir, "node-crashed", "cells", "x"))
        os.symlink(victim, os.path.join(job_dir, "node-crashed", "cells", "x", "link"))
        os.symlink(victim, os.path.join(job_dir, "node-link"))
        open(os.path.join(job_dir, "node-crashed.lock"), "w").close()
        open(os.path.join(job_dir, "node-link.lock"), "w").close()
        try:
            s, token = self.start(job_dir=job_dir)
            self.assertFalse(os.path.exists(os.path.join(job_dir, "node-crashed")))
            self.assertFalse(os.path.lexists(os.path.join(job_dir, "node-link")))
            with open(os.path.join(victim, "keep")) as f:
                self.assertEqual(f.read(), "precious")
            self.assertEqual(os.stat(job_dir).st_mode & 0o777, 0o711)
            self.assertEqual(os.stat(job_dir).st_uid, 0)
            s.create_script(token, "u/admin/ok", "echo ok\n", language="bash")
            self.assertEqual(sync(s, token, "u/admin/ok").json(), "ok")
        finally:
            subprocess.run(["rm", "-rf", victim])

    def test_typescript_runs_when_esbuild_is_installed_under_tmp(self):
        # A project checked out under /tmp: each job's own /tmp would hide esbuild's folder at
        # its own path, so the jail shows it elsewhere.
        native = os.path.join(REPO, "node_modules", "@esbuild", "linux-x64")
        if not os.path.isdir(native):
            self.skipTest("esbuild is not installed (npm ci)")
        tools = tempfile.mkdtemp(prefix="millrace-e2e-tools-", dir="/tmp")
        try:
            shutil.copytree(native, os.path.join(tools, "linux-x64"))
            s, token = self.start({"ESBUILD_BINARY_PATH":
                                   os.path.join(tools, "linux-x64", "bin", "esbuild")})
            s.create_script(token, "u/admin/ts", "export function main(x: number) {\n"
                            "  const y: number = x + 1;\n  return y;\n}\n", language="bun")
            r = sync(s, token, "u/admin/ts", {"x": 41})
            self.assertEqual((r.status, r.json()), (200, 42), r)
        finally:
            shutil.rmtree(tools, ignore_errors=True)

    def test_sandbox_off_runs_jobs_as_the_job_user(self):
        s, token = self.start({"JOB_SANDBOX": "off"})
        s.create_script(token, "u/admin/whoami", "id -u\n", language="bash")
        self.assertEqual(sync(s, token, "u/admin/whoami").json(),
                         str(pwd.getpwnam("nobody").pw_uid))

    def test_an_unknown_job_user_stops_an_unsandboxed_server_with_a_clear_error(self):
        p = subprocess.run([BIN, "serve", "--port", "0", "--data", "/tmp/millrace-e2e-nouser",
                            "--job-sandbox", "off", "--job-user", "no-such-user-here"],
                           env={"PATH": "/usr/bin:/bin", "MILLRACE_ADMIN_PASSWORD": "x"},
                           capture_output=True, timeout=30)
        subprocess.run(["rm", "-rf", "/tmp/millrace-e2e-nouser"])
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"JOB_USER no-such-user-here does not exist", p.stderr)

    def test_the_database_is_out_of_reach(self):
        s, token = self.start()
        if PG_BASE:
            s.create_script(token, "u/admin/env_url", "def main():\n    import os\n"
                                                      "    return os.environ.get('DATABASE_URL')\n")
            r = sync(s, token, "u/admin/env_url")
            self.assertEqual((r.status, r.json()), (200, None), r)
            return
        db = os.path.join(s.data_dir, "millrace.db")
        s.create_script(token, "u/admin/steal_py",
                        f"def main():\n    return open({db!r}, 'rb').read(16).hex()\n")
        r = sync(s, token, "u/admin/steal_py")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["error"]["name"], "FileNotFoundError")


if __name__ == "__main__":
    unittest.main()
