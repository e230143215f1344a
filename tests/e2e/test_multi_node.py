"""Many processes on one PostgreSQL database: `millrace server` nodes take the
webhooks, `millrace worker` nodes run the jobs, and every job runs exactly once. Runs in the
PostgreSQL pass of the suite; skipped in the SQLite one."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

from flow_helpers import OPEN_SCHEMA, flow_value, forloop, js, rawscript
from harness import PG_BASE, WS, Server, postgres_database_for, shared_folder

# Each run makes a folder named after its job: mkdir fails if the job already ran once.
ONCE = 'marks="$1"\ntag="$2"\nmkdir "$marks/$WM_JOB_ID"\necho "$tag"\n'
# Says it started, then runs long enough to be caught running.
# (Each start is its own file: $$ is the same in every sandbox, the time is not.)
SLOW = ('marks="$1"\nseconds="$2"\ntouch "$marks/started-$WM_JOB_ID-$(date +%s%N)"\n'
        'sleep "$seconds"\necho done\n')


def psql(url, sql):
    return subprocess.run(["psql", url, "-tAc", sql], capture_output=True, text=True,
                          check=True).stdout.strip()


@unittest.skipUnless(PG_BASE, "the PostgreSQL pass of the suite runs these")
class MultiNodeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.marks = shared_folder("millrace-marks-")  # jobs run sandboxed, as other uids
        data = tempfile.mkdtemp(prefix="millrace-e2e-cluster-")
        cls.db_url = postgres_database_for(data)
        shutil.rmtree(data, ignore_errors=True)
        # Short safety poll and zombie timeout: the tests see restarts in seconds.
        env = {"DATABASE_URL": cls.db_url, "SAFETY_POLL_MS": "300", "ZOMBIE_JOB_TIMEOUT": "3"}
        cls.servers = [Server(env=env, command="server").start() for _ in range(2)]
        base = f"http://127.0.0.1:{cls.servers[0].port}"
        cls.workers = [Server(env=dict(env, NUM_WORKERS="2"), command="worker",
                              args=["--base-url", base]).start() for _ in range(3)]
        cls.token = cls.servers[0].login()
        cls.servers[0].create_script(cls.token, "u/admin/once", ONCE, language="bash")
        cls.servers[1].create_script(cls.token, "u/admin/slow", SLOW, language="bash")

    @classmethod
    def tearDownClass(cls):
        for node in cls.servers + cls.workers:
            node.cleanup()
        shutil.rmtree(cls.marks, ignore_errors=True)

    def live_server(self):
        return next(s for s in self.servers if s.alive())

    def worker_of(self, worker_name):
        return next(w for w in self.workers if w.node and f"-{w.node}-" in worker_name)

    def wait_running(self, server, job_id, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = server.request("GET", f"/api/w/{WS}/jobs_u/get/{job_id}", token=self.token)
            job = r.json()
            if job.get("running") and any(
                    n.startswith(f"started-{job_id}-") for n in os.listdir(self.marks)):
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not start")

    def test_1_every_job_through_both_servers_runs_exactly_once(self):
        servers = self.servers

        def enqueue(i):
            r = servers[i % 2].request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/once",
                                       json_body={"marks": self.marks, "tag": f"a{i}"},
                                       token=self.token)
            self.assertEqual(r.status, 201, r)
            return r.text

        def call(i):
            r = servers[i % 2].request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/once",
                                       json_body={"marks": self.marks, "tag": f"s{i}"},
                                       token=self.token)
            self.assertEqual((r.status, r.json()), (200, f"s{i}"), r)

        with ThreadPoolExecutor(8) as pool:
            sync_calls = [pool.submit(call, i) for i in range(200)]
            ids = list(pool.map(enqueue, range(3000)))
            for f in sync_calls:
                f.result()
        self.assertEqual(len(set(ids)), 3000)

        deadline = time.time() + 300
        query = ("SELECT count(*) FROM job_completed c JOIN job j ON j.id = c.id "
                 "WHERE j.script_path = 'u/admin/once'")
        while time.time() < deadline and int(psql(self.db_url, query)) < 3200:
            time.sleep(0.5)
        rows = psql(self.db_url,
                    "SELECT c.status, count(*) FROM job_completed c JOIN job j ON j.id = c.id "
                    "WHERE j.script_path = 'u/admin/once' GROUP BY c.status")
        self.assertEqual(rows, "success|3200")
        # None lost, none twice: one folder per job, made by its only run.
        made = {m for m in os.listdir(self.marks) if not m.startswith("started-")}
        self.assertTrue(set(ids) <= made)
        self.assertEqual(len(made), 3200)
        self.assertEqual(psql(self.db_url, "SELECT count(*) FROM job_queue"), "0")
        # Each worker node took its share.
        per_node = psql(self.db_url,
                        "SELECT split_part(worker, '-', 2), count(*) FROM job_completed "
                        "GROUP BY 1")
        nodes = {line.split("|")[0] for line in per_node.splitlines()}
        self.assertEqual(nodes, {w.node for w in self.workers}, per_node)

    def test_2_a_job_on_a_worker_killed_mid_run_is_restarted_by_another(self):
        server = self.live_server()
        job_id = server.run_async(self.token, "u/admin/slow",
                                  {"marks": self.marks, "seconds": 3})
        first = self.wait_running(server, job_id)
        victim = self.worker_of(first["worker"])
        victim.kill9()
        done = server.wait_job(self.token, job_id, timeout=40)
        self.assertTrue(done["success"], done)
        self.assertNotIn(f"-{victim.node}-", done["worker"])
        self.assertIn("restarting it", done["logs"])
        starts = [n for n in os.listdir(self.marks) if n.startswith(f"started-{job_id}-")]
        self.assertEqual(len(starts), 2, starts)
        victim.start()  # the next tests have three workers again

    def test_3_a_worker_that_stops_pinging_loses_its_job_and_its_late_outcome(self):
        server = self.live_server()
        job_id = server.run_async(self.token, "u/admin/slow",
                                  {"marks": self.marks, "seconds": 5})
        first = self.wait_running(server, job_id)
        hung = self.worker_of(first["worker"])
        os.kill(hung.proc.pid, signal.SIGSTOP)  # alive (its session too) but silent
        try:
            # After ZOMBIE_JOB_TIMEOUT without a ping, another node restarts it.
            deadline = time.time() + 30
            while time.time() < deadline:
                job = server.request("GET", f"/api/w/{WS}/jobs_u/get/{job_id}",
                                     token=self.token).json()
                if job.get("worker") and f"-{hung.node}-" not in job["worker"]:
                    break
                time.sleep(0.1)
            else:
                self.fail("the job was not taken from the silent worker")
        finally:
            os.kill(hung.proc.pid, signal.SIGCONT)
        done = server.wait_job(self.token, job_id, timeout=40)
        self.assertTrue(done["success"], done)
        self.assertNotIn(f"-{hung.node}-", done["worker"])
        # The first run ends too, once it is woken: its outcome is dropped, not stored.
        time.sleep(6)
        again = server.wait_job(self.token, job_id)
        self.assertEqual(again["worker"], done["worker"])
        self.assertIn("restarting it", again["logs"])

    def test_4_a_cancel_through_one_server_stops_the_job_on_whichever_worker(self):
        server = self.servers[1] if self.servers[1].alive() else self.live_server()
        job_id = self.servers[0].run_async(self.token, "u/admin/slow",
                                           {"marks": self.marks, "seconds": 30})
        self.wait_running(server, job_id)
        r = server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{job_id}",
                           json_body={"reason": "enough"}, token=self.token)
        self.assertEqual(r.status, 200, r)
        done = server.wait_job(self.token, job_id, timeout=10)
        self.assertTrue(done["canceled"], done)
        self.assertEqual(done["canceled_reason"], "enough")

    def test_5_a_flow_moves_on_across_nodes(self):
        # Parallel iterations: the steps spread over the workers, and the flow is advanced by
        # whichever worker claims it after each step.
        step = rawscript("b", 'n="$1"\necho "$((n * 10))"\n', language="bash",
                         n=js("flow_input.iter.value"))
        value = flow_value(forloop("a", "[1, 2, 3, 4, 5, 6]", [step], parallel=True))
        server = self.live_server()
        r = server.request("POST", f"/api/w/{WS}/flows/create", token=self.token, json_body={
            "path": "f/multi/loop", "summary": "loop", "description": "", "value": value,
            "schema": OPEN_SCHEMA})
        self.assertEqual(r.status, 201, r)
        r = server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/f/f/multi/loop",
                           json_body={}, token=self.token)
        self.assertEqual((r.status, r.json()), (200, ["10", "20", "30", "40", "50", "60"]), r)

    def test_5b_a_same_worker_flow_stays_on_one_node(self):
        # Its steps share ./shared, a folder on one machine's disk: they all run on the node
        # that took the flow first (three workers nodes: by chance, rarely).
        write = rawscript("a", 'n="$1"\necho "$n" > ./shared/note\necho written\n',
                          language="bash", n=js("flow_input.x"))
        append = rawscript("inner", 'v="$1"\necho "$v" >> ./shared/note\necho ok\n',
                           language="bash", v=js("flow_input.iter.value"))
        read = rawscript("b", 'cat ./shared/note | tr "\\n" " "\n', language="bash")
        value = flow_value(write, forloop("loop", "['p', 'q', 'r', 's']", [append], parallel=True),
                           read, same_worker=True)
        server = self.live_server()
        r = server.request("POST", f"/api/w/{WS}/flows/create", token=self.token, json_body={
            "path": "f/multi/same_worker", "summary": "same worker", "description": "",
            "value": value, "schema": OPEN_SCHEMA})
        self.assertEqual(r.status, 201, r)
        for x in range(3):
            r = server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/f/f/multi/same_worker",
                               json_body={"x": x}, token=self.token)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(sorted(r.json().split()), sorted([str(x), "p", "q", "r", "s"]), r)

    def test_6_sessions_cut_by_the_database_are_opened_again_and_notices_flow_again(self):
        server = self.servers[1]
        # A job running through the cut: its node comes back at once, so it is not restarted.
        running = server.run_async(self.token, "u/admin/slow", {"marks": self.marks, "seconds": 3})
        self.wait_running(server, running)
        # What a database restart does to every node's sessions, the listening ones included.
        database = self.db_url.rsplit("/", 1)[1]
        cut = psql(PG_BASE, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            f"WHERE datname = '{database}' AND pid <> pg_backend_pid()")
        self.assertGreaterEqual(int(cut), 5)  # a writer and a listener per node at least
        # A sync caller on one server is answered when a worker node ends its job: the workers
        # hear of the job, and the server of its end, through their new listening sessions.
        for word in ("again", "and again"):
            r = server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/once",
                               json_body={"marks": self.marks, "tag": word}, token=self.token)
            self.assertEqual((r.status, r.json()), (200, word), r)
        ran_on = {server.wait_job(self.token, server.run_async(
            self.token, "u/admin/once", {"marks": self.marks, "tag": str(i)}))["worker"]
                  for i in range(6)}
        self.assertTrue(all(w.startswith("wk-") for w in ran_on), ran_on)
        self.assertIn("the PostgreSQL session for queue notices was lost", server.tail_log())
        done = server.wait_job(self.token, running, timeout=30)
        self.assertTrue(done["success"], done)
        self.assertNotIn("restarting it", done["logs"])
        starts = [n for n in os.listdir(self.marks) if n.startswith(f"started-{running}-")]
        self.assertEqual(len(starts), 1, starts)

    def test_7_with_one_server_stopped_the_other_keeps_serving(self):
        self.servers[0].stop()
        other = self.servers[1]
        r = other.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/once",
                          json_body={"marks": self.marks, "tag": "still here"}, token=self.token)
        self.assertEqual((r.status, r.json()), (200, "still here"), r)
        job_id = other.run_async(self.token, "u/admin/once",
                                 {"marks": self.marks, "tag": "async too"})
        self.assertEqual(other.wait_job(self.token, job_id)["result"], "async too")


if __name__ == "__main__":
    unittest.main()
