"""Job inspection, listing and cancellation (§3), and the audit log (§7)."""
import time
import unittest

from e2e_util import (GATE_SH, Gate, audit_list, new_uuid, parse_ts, poll, rfc3339, sync_run,
                      wait_running)
from harness import ADMIN_EMAIL, WS, ServerTestCase

HELLO = "def main(name: str = 'world'):\n    print('saying hello to', name)\n    return f'hello {name}'\n"
FAILS = "def main():\n    raise RuntimeError('nope')\n"

QUEUED_FIELDS = ("workspace_id", "id", "created_by", "created_at", "scheduled_for", "running",
                 "script_entrypoint_override", "args", "canceled", "job_kind", "permissioned_as",
                 "is_flow_step", "same_worker", "email", "visible_to_owner", "tag")
COMPLETED_FIELDS = ("workspace_id", "id", "created_by", "created_at", "started_at", "completed_at",
                    "duration_ms", "success", "args", "result_columns", "deleted", "canceled",
                    "job_kind", "permissioned_as", "is_flow_step", "is_skipped", "email",
                    "visible_to_owner", "tag")


class JobsTestBase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.gate_hash = s.create_script(cls.token, "u/admin/gate", GATE_SH, language="bash")
        cls.hello_hash = s.create_script(cls.token, "u/admin/hello", HELLO)
        s.create_script(cls.token, "u/admin/fails", FAILS)

    def get(self, route, token=None):
        return self.server.request("GET", f"/api/w/{WS}{route}", token=token or self.token)

    def start_gated(self):
        gate = Gate()
        self.addCleanup(gate.cleanup)
        job = self.server.run_async(self.token, "u/admin/gate", {"gate": gate.path})
        wait_running(self.server, self.token, job)
        return gate, job


class JobInspectionTest(JobsTestBase):
    def test_running_job_is_a_queued_job_with_type(self):
        gate, job = self.start_gated()
        r = self.get(f"/jobs_u/get/{job}")
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertEqual(j["type"], "QueuedJob")
        self.assertEqual(j["id"], job)
        self.assertEqual(j["workspace_id"], WS)
        self.assertIs(j["running"], True)
        self.assertIsNotNone(j.get("started_at"))
        self.assertEqual(j["script_path"], "u/admin/gate")
        self.assertEqual(j["script_hash"], self.gate_hash)
        self.assertEqual(j["args"], {"gate": gate.path})
        self.assertEqual(j["job_kind"], "script")
        self.assertEqual(j["language"], "bash")
        self.assertEqual(j["tag"], "bash")
        self.assertEqual(j["permissioned_as"], "u/admin")
        self.assertEqual(j["created_by"], "admin")
        self.assertEqual(j["email"], ADMIN_EMAIL)
        self.assertIs(j["canceled"], False)
        gate.open()
        self.server.wait_job(self.token, job)

    def test_queued_job_has_the_reference_fields(self):
        gate, job = self.start_gated()
        j = self.get(f"/jobs_u/get/{job}").json()
        missing = [f for f in QUEUED_FIELDS if f not in j]
        self.assertEqual(missing, [], j)
        gate.open()

    def test_not_yet_started_job_is_queued_not_running(self):
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/hello?scheduled_in_secs=600",
                                json_body={}, token=self.token)
        self.assertEqual(r.status, 201, r)
        j = self.get(f"/jobs_u/get/{r.text}").json()
        self.assertEqual((j["type"], j["running"]), ("QueuedJob", False))
        self.assertIsNone(j.get("started_at"))
        self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{r.text}", json_body={},
                            token=self.token)

    def test_finished_job_is_a_completed_job_with_type(self):
        job = self.server.run_async(self.token, "u/admin/hello", {"name": "c"})
        self.server.wait_job(self.token, job)
        j = self.get(f"/jobs_u/get/{job}").json()
        self.assertEqual(j["type"], "CompletedJob")
        self.assertIs(j["success"], True)
        self.assertEqual(j["result"], "hello c")
        self.assertIsInstance(j["duration_ms"], int)
        self.assertGreaterEqual(j["duration_ms"], 0)
        self.assertLessEqual(parse_ts(j["created_at"]), parse_ts(j["started_at"]))
        self.assertLessEqual(parse_ts(j["started_at"]), parse_ts(j["completed_at"]))
        self.assertIn("saying hello to c", j["logs"])
        r = self.get(f"/jobs_u/get/{job}?no_logs=true")
        self.assertNotIn("logs", r.json())

    def test_completed_get_has_reference_fields_and_no_type(self):
        job = self.server.run_async(self.token, "u/admin/hello", {"name": "f"})
        j = self.server.wait_job(self.token, job)
        missing = [f for f in COMPLETED_FIELDS if f not in j]
        self.assertEqual(missing, [], j)
        self.assertNotIn("type", j)
        self.assertEqual(j["args"], {"name": "f"})
        self.assertEqual(j["script_hash"], self.hello_hash)
        self.assertEqual(j["language"], "python3")
        self.assertIs(j["canceled"], False)
        self.assertIs(j["deleted"], False)

    def test_completed_get_and_get_result_are_404_until_done(self):
        gate, job = self.start_gated()
        for route in (f"/jobs_u/completed/get/{job}", f"/jobs/completed/get/{job}",
                      f"/jobs_u/completed/get_result/{job}"):
            with self.subTest(route=route):
                r = self.get(route)
                self.assertEqual(r.status, 404, r)
                self.assertTrue(r.text.startswith("Not found: "), r)
        r = self.get(f"/jobs_u/completed/get_result/{job}")
        self.assertTrue(r.text.startswith(f"Not found: Completed Job not found at name {job}"), r)
        gate.open()
        self.server.wait_job(self.token, job)
        for route in (f"/jobs_u/completed/get/{job}", f"/jobs/completed/get/{job}"):
            self.assertEqual(self.get(route).status, 200)
        r = self.get(f"/jobs_u/completed/get_result/{job}")
        self.assertEqual((r.status, r.json()), (200, "released"))

    def test_get_result_maybe_reports_completion(self):
        gate, job = self.start_gated()
        r = self.get(f"/jobs_u/completed/get_result_maybe/{job}")
        self.assertEqual(r.status, 200, r)
        # Windmill's Python client reads `success` on every poll, running or not.
        self.assertEqual({k: r.json()[k] for k in ("completed", "success", "result")},
                         {"completed": False, "success": False, "result": None})
        gate.open()
        self.server.wait_job(self.token, job)
        m = self.get(f"/jobs_u/completed/get_result_maybe/{job}").json()
        self.assertEqual((m["completed"], m["success"], m["result"]), (True, True, "released"))

    def test_get_result_of_failed_job_is_the_error(self):
        job = self.server.run_async(self.token, "u/admin/fails")
        self.server.wait_job(self.token, job)
        r = self.get(f"/jobs_u/completed/get_result/{job}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["error"]["name"], "RuntimeError")
        m = self.get(f"/jobs_u/completed/get_result_maybe/{job}").json()
        self.assertEqual((m["completed"], m["success"]), (True, False))

    def test_getupdate_reports_running_then_completed(self):
        gate, job = self.start_gated()
        u = self.get(f"/jobs_u/getupdate/{job}?running=false&log_offset=0").json()
        self.assertEqual((u["running"], u["completed"]), (True, False))
        gate.open()
        self.server.wait_job(self.token, job)
        u = self.get(f"/jobs_u/getupdate/{job}?running=true&log_offset=0").json()
        self.assertEqual((u["running"], u["completed"]), (False, True))
        self.assertIn("released", u["new_logs"])
        self.assertEqual(u["log_offset"], len(u["new_logs"]))

    def test_get_logs_is_the_job_output_text(self):
        job = self.server.run_async(self.token, "u/admin/hello", {"name": "logs"})
        self.server.wait_job(self.token, job)
        r = self.get(f"/jobs_u/get_logs/{job}")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.content_type.startswith("text/plain"), r.content_type)
        self.assertIn("saying hello to logs", r.text)

    def test_unknown_job_is_404_everywhere(self):
        jid = new_uuid()
        for route in (f"/jobs_u/get/{jid}", f"/jobs_u/completed/get/{jid}",
                      f"/jobs_u/completed/get_result/{jid}", f"/jobs_u/getupdate/{jid}",
                      f"/jobs_u/get_logs/{jid}"):
            with self.subTest(route=route):
                self.assertEqual(self.get(route).status, 404)


class JobListTest(JobsTestBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.create_script(cls.token, "u/admin/listed", HELLO)
        s.create_script(cls.token, "u/admin/listed_fail", FAILS)
        cls.ok_jobs = [s.run_async(cls.token, "u/admin/listed", {"name": str(i)}) for i in range(2)]
        cls.fail_job = s.run_async(cls.token, "u/admin/listed_fail")
        lister = s.create_token(cls.token, label="lister")
        cls.labeled_job = s.run_async(lister, "u/admin/listed", {"name": "labeled"})
        for j in cls.ok_jobs + [cls.fail_job, cls.labeled_job]:
            s.wait_job(cls.token, j)

    def list(self, query):
        r = self.get(f"/jobs/list?{query}")
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_list_filters_by_exact_script_path(self):
        jobs = self.list("script_path_exact=u/admin/listed")
        self.assertEqual({j["id"] for j in jobs}, set(self.ok_jobs) | {self.labeled_job})
        for j in jobs:
            self.assertEqual(j["script_path"], "u/admin/listed")
            self.assertEqual(j["type"], "CompletedJob")

    def test_list_filters_by_success(self):
        ok = {j["id"] for j in self.list("script_path_start=u/admin/listed&success=true")}
        bad = {j["id"] for j in self.list("script_path_start=u/admin/listed&success=false")}
        self.assertEqual(ok, set(self.ok_jobs) | {self.labeled_job})
        self.assertEqual(bad, {self.fail_job})

    def test_list_filters_by_created_by(self):
        jobs = self.list("created_by=label-lister")
        self.assertEqual([j["id"] for j in jobs], [self.labeled_job])
        self.assertEqual(jobs[0]["permissioned_as"], "u/admin")

    def test_list_filters_by_running(self):
        gate, job = self.start_gated()
        running = self.list("running=true")
        self.assertIn(job, [j["id"] for j in running])
        for j in running:
            self.assertEqual((j["type"], j["running"]), ("QueuedJob", True))
        self.assertNotIn(job, [j["id"] for j in self.list("success=true")])
        gate.open()
        self.server.wait_job(self.token, job)
        self.assertNotIn(job, [j["id"] for j in self.list("running=true")])

    def test_queue_list_and_completed_list_split_the_jobs(self):
        gate, job = self.start_gated()
        queued = self.get("/jobs/queue/list?script_path_start=u/admin/").json()
        completed = self.get("/jobs/completed/list?script_path_start=u/admin/listed").json()
        self.assertEqual([j["id"] for j in queued], [job])
        self.assertEqual({j["id"] for j in completed},
                         set(self.ok_jobs) | {self.fail_job, self.labeled_job})
        self.assertEqual({j["type"] for j in completed}, {"CompletedJob"})
        failed = self.get("/jobs/completed/list?script_path_start=u/admin/listed&success=false")
        self.assertEqual([j["id"] for j in failed.json()], [self.fail_job])
        # A filter that asks for the other kind matches nothing.
        self.assertEqual(self.get("/jobs/completed/list?running=true").json(), [])
        self.assertEqual(self.get("/jobs/queue/list?success=true").json(), [])
        gate.open()
        self.server.wait_job(self.token, job)
        self.assertEqual(self.get("/jobs/queue/list?script_path_start=u/admin/").json(), [])

    def test_list_is_newest_first_and_paginates(self):
        everything = self.list("script_path_start=u/admin/listed")
        created = [parse_ts(j["created_at"]) for j in everything]
        self.assertEqual(created, sorted(created, reverse=True))
        p1 = self.list("script_path_start=u/admin/listed&per_page=2&page=1")
        p2 = self.list("script_path_start=u/admin/listed&per_page=2&page=2")
        self.assertEqual([j["id"] for j in p1 + p2], [j["id"] for j in everything[:4]])


class CancelTest(JobsTestBase):
    def cancel(self, job, body=None):
        return self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{job}",
                                   json_body=body if body is not None else {}, token=self.token)

    def test_cancel_running_job_completes_it_as_canceled_with_reason(self):
        gate, job = self.start_gated()
        r = self.cancel(job, {"reason": "stop it"})
        self.assertEqual((r.status, r.text), (200, job))
        done = self.server.wait_job(self.token, job)
        self.assertIs(done["canceled"], True, done)
        self.assertIs(done["success"], False, done)
        self.assertEqual(done["canceled_by"], "admin")
        self.assertEqual(done["canceled_reason"], "stop it")
        err = done["result"]["error"]
        self.assertEqual(err["name"], "Canceled")
        self.assertEqual(err["message"], "Job canceled: stop it by admin")
        r = self.get(f"/jobs_u/completed/get_result/{job}")
        self.assertEqual(r.json()["error"]["name"], "Canceled")

    def test_cancel_not_started_job_completes_it_at_once(self):
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/hello?scheduled_in_secs=600",
                                json_body={}, token=self.token)
        job = r.text
        r = self.cancel(job, {"reason": "never mind"})
        self.assertEqual((r.status, r.text), (200, job))
        done = self.server.wait_job(self.token, job, timeout=10)
        self.assertEqual((done["canceled"], done["success"], done["canceled_reason"]),
                         (True, False, "never mind"))
        self.assertIsNone(done["started_at"])

    def test_cancel_unknown_job_is_404(self):
        jid = new_uuid()
        r = self.cancel(jid)
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.text, f"Not found: queued job id {jid} does not exist")

    def test_cancel_completed_job_is_200_already_completed(self):
        job = self.server.run_async(self.token, "u/admin/hello")
        self.server.wait_job(self.token, job)
        r = self.cancel(job)
        self.assertEqual((r.status, r.text), (200, f"queued job id {job} is already completed"))
        self.assertIs(self.server.wait_job(self.token, job)["success"], True)


class AuditTest(JobsTestBase):
    def rows(self, **filters):
        return audit_list(self.server, self.token, **filters)

    def run_row(self, job, path):
        """The jobs.run.script audit row of one job."""
        def find():
            for a in self.rows(operation="jobs.run.script", resource=path):
                if (a.get("parameters") or {}).get("uuid") == job:
                    return a
            return None
        return poll(find, timeout=10, what=f"audit row of job {job}")

    def assert_token_prefix(self, row, tok):
        prefix = row.get("token_prefix") or (row.get("parameters") or {}).get("token_prefix")
        self.assertEqual(prefix, tok[:10], row)

    def test_async_webhook_writes_jobs_run_script_row(self):
        job = self.server.run_async(self.token, "u/admin/hello")
        a = self.run_row(job, "u/admin/hello")
        self.assertEqual(a["operation"], "jobs.run.script")
        self.assertEqual(a["action_kind"], "Execute")
        self.assertEqual(a["resource"], "u/admin/hello")
        self.assertEqual(a["workspace_id"], WS)
        self.assertEqual(a["username"], "admin")
        p = a["parameters"]
        self.assertEqual((p["uuid"], p["hash"], p["permissioned_as"]), (job, self.hello_hash, "u/admin"))
        self.assert_token_prefix(a, self.token)
        for f in ("id", "timestamp"):
            self.assertIn(f, a)

    def test_sync_and_by_hash_webhooks_write_rows_too(self):
        jid = new_uuid()
        r = sync_run(self.server, self.token, "u/admin/hello", query=f"?job_id={jid}")
        self.assertEqual(r.status, 200, r)
        self.run_row(jid, "u/admin/hello")
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/h/{self.hello_hash}", json_body={},
                                token=self.token)
        a = self.run_row(r.text, "u/admin/hello")
        self.assertEqual(a["parameters"]["hash"], self.hello_hash)

    def test_username_is_the_token_label_display_name(self):
        for label, expect in (("webhook-x", "webhook-x"), ("ci", "label-ci"), ("http-hook", "http-hook"),
                              (None, "admin")):
            with self.subTest(label=label):
                tok = self.server.create_token(self.token, **({"label": label} if label else {}))
                job = self.server.run_async(tok, "u/admin/hello")
                a = self.run_row(job, "u/admin/hello")
                self.assertEqual(a["username"], expect)
                self.assertEqual(a["parameters"]["permissioned_as"], "u/admin")
                self.assert_token_prefix(a, tok)
                done = self.server.wait_job(self.token, job)
                self.assertEqual((done["created_by"], done["permissioned_as"]), (expect, "u/admin"))

    def test_operation_filter_is_a_prefix(self):
        self.server.run_async(self.token, "u/admin/hello")
        rows = poll(lambda: self.rows(operation="jobs.run"), timeout=10, what="jobs.run rows")
        self.assertTrue(all(a["operation"].startswith("jobs.run") for a in rows), rows)
        self.assertIn("jobs.run.script", {a["operation"] for a in rows})
        self.assertEqual(self.rows(operation="jobs.run.nothing_like_this"), [])

    def test_resource_username_and_action_kind_filters(self):
        self.server.create_script(self.token, "u/admin/audited", HELLO)
        tok = self.server.create_token(self.token, label="webhook-filter")
        job = self.server.run_async(tok, "u/admin/audited")
        self.run_row(job, "u/admin/audited")
        rows = self.rows(resource="u/admin/audited")
        self.assertEqual({a["operation"] for a in rows}, {"scripts.create", "jobs.run.script"})
        rows = self.rows(username="webhook-filter")
        self.assertEqual([a["parameters"]["uuid"] for a in rows], [job])
        rows = self.rows(action_kind="Execute")
        self.assertTrue(rows)
        self.assertTrue(all(a["action_kind"] == "Execute" for a in rows))
        rows = self.rows(action_kind="Create", resource="u/admin/audited")
        self.assertEqual([a["operation"] for a in rows], ["scripts.create"])

    def test_before_and_after_filters(self):
        self.server.create_script(self.token, "u/admin/timed", HELLO)
        first = self.server.run_async(self.token, "u/admin/timed")
        a1 = self.run_row(first, "u/admin/timed")
        time.sleep(0.05)  # two distinct millisecond timestamps
        second = self.server.run_async(self.token, "u/admin/timed")
        a2 = self.run_row(second, "u/admin/timed")
        t1, t2 = parse_ts(a1["timestamp"]), parse_ts(a2["timestamp"])
        self.assertLess(t1, t2)
        mid = rfc3339(t1 + (t2 - t1) / 2)
        after = [a["parameters"]["uuid"] for a in self.rows(operation="jobs.run.script",
                                                            resource="u/admin/timed", after=mid)]
        before = [a["parameters"]["uuid"] for a in self.rows(operation="jobs.run.script",
                                                             resource="u/admin/timed", before=mid)]
        self.assertEqual((after, before), ([second], [first]))

    def test_page_and_per_page(self):
        self.server.create_script(self.token, "u/admin/paged", HELLO)
        jobs = [self.server.run_async(self.token, "u/admin/paged") for _ in range(3)]
        for j in jobs:
            self.run_row(j, "u/admin/paged")
        everything = self.rows(operation="jobs.run.script", resource="u/admin/paged")
        self.assertEqual(len(everything), 3)
        ids = [a["id"] for a in everything]
        self.assertEqual(ids, sorted(ids, reverse=True))  # newest first
        p1 = self.rows(operation="jobs.run.script", resource="u/admin/paged", per_page=2, page=1)
        p2 = self.rows(operation="jobs.run.script", resource="u/admin/paged", per_page=2, page=2)
        self.assertEqual([a["id"] for a in p1 + p2], ids)

    def test_login_and_token_operations_are_audited(self):
        self.server.login()
        logins = self.rows(operation="users.login", all_workspaces="true")
        self.assertTrue(logins, "no users.login row")
        self.assertEqual(logins[0]["username"], "admin")
        tok = self.server.create_token(self.token, label="audited-token")
        r = self.server.request("DELETE", f"/api/users/tokens/delete/{tok[:10]}", token=self.token)
        self.assertEqual(r.status, 200, r)
        created = self.rows(operation="users.token.create", resource=tok[:10], all_workspaces="true")
        deleted = self.rows(operation="users.token.delete", resource=tok[:10], all_workspaces="true")
        self.assertEqual([(a["action_kind"], a["resource"]) for a in created], [("Create", tok[:10])])
        self.assertEqual([(a["action_kind"], a["resource"]) for a in deleted], [("Delete", tok[:10])])
        self.assertNotIn(tok, str(created) + str(deleted))

    def test_script_create_and_update_are_audited(self):
        s = self.server
        v1 = s.create_script(self.token, "u/admin/lifecycle", HELLO)
        v2 = s.create_script(self.token, "u/admin/lifecycle", HELLO + "# v2\n", parent_hash=v1)
        rows = self.rows(resource="u/admin/lifecycle", operations="scripts.create,scripts.update")
        ops = [(a["operation"], a["action_kind"], (a.get("parameters") or {}).get("hash")) for a in rows]
        self.assertEqual(ops, [("scripts.update", "Update", v2), ("scripts.create", "Create", v1)])

    def test_script_archive_is_audited_as_delete_of_the_hash(self):
        # Windmill audits an archive as a Delete whose resource is the archived script's hash.
        s = self.server
        v1 = s.create_script(self.token, "u/admin/archived_audit", HELLO)
        r = s.request("POST", f"/api/w/{WS}/scripts/archive/p/u/admin/archived_audit", token=self.token)
        self.assertEqual(r.status, 200, r)
        archived = self.rows(operation="scripts.archive")
        self.assertEqual([(a["action_kind"], a["resource"]) for a in archived], [("Delete", v1)])

    def test_cancel_is_audited(self):
        gate, job = self.start_gated()
        r = self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{job}",
                                json_body={"reason": "audit me"}, token=self.token)
        self.assertEqual(r.status, 200, r)
        self.server.wait_job(self.token, job)
        rows = poll(lambda: self.rows(operation="jobs.cancel", resource=job), timeout=10,
                    what="jobs.cancel row")
        self.assertEqual([(a["action_kind"], a["username"]) for a in rows], [("Delete", "admin")])

    def test_non_admin_sees_only_own_rows(self):
        s = self.server
        r = s.request("POST", "/api/users/create", token=self.token,
                      json_body={"email": "dave@example.com", "password": "dave-pw", "super_admin": False})
        self.assertEqual(r.status, 201, r)
        r = s.request("POST", f"/api/w/{WS}/workspaces/add_user", token=self.token,
                      json_body={"email": "dave@example.com", "is_admin": False, "operator": False})
        self.assertEqual(r.status, 200, r)
        dave = s.login("dave@example.com", "dave-pw")
        name = s.request("GET", f"/api/w/{WS}/users/whoami", token=dave).json()["username"]
        s.create_script(dave, f"u/{name}/mine", HELLO)
        job = s.run_async(dave, f"u/{name}/mine")
        s.wait_job(dave, job)
        rows = audit_list(s, dave)
        self.assertTrue(rows)
        self.assertEqual({a["username"] for a in rows}, {name})
        self.assertIn(job, [(a.get("parameters") or {}).get("uuid") for a in rows])
        # Asking for every workspace is a superadmin's right: a member still gets their own.
        everywhere = audit_list(s, dave, all_workspaces="true")
        self.assertEqual({a["username"] for a in everywhere}, {name})
        # One row by id: their own, yes; an admin's, as if it did not exist.
        own = s.request("GET", f"/api/w/{WS}/audit/get/{rows[0]['id']}", token=dave)
        self.assertEqual((own.status, own.json()["username"]), (200, name))
        admins = [a for a in audit_list(s, self.token) if a["username"] != name]
        self.assertTrue(admins)
        other = s.request("GET", f"/api/w/{WS}/audit/get/{admins[0]['id']}", token=dave)
        self.assertEqual((other.status, other.text),
                         (404, f"Not found: Audit log not found at name {admins[0]['id']}"))
        self.assertEqual(s.request("GET", f"/api/w/{WS}/audit/get/{admins[0]['id']}",
                                   token=self.token).status, 200)


if __name__ == "__main__":
    unittest.main()
