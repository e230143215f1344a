"""Tokens, members and scripts inside their boundaries: a token scoped to running a webhook reads
only the jobs it started; a caller's credentials never enter job arguments; an archived script or
flow runs nothing. Each test is an attack that worked before."""
import unittest
import uuid

from e2e_util import Gate, GATE_SH, wait_running
from flow_helpers import FlowMixin, flow_value, rawscript
from harness import WS, ServerTestCase

HELLO = "def main(name: str = 'world'):\n    return f'hello {name}'\n"
UNAUTHORIZED = "Not authorized: Unauthorized"


class ScopedTokenTest(FlowMixin, ServerTestCase):
    """A token that may run one script: its own jobs, nothing else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/hook", HELLO)
        cls.server.create_script(cls.token, "u/admin/gated", GATE_SH, language="bash")
        cls.hook_token = cls.server.create_token(cls.token, label="webhook-hook",
                                                 scopes=["jobs:run:scripts:u/admin/hook",
                                                         "jobs:run:scripts:u/admin/gated"])

    def get(self, path, token):
        return self.server.request("GET", f"/api/w/{WS}{path}", token=token)

    def test_it_reads_the_jobs_it_started_and_no_others(self):
        mine = self.server.run_async(self.hook_token, "u/admin/hook", {"name": "mine"})
        theirs = self.server.run_async(self.token, "u/admin/hook", {"name": "theirs"})
        for job in (mine, theirs):
            self.server.wait_job(self.token, job)
        for route in ("/jobs_u/get/{}", "/jobs_u/completed/get/{}",
                      "/jobs_u/completed/get_result/{}", "/jobs_u/completed/get_result_maybe/{}",
                      "/jobs_u/get_logs/{}", "/jobs_u/getupdate/{}",
                      "/jobs_u/getupdate_sse/{}?only_result=true"):
            with self.subTest(route=route):
                self.assertEqual(self.get(route.format(mine), self.hook_token).status, 200)
                r = self.get(route.format(theirs), self.hook_token)
                self.assertEqual(r.status, 403, r)
                self.assertNotIn("theirs", r.text)
        # A list of jobs is reading other jobs: refused, with the scope it would need.
        r = self.get("/jobs/list", self.hook_token)
        self.assertEqual((r.status, r.text),
                         (403, "Permission denied: Access denied. Required scope: jobs:read"))
        self.assertEqual(self.get("/jobs/list", self.token).status, 200)

    def test_it_cancels_its_own_jobs_only(self):
        gate = Gate()
        try:
            theirs = self.server.run_async(self.token, "u/admin/gated", {"gate": gate.path})
            wait_running(self.server, self.token, theirs)
            r = self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{theirs}",
                                    json_body={"reason": "mine now"}, token=self.hook_token)
            self.assertEqual(r.status, 403, r)
            mine = self.server.run_async(self.hook_token, "u/admin/gated", {"gate": gate.path})
            wait_running(self.server, self.token, mine)
            r = self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{mine}",
                                    json_body={"reason": "changed my mind"},
                                    token=self.hook_token)
            self.assertEqual(r.status, 200, r)
            self.assertTrue(self.server.wait_job(self.token, mine)["canceled"])
        finally:
            gate.open()
        self.assertTrue(self.server.wait_job(self.token, theirs)["success"])

    def test_it_gets_no_resume_urls_of_a_flow_it_did_not_start(self):
        self.create_flow("f/t/approve_me", flow_value(
            rawscript("ask", "def main():\n    return 'asked'\n",
                      suspend={"required_events": 1, "timeout": 60}),
            rawscript("after", "def main():\n    return 'after'\n")))
        flow = self.start("f/t/approve_me")
        self.wait_module(flow, "after", lambda m: m.get("type") == "WaitingForEvents",
                         what="the wait for approval")
        step = self.module_status(self.job(flow), "ask")["job"]
        r = self.get(f"/jobs/resume_urls/{step}/1", self.hook_token)
        self.assertEqual(r.status, 403, r)
        self.assertNotIn("resume", r.text)
        self.assertEqual(self.get(f"/jobs/resume_urls/{step}/1", self.token).status, 200)
        r = self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{flow}",
                                json_body={}, token=self.token)
        self.assertEqual(r.status, 200, r)


class CredentialHeadersTest(ServerTestCase):
    def test_include_header_may_not_copy_credentials_into_args(self):
        self.server.create_script(self.token, "u/admin/kwargs",
                                  "def main(**kwargs):\n    return kwargs\n")
        for header in ("authorization", "Cookie", "x-api-key", "proxy-authorization"):
            with self.subTest(header=header):
                r = self.server.request(
                    "POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/kwargs"
                    f"?include_header=x-sign,{header}", json_body={},
                    headers={"X-Sign": "s", "Cookie": "token=" + self.token,
                             "X-Api-Key": "k", "Proxy-Authorization": "p"},
                    token=self.token)
                self.assertEqual(r.status, 400, r)
                self.assertIn("a caller's credentials never enter a job's arguments", r.text)
                self.assertNotIn(self.token, r.text)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/kwargs"
                                "?include_header=x-sign", json_body={},
                                headers={"X-Sign": "s"}, token=self.token)
        self.assertEqual((r.status, r.json()), (200, {"x_sign": "s"}))


class ArchiveStopsTest(FlowMixin, ServerTestCase):
    def run_sync(self, route):
        return self.server.request("POST", f"/api/w/{WS}/jobs/{route}", json_body={},
                                   token=self.token)

    def archive(self, path, archived=True, kind="scripts/archive/p"):
        return self.server.request("POST", f"/api/w/{WS}/{kind}/{path}",
                                   json_body={"archived": archived}, token=self.token)

    def test_an_archived_script_runs_by_no_route_until_it_is_unarchived(self):
        v1 = self.server.create_script(self.token, "u/admin/retired", HELLO)
        v2 = self.server.create_script(self.token, "u/admin/retired", HELLO + "# v2\n",
                                       parent_hash=v1)
        # Overwritten is not archived: the old version still runs by its hash.
        self.assertEqual(self.run_sync(f"run_wait_result/h/{v1}").status, 200)
        r = self.server.request("POST", f"/api/w/{WS}/scripts/archive/p/u/admin/retired",
                                token=self.token)
        self.assertEqual(r.status, 200, r)
        for route in ("run/p/u/admin/retired", "run_wait_result/p/u/admin/retired",
                      "run_and_stream/p/u/admin/retired", f"run/h/{v2}",
                      f"run_wait_result/h/{v1}", f"run_and_stream/h/{v2}"):
            with self.subTest(route=route):
                r = self.run_sync(route)
                self.assertEqual((r.status, r.text),
                                 (404, "Not found: script u/admin/retired is archived"))
        self.assertEqual(self.archive("u/admin/retired", archived=False).status, 200)
        r = self.run_sync("run_wait_result/p/u/admin/retired")
        self.assertEqual((r.status, r.json()), (200, "hello world"))
        self.assertEqual(self.run_sync(f"run_wait_result/h/{v1}").status, 200)

    def test_an_archived_flow_runs_by_no_route_until_it_is_unarchived(self):
        self.create_flow("f/t/retired_flow", flow_value(rawscript(
            "a", "def main():\n    return 'ran'\n")))
        version = self.server.request("GET", f"/api/w/{WS}/flows/get/f/t/retired_flow",
                                      token=self.token).json()["version_id"]
        self.assertEqual(self.archive("f/t/retired_flow", kind="flows/archive").status, 200)
        for route in ("run/f/f/t/retired_flow", "run_wait_result/f/f/t/retired_flow",
                      "run_and_stream/f/f/t/retired_flow", f"run/fv/{version}",
                      f"run_wait_result/fv/{version}"):
            with self.subTest(route=route):
                r = self.run_sync(route)
                self.assertEqual((r.status, r.text),
                                 (404, "Not found: flow f/t/retired_flow is archived"))
        self.assertEqual(self.archive("f/t/retired_flow", False, "flows/archive").status, 200)
        r = self.run_sync("run_wait_result/f/f/t/retired_flow")
        self.assertEqual((r.status, r.json()), (200, "ran"))


class MembersTest(FlowMixin, ServerTestCase):
    """Paths carry ownership: u/<user>/ is that user's, f/<folder>/ its owners' and writers';
    admins write everywhere; an operator runs and views, never writes; members see the jobs
    they started or whose script they may read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.bob = s.add_member(cls.token, "bob@example.com", "bob-password")
        cls.carol = s.add_member(cls.token, "carol@example.com", "carol-password")
        cls.eve = s.add_member(cls.token, "eve@example.com", "eve-password")
        r = s.request("POST", "/api/users/create", token=cls.token,
                      json_body={"email": "dave@example.com", "password": "dave-password",
                                 "super_admin": False, "name": "Dave"})
        assert r.status == 201, r
        r = s.request("POST", f"/api/w/{WS}/workspaces/add_user", token=cls.token,
                      json_body={"email": "dave@example.com", "is_admin": False,
                                 "operator": True})
        assert r.status == 200, r
        cls.dave = s.login("dave@example.com", "dave-password")
        # team: bob writes, carol reads; public: everyone reads.
        for name, perms in (("team", {"u/bob": True, "u/carol": False}),
                            ("public", {"g/all": False})):
            r = s.request("POST", f"/api/w/{WS}/folders/create", token=cls.token,
                          json_body={"name": name, "summary": name, "extra_perms": perms})
            assert (r.status, r.text) == (200, f"Created folder {name}"), r
        s.create_script(cls.token, "u/admin/private", HELLO)
        s.create_script(cls.token, "f/public/hello", HELLO)

    def create(self, token, path, content=HELLO, **extra):
        body = {"path": path, "summary": "", "content": content, "language": "python3", **extra}
        return self.server.request("POST", f"/api/w/{WS}/scripts/create", json_body=body,
                                   token=token)

    def run_sync(self, token, path):
        return self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/{path}",
                                   json_body={}, token=token)

    def test_a_member_cannot_overwrite_anothers_script_nor_read_or_run_it(self):
        head = self.server.request("GET", f"/api/w/{WS}/scripts/get/p/u/admin/private",
                                   token=self.token).json()["hash"]
        r = self.create(self.bob, "u/admin/private", parent_hash=head)
        self.assertEqual((r.status, r.text), (403, "Permission denied: only admin or an admin "
                                                   "may write at u/admin/private"))
        self.assertEqual(self.create(self.bob, "u/bob/mine").status, 201)
        for route in ("scripts/get/p/u/admin/private", "scripts/raw/p/u/admin/private",
                      f"scripts/get/h/{head}", "scripts/history/p/u/admin/private"):
            with self.subTest(route=route):
                r = self.server.request("GET", f"/api/w/{WS}/{route}", token=self.bob)
                self.assertEqual(r.status, 404, r)
        r = self.run_sync(self.bob, "u/admin/private")
        self.assertEqual((r.status, r.text), (404, "Not found: script not found at name "
                                                   "u/admin/private"))
        listed = self.server.request("GET", f"/api/w/{WS}/scripts/list", token=self.bob).json()
        self.assertNotIn("u/admin/private", [x["path"] for x in listed])
        self.assertIn("u/bob/mine", [x["path"] for x in listed])
        self.assertEqual(self.run_sync(self.bob, "u/bob/mine").json(), "hello world")

    def test_folder_writers_write_readers_read_and_others_see_nothing(self):
        self.assertEqual(self.create(self.bob, "f/team/report").status, 201)
        r = self.create(self.carol, "f/team/carols")
        self.assertEqual(r.status, 403, r)
        self.assertIn("only the owners and writers of the folder team", r.text)
        self.assertEqual(self.run_sync(self.carol, "f/team/report").json(), "hello world")
        self.assertEqual(self.run_sync(self.eve, "f/team/report").status, 404)
        self.assertEqual(self.server.request("GET", f"/api/w/{WS}/scripts/get/p/f/team/report",
                                             token=self.eve).status, 404)
        self.assertEqual(self.run_sync(self.eve, "f/public/hello").json(), "hello world")
        self.assertEqual(self.create(self.eve, "f/public/mine").status, 403)
        # A flow is the same.
        r = self.flows_call("POST", "/create", {"path": "f/team/eves", "summary": "",
                                                "value": flow_value(rawscript(
                                                    "a", "def main():\n    return 1\n"))},
                            token=self.eve)
        self.assertEqual(r.status, 403, r)

    def test_an_operator_runs_and_views_but_never_creates(self):
        r = self.create(self.dave, "u/dave/mine")
        self.assertEqual(r.status, 403, r)
        self.assertIn("an operator runs and views", r.text)
        r = self.flows_call("POST", "/create", {"path": "u/dave/flow", "summary": "",
                                                "value": flow_value(rawscript(
                                                    "a", "def main():\n    return 1\n"))},
                            token=self.dave)
        self.assertEqual(r.status, 403, r)
        r = self.server.request("POST", f"/api/w/{WS}/folders/create", token=self.dave,
                                json_body={"name": "daves"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.run_sync(self.dave, "f/public/hello").json(), "hello world")
        self.assertEqual(self.server.request("GET", f"/api/w/{WS}/scripts/get/p/f/public/hello",
                                             token=self.dave).status, 200)

    def test_members_see_the_jobs_they_started_and_those_they_may_read(self):
        admins = self.server.run_async(self.token, "u/admin/private")
        eves = self.server.run_async(self.eve, "f/public/hello")
        for job in (admins, eves):
            self.server.wait_job(self.token, job)
        get = lambda token, job: self.server.request(  # noqa: E731
            "GET", f"/api/w/{WS}/jobs_u/get/{job}", token=token)
        self.assertEqual(get(self.eve, admins).status, 404)
        self.assertEqual(get(self.eve, eves).status, 200)
        self.assertEqual(get(self.carol, eves).status, 200)  # public: carol may read it
        self.assertEqual(get(self.token, eves).status, 200)  # admins see all
        r = self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{admins}",
                                json_body={}, token=self.eve)
        self.assertEqual(r.status, 404, r)
        listed = self.server.request("GET", f"/api/w/{WS}/jobs/list?per_page=1000",
                                     token=self.eve).json()
        ids = [j["id"] for j in listed]
        self.assertIn(eves, ids)
        self.assertNotIn(admins, ids)
        self.assertTrue(all(j["script_path"].startswith(("u/eve/", "f/public/"))
                            or j["email"] == "eve@example.com" for j in listed), listed)
        everything = self.server.request("GET", f"/api/w/{WS}/jobs/list?per_page=1000",
                                         token=self.token).json()
        self.assertIn(admins, [j["id"] for j in everything])

    def test_folders_are_changed_by_their_owners_and_admins_only(self):
        folders = f"/api/w/{WS}/folders"
        r = self.server.request("POST", f"{folders}/create", token=self.bob,
                                json_body={"name": "bobs", "summary": "bob's"})
        self.assertEqual((r.status, r.text), (200, "Created folder bobs"))
        r = self.server.request("POST", f"{folders}/create", token=self.bob,
                                json_body={"name": "bobs"})
        self.assertEqual((r.status, r.text), (400, "Bad request: Folder bobs already exists"))
        for bad in ({"name": "no/slash"}, {"name": "x", "owners": ["alice"]},
                    {"name": "y", "extra_perms": {"u/alice": "yes"}}):
            r = self.server.request("POST", f"{folders}/create", token=self.bob, json_body=bad)
            self.assertIn(r.status, (400, 422), (bad, r))
        f = self.server.request("GET", f"{folders}/get/bobs", token=self.eve).json()
        self.assertEqual((f["name"], f["owners"], f["extra_perms"], f["summary"]),
                         ("bobs", ["u/bob"], {}, "bob's"))
        self.assertEqual(self.server.request("GET", f"{folders}/exists/bobs",
                                             token=self.eve).json(), True)
        self.assertIn("bobs", self.server.request("GET", f"{folders}/listnames",
                                                  token=self.eve).json())
        # eve may not change it, nor write in it.
        r = self.server.request("POST", f"{folders}/update/bobs", token=self.eve,
                                json_body={"extra_perms": {"u/eve": True}})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.create(self.eve, "f/bobs/x").status, 403)
        # Its owner makes her an owner: now she writes there.
        r = self.server.request("POST", f"{folders}/addowner/bobs", token=self.bob,
                                json_body={"owner": "u/eve"})
        self.assertEqual((r.status, r.text), (200, "Added u/eve to folder bobs"))
        self.assertEqual(self.create(self.eve, "f/bobs/x").status, 201)
        r = self.server.request("POST", f"{folders}/removeowner/bobs", token=self.bob,
                                json_body={"owner": "u/eve", "write": False})
        self.assertEqual((r.status, r.text), (200, "Removed u/eve from folder bobs"))
        self.assertEqual(self.create(self.eve, "f/bobs/y").status, 403)
        self.assertEqual(self.run_sync(self.eve, "f/bobs/x").json(), "hello world")  # reads
        r = self.server.request("DELETE", f"{folders}/delete/bobs", token=self.eve)
        self.assertEqual(r.status, 403, r)
        r = self.server.request("DELETE", f"{folders}/delete/bobs", token=self.token)
        self.assertEqual((r.status, r.text), (200, "Deleted folder bobs"))
        self.assertEqual(self.server.request("GET", f"{folders}/get/bobs",
                                             token=self.token).status, 404)


CROSS_SITE = ("cross-site request refused: a request authenticated only by the session cookie "
              "must come from this app's own pages (send the token as `Authorization: Bearer`)")


class JobIdsAcrossWorkspacesTest(ServerTestCase):
    def test_a_job_id_taken_in_another_workspace_answers_as_in_ones_own_and_reveals_nothing(self):
        s = self.server
        r = s.request("POST", "/api/workspaces/create", token=self.token,
                      json_body={"id": "elsewhere", "name": "Elsewhere"})
        self.assertEqual(r.status, 200, r)
        for ws in (WS, "elsewhere"):
            s.create_script(self.token, "u/admin/hello", HELLO, ws=ws)
        jid = str(uuid.uuid4())
        r = s.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/hello?job_id={jid}",
                      json_body={"name": "first"}, token=self.token)
        self.assertEqual((r.status, r.text), (201, jid))
        s.wait_job(self.token, jid)
        answers = {}
        for ws in (WS, "elsewhere"):
            r = s.request("POST", f"/api/w/{ws}/jobs/run/p/u/admin/hello?job_id={jid}",
                          json_body={"name": "second"}, token=self.token)
            answers[ws] = (r.status, r.text)
        self.assertEqual(answers[WS], (400, f"Bad request: Job with id {jid} already exists"))
        self.assertEqual(answers["elsewhere"], answers[WS])
        r = s.request("GET", f"/api/w/elsewhere/jobs_u/get/{jid}", token=self.token)
        self.assertEqual(r.status, 404, r)
        self.assertEqual(s.wait_job(self.token, jid)["args"], {"name": "first"})


class CrossSiteTest(ServerTestCase):
    """A page of another origin, in a browser where an admin is logged in, runs nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/hello", HELLO)

    def runs(self):
        r = self.server.request("GET", f"/api/w/{WS}/audit/list?operation=jobs.run.script"
                                "&per_page=1000", token=self.token)
        return len(r.json())

    def test_a_cookie_only_run_must_come_from_the_apps_own_origin(self):
        cookie = {"Cookie": "token=" + self.token}
        own = f"http://127.0.0.1:{self.server.port}"
        before = self.runs()
        for method, route in (("POST", "run/p"), ("POST", "run_wait_result/p"),
                              ("GET", "run_wait_result/p"), ("GET", "run_and_stream/p")):
            for name, extra in (("a page of another site", {"Sec-Fetch-Site": "cross-site"}),
                                ("a sibling subdomain", {"Sec-Fetch-Site": "same-site"}),
                                ("another origin", {"Origin": "http://evil.example"}),
                                ("an opaque origin", {"Origin": "null"})):
                with self.subTest(route=route, method=method, sender=name):
                    r = self.server.request(method, f"/api/w/{WS}/jobs/{route}/u/admin/hello",
                                            body=b"{}" if method == "POST" else None,
                                            headers={**cookie, **extra,
                                                     "Content-Type": "application/json"})
                    self.assertEqual((r.status, r.text), (403, CROSS_SITE))
        self.assertEqual(self.runs(), before, "nothing ran")
        # The app's own pages: the browser says same-origin, or sends its Origin. And a client
        # that is no browser (wmill sends some calls with the cookie alone).
        for extra in ({"Sec-Fetch-Site": "same-origin"}, {"Origin": own}, {}):
            r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/hello",
                                    body=b"{}", headers={**cookie, **extra,
                                                         "Content-Type": "application/json"})
            self.assertEqual((r.status, r.json()), (200, "hello world"), extra)
        # Reading is not acting: a cookie-only GET of a page's data still works.
        self.assertEqual(self.server.request("GET", "/api/users/whoami", headers=cookie).status,
                         200)

    def test_bearer_and_query_tokens_work_from_anywhere(self):
        for how in ({"headers": {"Authorization": "Bearer " + self.token,
                                 "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}},
                    {"query": "?token=" + self.token}):
            r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/hello"
                                    + how.get("query", ""), json_body={},
                                    headers=how.get("headers", {}))
            self.assertEqual((r.status, r.json()), (200, "hello world"), how)

    def test_logout_by_get_is_gone(self):
        session = self.server.login()
        r = self.server.request("GET", "/api/auth/logout", headers={"Cookie": "token=" + session})
        self.assertNotEqual(r.status, 200, r)
        self.assertEqual(self.server.request("GET", "/api/users/whoami", token=session).status, 200)


RAW_HTML = """def main(headers: dict = None):
    return {"windmill_content_type": "text/html",
            "windmill_headers": headers or {},
            "result": "<script>fetch('/api/users/tokens/create')</script>"}
"""


class RawResultTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/page", RAW_HTML)

    def page(self, headers=None):
        return self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/page",
                                   json_body={"headers": headers or {}}, token=self.token)

    def test_a_raw_result_is_sandboxed_and_not_sniffed(self):
        r = self.page()
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.content_type.startswith("text/html"), r)
        self.assertEqual(r.headers.get("content-security-policy"), "sandbox")
        self.assertEqual(r.headers.get("x-content-type-options"), "nosniff")
        # A JSON result is not a document: nothing added.
        self.server.create_script(self.token, "u/admin/plain", HELLO)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/plain",
                                json_body={}, token=self.token)
        self.assertNotIn("content-security-policy", r.headers)

    def test_a_result_may_not_set_cookies_security_cors_or_hop_by_hop_headers(self):
        for name, value in (("Set-Cookie", "token=stolen; Path=/"),
                            ("Content-Security-Policy", "default-src *"),
                            ("X-Content-Type-Options", "sniff"),
                            ("Access-Control-Allow-Origin", "*"),
                            ("Access-Control-Allow-Credentials", "true"),
                            ("Location", "https://evil.example/phish"),
                            ("Location", "//evil.example/phish"),
                            ("Transfer-Encoding", "chunked"), ("Connection", "close"),
                            ("Upgrade", "websocket")):
            with self.subTest(header=name, value=value):
                r = self.page({name: value})
                self.assertEqual(r.status, 400, r)
                self.assertIn(f"the job's result may not set the header {name}", r.text)
                self.assertNotIn("set-cookie", r.headers)
        # Its own headers, and a redirect within the app, are fine.
        r = self.page({"X-Custom": "1", "Location": "/api/version", "Cache-Control": "no-store"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.headers["x-custom"], r.headers["location"]), ("1", "/api/version"))


class RawResultCspOffTest(ServerTestCase):
    server_env = {"RAW_RESULT_CSP": "off"}

    def test_an_instance_may_opt_out_of_the_sandbox(self):
        self.server.create_script(self.token, "u/admin/page", RAW_HTML)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/page",
                                json_body={}, token=self.token)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("content-security-policy", r.headers)


if __name__ == "__main__":
    unittest.main()
