"""`millrace backup <file>`: a consistent copy of the SQLite database, taken while the server
serves and writes, that a new server starts from with every script, token and job."""
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import unittest

from harness import BIN, PG_BASE, Server, WS


def backup(data_dir, target, env=None):
    return subprocess.run([BIN, "backup", target, "--data", data_dir], capture_output=True,
                          text=True, timeout=120, env=env or {"PATH": "/usr/bin:/bin"})


@unittest.skipIf(PG_BASE, "a PostgreSQL database is backed up with pg_dump")
class BackupTest(unittest.TestCase):
    def setUp(self):
        self.server = Server().start()
        self.addCleanup(self.server.cleanup)
        self.folder = tempfile.mkdtemp(prefix="millrace-e2e-backup-")
        self.addCleanup(shutil.rmtree, self.folder, True)

    def test_a_backup_taken_while_serving_restores_every_accepted_job(self):
        s = self.server
        token = s.login()
        api_token = s.create_token(token, label="kept-across-restore")
        s.create_script(token, "u/admin/echo", "def main(n: int):\n    return n * 2\n")
        done = [s.run_async(token, "u/admin/echo", {"n": n}) for n in range(3)]
        for job in done:
            s.wait_job(token, job)
        # Webhooks keep arriving while the backup runs: the copy is one moment of the
        # database, and every job accepted before the backup started is in it.
        before = [s.run_async(token, "u/admin/echo", {"n": 100 + n}) for n in range(20)]
        stop = threading.Event()
        during = []

        def keep_calling():
            n = 0
            while not stop.is_set():
                during.append(s.run_async(token, "u/admin/echo", {"n": 1000 + n}))
                n += 1

        caller = threading.Thread(target=keep_calling)
        caller.start()
        target = os.path.join(self.folder, "copy.db")
        try:
            p = backup(s.data_dir, target)
        finally:
            stop.set()
            caller.join()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"to {target}", p.stdout)
        self.assertGreater(len(during), 0)
        self.assertEqual([], [f for f in os.listdir(self.folder) if f != "copy.db"],
                         "no partial file is left beside the copy")
        with sqlite3.connect(target) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        # A second backup never overwrites a file.
        again = backup(s.data_dir, target)
        self.assertEqual(again.returncode, 1)
        self.assertIn("already exists", again.stderr)

        # Restore: a new data folder holding only the copy.
        s.stop()
        restored_dir = tempfile.mkdtemp(prefix="millrace-e2e-restored-")
        shutil.copy(target, os.path.join(restored_dir, "millrace.db"))
        restored = Server(data_dir=restored_dir).start()
        self.addCleanup(shutil.rmtree, restored_dir, True)
        self.addCleanup(restored.cleanup)
        # The session and API tokens of before still work: they are rows of the database.
        r = restored.request("GET", f"/api/w/{WS}/scripts/get/p/u/admin/echo", token=api_token)
        self.assertEqual(r.status, 200, r)
        for n, job in enumerate(done):
            self.assertEqual(restored.wait_job(token, job)["result"], n * 2)
        # Jobs accepted before the backup began, finished or not then, run to their result.
        for n, job in enumerate(before):
            self.assertEqual(restored.wait_job(token, job)["result"], (100 + n) * 2)

    def test_bad_targets_and_sources_are_clear_errors(self):
        p = backup(self.server.data_dir, os.path.join(self.folder, "missing", "copy.db"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("millrace backup:", p.stderr)
        self.assertEqual(os.listdir(self.folder), [])
        p = backup(os.path.join(self.folder, "no-data-here"), os.path.join(self.folder, "x.db"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("no database at", p.stderr)
        p = subprocess.run([BIN, "backup"], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage: millrace backup FILE", p.stderr)


class BackupOfPostgresTest(unittest.TestCase):
    def test_a_postgres_database_is_pointed_at_its_own_tools(self):
        p = backup("/nonexistent", "/tmp/never-written.db",
                   env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://u@127.0.0.1/db"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("pg_dump", p.stderr)
        self.assertFalse(os.path.exists("/tmp/never-written.db"))


if __name__ == "__main__":
    unittest.main()
