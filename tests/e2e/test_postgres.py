"""PostgreSQL as the store (DATABASE_URL). The whole end-to-end suite runs
on it too (`e2e_postgres_*` in CTest); these are what only that backend has. They run in the
PostgreSQL pass and are skipped in the SQLite one."""
import subprocess
import threading
import unittest

from harness import PG_BASE, WS, Server


@unittest.skipUnless(PG_BASE, "the PostgreSQL pass of the suite runs these")
class PostgresStoreTest(unittest.TestCase):
    def test_the_data_lives_in_the_database_not_the_data_folder(self):
        first = Server().start()
        try:
            token = first.login()
            first.create_script(token, "u/admin/kept", "def main():\n    return 'kept'\n")
            self.assertFalse(__import__("os").path.exists(first.data_dir + "/millrace.db"))
            first.stop()
            # Another data folder, the same database: everything is there.
            second = Server(env={"DATABASE_URL": first.env["DATABASE_URL"]}).start()
            try:
                r = second.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/kept",
                                   json_body={}, token=token)
                self.assertEqual((r.status, r.json()), (200, "kept"), r)
            finally:
                second.cleanup()
        finally:
            first.cleanup()

    def test_two_serve_processes_share_one_database(self):
        first = Server(env={"NUM_WORKERS": "1"}).start()
        second = Server(env={"DATABASE_URL": first.env["DATABASE_URL"], "NUM_WORKERS": "1"})
        try:
            second.start()
            token = first.login()
            first.create_script(token, "u/admin/where",
                                's="$1"\nsleep "$s"\necho "$WM_JOB_ID"\n', language="bash")
            # A sync caller is answered wherever it waits, whichever worker ran its job.
            for server in (first, second, first, second):
                r = server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/where",
                                   json_body={"s": 0}, token=token)
                self.assertEqual(r.status, 200, r)
                self.assertTrue(first.wait_job(token, r.json())["success"])
            # Each process has one worker: two jobs at once run one in each.
            ids = [second.run_async(token, "u/admin/where", {"s": 2}) for _ in range(2)]
            workers = {first.wait_job(token, job_id)["worker"] for job_id in ids}
            self.assertEqual(len({w.split("-")[1] for w in workers}), 2, workers)
        finally:
            second.cleanup()
            first.cleanup()

    def test_connections_cut_by_the_database_are_opened_again(self):
        server = Server().start()
        try:
            token = server.login()
            server.create_script(token, "u/admin/echo", 'x="$1"\necho "$x"\n', language="bash")
            database = server.env["DATABASE_URL"].rsplit("/", 1)[1]
            # What a database restart or a cut network does to the server's sessions.
            cut = subprocess.run(
                ["psql", PG_BASE, "-tAc", "SELECT count(pg_terminate_backend(pid)) FROM "
                 f"pg_stat_activity WHERE datname = '{database}'"],
                capture_output=True, text=True, check=True).stdout.strip()
            self.assertGreaterEqual(int(cut), 1)
            for word in ("again", "and again"):
                r = server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/echo",
                                   json_body={"x": word}, token=token)
                self.assertEqual((r.status, r.json()), (200, word), r)
            job = server.run_async(token, "u/admin/echo", {"x": "async"})
            self.assertEqual(server.wait_job(token, job)["result"], "async")
        finally:
            server.cleanup()

    def test_connections_are_capped_by_database_max_connections(self):
        # Two workers: the writer, the listener and two claim sessions leave one to read.
        server = Server(env={"DATABASE_MAX_CONNECTIONS": "5", "NUM_WORKERS": "2"}).start()
        self.addCleanup(server.cleanup)
        token = server.login()
        server.create_script(token, "u/admin/capped", 'x="$1"\necho "$x"\n', language="bash")
        database = server.env["DATABASE_URL"].rsplit("/", 1)[1]

        def connections():
            return int(subprocess.run(
                ["psql", PG_BASE, "-tAc",
                 f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'"],
                capture_output=True, text=True, check=True).stdout.strip())

        results, seen = [], []
        stop = threading.Event()

        def watch():
            while not stop.is_set():
                seen.append(connections())

        def call(n):
            r = server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/capped",
                               json_body={"x": str(n)}, token=token)
            results.append((r.status, r.text.strip()))

        watcher = threading.Thread(target=watch)
        watcher.start()
        callers = [threading.Thread(target=call, args=(n,)) for n in range(24)]
        for c in callers:
            c.start()
        for c in callers:
            c.join()
        stop.set()
        watcher.join()
        self.assertEqual(sorted(results), sorted((200, f'"{n}"') for n in range(24)))
        self.assertLessEqual(max(seen), 5, seen)

    def test_too_few_or_refused_connections_are_clear_errors(self):
        few = Server(env={"DATABASE_MAX_CONNECTIONS": "4", "NUM_WORKERS": "2"})
        self.addCleanup(few.cleanup)
        with self.assertRaises(RuntimeError) as refused:
            few.start()
        self.assertIn("DATABASE_MAX_CONNECTIONS=4 is too few: this process keeps 4",
                      str(refused.exception))
        # The database allows this role one connection: the second of the start is refused.
        limited = Server()
        self.addCleanup(limited.cleanup)
        url = limited.env["DATABASE_URL"]
        database = url.rsplit("/", 1)[1]
        role = "r_" + database
        for sql in (f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 1',
                    f'ALTER DATABASE "{database}" OWNER TO "{role}"'):
            subprocess.run(["psql", PG_BASE, "-qc", sql], capture_output=True, check=True)
        limited.env["DATABASE_URL"] = url.replace("://millrace@", f"://{role}@")
        with self.assertRaises(RuntimeError) as refused:
            limited.start()
        self.assertIn("PostgreSQL refuses more connections", str(refused.exception))

    def test_a_bad_database_url_stops_the_server_with_a_clear_error(self):
        bad = Server(env={"DATABASE_URL": PG_BASE.rsplit("/", 1)[0] + "/no_such_database"})
        with self.assertRaises(RuntimeError) as refused:
            bad.start()
        self.assertIn("cannot connect to PostgreSQL", str(refused.exception))
        bad.cleanup()


if __name__ == "__main__":
    unittest.main()
