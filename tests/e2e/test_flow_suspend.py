"""Approval steps (Windmill's `suspend`): after a step with `suspend: {required_events}` the
flow waits for that many answers to its signed resume URLs (`jobs/resume_urls`, then
`jobs_u/resume` or `jobs_u/cancel`, which need no token), or for its timeout. The next step sees
`resume`, `resumes` and `approvers`. A refusal or a timeout fails the flow, unless
`continue_on_disapprove_timeout`; a suspended flow survives a kill -9 of the server."""
import json
import unittest
import urllib.parse

from flow_helpers import FlowMixin, flow_value, js, rawscript
from harness import WS, ServerTestCase, b64

# The step asks for its own resume URLs with its WM_TOKEN, as wmill.get_resume_urls() does.
ASK_URLS_PY = """import json, os, urllib.request
def main(resume_id: int, approver: str):
    url = (os.environ["WM_BASE_URL"] + "/api/w/" + os.environ["WM_WORKSPACE"] + "/jobs/resume_urls/"
           + os.environ["WM_JOB_ID"] + "/" + str(resume_id) + "?approver=" + approver)
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + os.environ["WM_TOKEN"]})
    return json.load(urllib.request.urlopen(req, timeout=10))
"""
# The same through Millrace's wmill module, as a Windmill script writes it.
ASK_URLS_WMILL_PY = """import wmill
def main(resume_id: int, approver: str):
    return wmill.get_resume_urls(approver=approver)
"""
SEE_RESUME_PY = "def main(resume, resumes, approvers):\n    return [resume, resumes, approvers]\n"


def approval_flow(required=1, timeout=60, **suspend_extra):
    suspend = {"required_events": required, "timeout": timeout, **suspend_extra}
    return flow_value(
        rawscript("ask", ASK_URLS_PY, resume_id=js("flow_input.resume_id ?? 7"),
                  approver=js("flow_input.approver ?? 'alice'"), suspend=suspend),
        rawscript("after", SEE_RESUME_PY, resume=js("resume"), resumes=js("resumes"),
                  approvers=js("approvers")))


class ApprovalTest(FlowMixin, ServerTestCase):
    def suspended(self, flow_id):
        """Waits until the flow waits for events after `ask`; answers ask's result (its URLs)."""
        self.wait_module(flow_id, "after", lambda m: m.get("type") == "WaitingForEvents",
                         what="the wait for approval")
        ask = self.module_status(self.job(flow_id), "ask")
        return self.job(ask["job"])["result"]

    def call(self, method, url, body=None):
        """A resume or cancel URL, as a mail's link or a chat button would call it: no token."""
        path = url.split("://", 1)[1].split("/", 1)[1]
        return self.server.request(method, "/" + path, json_body=body, token="")

    def test_a_resume_url_continues_the_flow_and_the_next_step_sees_the_payload(self):
        self.create_flow("f/t/approve", approval_flow())
        flow = self.start("f/t/approve")
        urls = self.suspended(flow)
        sig_part = f"/{WS}/jobs_u/resume/"
        self.assertIn(sig_part, urls["resume"], urls)
        self.assertIn(f"/approve/{WS}/", urls["approvalPage"], urls)
        self.assertTrue(urls["cancel"].endswith("?approver=alice"), urls)
        self.assertEqual(self.job(flow)["type"], "QueuedJob")  # waiting, not done
        r = self.call("POST", urls["resume"], {"ok": True, "note": "looks good"})
        self.assertEqual((r.status, r.text), (201, ""), r)
        job = self.wait_flow(flow)
        payload = {"ok": True, "note": "looks good"}
        self.assert_succeeded(job, [payload, [payload], ["alice"]])
        self.assertEqual(self.module_status(job, "ask").get("approvers"),
                         [{"resume_id": 7, "approver": "alice"}], job)
        # The same answer twice is refused: the flow has moved on anyway.
        r = self.call("POST", urls["resume"], {"ok": True})
        self.assertEqual(r.status, 404, r)

    def test_wmill_get_resume_urls_gives_urls_that_resume_the_flow(self):
        self.create_flow("f/t/approve_wmill", flow_value(
            rawscript("ask", ASK_URLS_WMILL_PY, resume_id=js("0"), approver=js("'carol'"),
                      suspend={"required_events": 1, "timeout": 60}),
            rawscript("after", SEE_RESUME_PY, resume=js("resume"), resumes=js("resumes"),
                      approvers=js("approvers"))))
        flow = self.start("f/t/approve_wmill")
        urls = self.suspended(flow)
        self.assertEqual(set(urls), {"approvalPage", "resume", "cancel"}, urls)
        self.assertTrue(urls["resume"].endswith("?approver=carol"), urls)
        r = self.call("POST", urls["resume"], {"ok": 1})
        self.assertEqual(r.status, 201, r)
        self.assert_succeeded(self.wait_flow(flow), [{"ok": 1}, [{"ok": 1}], ["carol"]])

    def test_a_forged_or_reused_signature_is_refused(self):
        self.create_flow("f/t/forged", approval_flow(required=2))
        flow = self.start("f/t/forged")
        urls = self.suspended(flow)
        forged = urls["resume"].replace("?approver=alice", "?approver=mallory")
        self.assertEqual(self.call("POST", forged, {}).status, 403)
        bad = urls["resume"].split("?")[0][:-4] + "beef?approver=alice"
        r = self.call("POST", bad, {})
        self.assertEqual(r.status, 403, r)
        self.assertIn("invalid signature", r.text)
        self.assertEqual(self.call("POST", urls["resume"], {"n": 1}).status, 201)
        r = self.call("POST", urls["resume"], {"n": 1})
        self.assertEqual((r.status, r.text), (400, "Bad request: resume request already sent"), r)
        # One of two approvals: still waiting, one more to go.
        after = self.wait_module(flow, "after", lambda m: m.get("count") == 1,
                                 what="one approval left")
        self.assertEqual(after["type"], "WaitingForEvents", after)
        # A second approver (another resume id, asked for with a token) completes it.
        ask_job = self.module_status(self.job(flow), "ask")["job"]
        r = self.server.request("GET", f"/api/w/{WS}/jobs/resume_urls/{ask_job}/8?approver=bob",
                                token=self.token)
        self.assertEqual(r.status, 200, r)
        payload = urllib.parse.quote(b64({"n": 2}))
        r = self.call("GET", r.json()["resume"] + f"&payload={payload}")
        self.assertEqual(r.status, 201, r)
        job = self.wait_flow(flow)
        self.assert_succeeded(job, [{"n": 2}, [{"n": 1}, {"n": 2}], ["alice", "bob"]])

    def test_a_cancel_url_fails_the_flow_as_disapproved(self):
        self.create_flow("f/t/refuse", approval_flow())
        flow = self.start("f/t/refuse", {"approver": "bob"})
        urls = self.suspended(flow)
        self.assertEqual(self.call("GET", urls["cancel"]).status, 201)
        job = self.wait_flow(flow)
        self.assertIs(job["success"], False, job)
        error = job["result"]["error"]
        self.assertEqual((error["name"], error["message"], error["step_id"]),
                         ("SuspendedDisapproved", "Disapproved by bob", "ask"), job)
        self.assertEqual(self.children_of_step(flow, "after"), [], "the next step ran")

    def test_no_answer_before_the_timeout_fails_the_flow_or_goes_on_when_asked(self):
        self.create_flow("f/t/timeout", approval_flow(timeout=1))
        job = self.wait_flow(self.start("f/t/timeout"))
        self.assertIs(job["success"], False, job)
        self.assertEqual(job["result"]["error"]["name"], "SuspendedTimedOut", job)
        self.assertEqual(job["result"]["error"]["message"], "Timed out waiting to be resumed")

        self.create_flow("f/t/timeout_goes_on",
                         approval_flow(timeout=1, continue_on_disapprove_timeout=True))
        job = self.wait_flow(self.start("f/t/timeout_goes_on"))
        timed_out = {"error": {"name": "SuspendedTimedOut",
                               "message": "Timed out waiting to be resumed"}}
        self.assert_succeeded(job, [timed_out, [timed_out], []])

    def test_canceling_a_suspended_flow_ends_it_at_once(self):
        self.create_flow("f/t/cancel_waiting", approval_flow())
        flow = self.start("f/t/cancel_waiting")
        self.suspended(flow)
        r = self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{flow}",
                                json_body={"reason": "not needed"}, token=self.token)
        self.assertEqual(r.status, 200, r)
        job = self.wait_flow(flow, timeout=10)
        self.assertIs(job["canceled"], True, job)


class ApprovalPolicyTest(FlowMixin, ServerTestCase):
    """Who may answer: the URL is bound to its workspace, its step and its approver; a step may
    ask for a logged-in approver who is not the flow's author."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bob = cls.server.add_member(cls.token, "bob@example.com", "bob-password")
        r = cls.server.request("POST", "/api/workspaces/create", token=cls.token,
                               json_body={"id": "other", "name": "Other"})
        assert r.status in (200, 201), r

    def step_job(self, flow):
        self.wait_module(flow, "after", lambda m: m.get("type") == "WaitingForEvents",
                         what="the wait for approval")
        return self.module_status(self.job(flow), "ask")["job"]

    def urls(self, step_job, approver="alice", ws=WS):
        r = self.server.request("GET", f"/api/w/{ws}/jobs/resume_urls/{step_job}/5?approver={approver}",
                                token=self.token)
        return r

    def test_urls_are_only_made_for_a_waiting_step_and_only_answer_in_their_workspace(self):
        self.create_flow("f/t/bound", approval_flow())
        flow = self.start("f/t/bound")
        step = self.step_job(flow)
        self.assertEqual(self.urls("01a21d9e-0000-7000-8000-000000000000").status, 404)
        self.assertEqual(self.urls(flow).status, 404, "a flow is not a step of a flow")
        self.assertEqual(self.urls(step, ws="other").status, 404, "not a job of that workspace")
        resume = self.urls(step).json()["resume"]
        path = "/" + resume.split("://", 1)[1].split("/", 1)[1]
        elsewhere = path.replace(f"/api/w/{WS}/", "/api/w/other/")
        r = self.server.request("POST", elsewhere, json_body={}, token="")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.server.request("POST", path, json_body={}, token="").status, 201)
        self.assert_succeeded(self.wait_flow(flow), [{}, [{}], ["alice"]])

    def test_a_step_that_wants_a_logged_in_approver_other_than_its_author(self):
        self.create_flow("f/t/logged_in", approval_flow(user_auth_required=True,
                                                        self_approval_disabled=True))
        flow = self.start("f/t/logged_in")  # by admin
        resume = self.urls(self.step_job(flow), approver="").json()["resume"]
        path = "/" + resume.split("://", 1)[1].split("/", 1)[1]
        r = self.server.request("POST", path, json_body={}, token="")
        self.assertEqual(r.status, 401, r)
        r = self.server.request("POST", path, json_body={}, token=self.token)
        self.assertEqual((r.status, r.text),
                         (403, "Permission denied: Self-approval is disabled for this flow step"), r)
        r = self.server.request("POST", path, json_body={"by": "bob"}, token=self.bob)
        self.assertEqual(r.status, 201, r)
        # bob answered under his own name.
        self.assert_succeeded(self.wait_flow(flow), [{"by": "bob"}, [{"by": "bob"}], ["bob"]])

    def test_a_step_that_wants_approver_groups_cannot_be_approved_here(self):
        self.create_flow("f/t/groups", approval_flow(
            user_groups_required={"type": "static", "value": ["managers"]}))
        flow = self.start("f/t/groups")
        resume = self.urls(self.step_job(flow)).json()["resume"]
        r = self.call_url(resume)
        self.assertEqual(r.status, 403, r)
        self.assertIn("groups", r.text)
        self.server.request("POST", f"/api/w/{WS}/jobs_u/queue/cancel/{flow}",
                            json_body={"reason": "done"}, token=self.token)

    def call_url(self, url):
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        return self.server.request("POST", path, json_body={}, token="")


class ApprovalAcrossACrashTest(FlowMixin, ServerTestCase):
    def test_a_suspended_flow_survives_kill_9_and_resumes_after(self):
        self.create_flow("f/t/durable_approval", approval_flow())
        flow = self.start("f/t/durable_approval")
        self.wait_module(flow, "after", lambda m: m.get("type") == "WaitingForEvents",
                         what="the wait for approval")
        ask = self.module_status(self.job(flow), "ask")
        urls = self.job(ask["job"])["result"]
        self.server.kill9()
        self.server.start()
        path = urls["resume"].split("://", 1)[1].split("/", 1)[1]
        # The URL names the old port; the path and signature stay valid on the new server.
        r = self.server.request("POST", "/" + path, json_body={"after": "restart"}, token="")
        self.assertEqual(r.status, 201, r)
        job = self.wait_flow(flow)
        payload = {"after": "restart"}
        self.assert_succeeded(job, [payload, [payload], ["alice"]])


if __name__ == "__main__":
    unittest.main()
