"""Preprocessors (Windmill's): a script with a `preprocessor` function called by a trigger — a
webhook or an HTTP route — gets the request as `event` in its preprocessor, and main gets what
the preprocessor returns; `skip_preprocessor=true` (and the app's Run) calls main directly; a
failing preprocessor fails the job with its error. Python and TypeScript, cold and warm."""
import json
import unittest

from e2e_util import sync_run
from harness import WS, ServerTestCase

PYTHON = '''
def preprocessor(event: dict):
    if event["body"].get("explode"):
        raise ValueError("the preprocessor refused: " + event["kind"])
    return {
        "who": event["body"].get("name", "nobody"),
        "kind": event["kind"],
        "header": event["headers"].get("x-sender"),
        "query": event["query"],
        "params": event.get("params"),
        "raw": event["raw_string"],
        "has_auth": "authorization" in event["headers"],
    }

def main(who: str, kind: str = "", header: str = None, query: dict = None, params: dict = None,
         raw: str = "", has_auth: bool = False):
    return {"hello": who, "kind": kind, "header": header, "query": query, "params": params,
            "raw": raw, "has_auth": has_auth}
'''

TYPESCRIPT = '''
export async function preprocessor(event: any) {
  return { n: Number(event.params.n) * 2, method: event.method, route: event.route };
}
export async function main(n: number, method: string, route: string) {
  return { n, method, route };
}
'''


class PreprocessorTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.create_script(cls.token, "u/admin/pre", PYTHON)
        cls.server.create_script(cls.token, "u/admin/pre_ts", TYPESCRIPT, language="bun")

    def route(self, path, route_path, script, method="post"):
        r = self.server.request("POST", f"/api/w/{WS}/http_triggers/create", token=self.token,
                                json_body={"path": path, "script_path": script,
                                           "route_path": route_path, "is_flow": False,
                                           "http_method": method, "request_type": "sync",
                                           "authentication_method": "none",
                                           "is_static_website": False})
        self.assertEqual(r.status, 201, r)

    def test_a_webhook_goes_through_the_preprocessor(self):
        body = '{"name": "ada"}'
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/pre?tag=x",
                                body=body, token=self.token,
                                headers={"X-Sender": "tests", "Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"hello": "ada", "kind": "webhook", "header": "tests",
                                    "query": {"tag": "x"}, "params": None, "raw": body,
                                    "has_auth": False})

    def test_skip_preprocessor_calls_main_with_the_body(self):
        r = sync_run(self.server, self.token, "u/admin/pre", {"who": "direct"},
                     query="?skip_preprocessor=true")
        self.assertEqual((r.status, r.json()["hello"], r.json()["kind"]), (200, "direct", ""))

    def test_an_async_job_keeps_the_event_as_its_arguments(self):
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run/p/u/admin/pre",
                                json_body={"name": "bob"}, token=self.token)
        self.assertEqual(r.status, 201, r)
        job = self.server.wait_job(self.token, r.text)
        self.assertEqual((job["success"], job["result"]["hello"]), (True, "bob"), job)
        self.assertEqual(job["args"]["event"]["body"], {"name": "bob"})

    def test_a_failing_preprocessor_fails_the_job_with_its_error(self):
        r = sync_run(self.server, self.token, "u/admin/pre", {"explode": True})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["error"]["name"], "ValueError")
        self.assertIn("the preprocessor refused: webhook", r.json()["error"]["message"])

    def test_an_http_route_gives_its_params_to_a_typescript_preprocessor(self):
        self.route("u/admin/double", "double/:n", "u/admin/pre_ts")
        r = self.server.request("POST", "/api/r/double/21", body="{}",
                                headers={"Content-Type": "application/json"})
        self.assertEqual((r.status, r.json()),
                         (200, {"n": 42, "method": "post", "route": "double/:n"}), r)

    def test_an_http_route_event_for_python(self):
        self.route("u/admin/pre_route", "pre/:id", "u/admin/pre")
        r = self.server.request("POST", "/api/r/pre/7?x=1", body="name=eve",
                                headers={"Content-Type": "application/x-www-form-urlencoded",
                                         "Authorization": "Bearer secret-of-the-sender"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["hello"], r.json()["kind"], r.json()["params"],
                          r.json()["query"], r.json()["raw"], r.json()["has_auth"]),
                         ("eve", "http", {"id": "7"}, {"x": "1"}, "name=eve", False))


    def test_a_flows_preprocessor_module_makes_its_input(self):
        r = self.server.request("POST", f"/api/w/{WS}/flows/create", token=self.token, json_body={
            "path": "u/admin/pre_flow", "summary": "", "schema": {
                "type": "object", "properties": {"name": {"type": "string"}}},
            "value": {
                "preprocessor_module": {"id": "preprocessor", "value": {
                    "type": "rawscript", "language": "python3", "input_transforms": {},
                    "content": "def preprocessor(event):\n"
                               "    return {'name': event['kind'] + ':' + event['body']['who']}\n"}},
                "modules": [{"id": "a", "value": {
                    "type": "rawscript", "language": "bun",
                    "content": "export async function main(name: string) { return 'hi ' + name; }",
                    "input_transforms": {"name": {"type": "javascript",
                                                  "expr": "flow_input.name"}}}}]}})
        self.assertEqual(r.status, 201, r)
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/f/u/admin/pre_flow",
                                json_body={"who": "ada"}, token=self.token)
        self.assertEqual((r.status, r.json()), (200, "hi webhook:ada"), r)
        r = self.server.request(
            "POST", f"/api/w/{WS}/jobs/run_wait_result/f/u/admin/pre_flow?skip_preprocessor=true",
            json_body={"name": "direct"}, token=self.token)
        self.assertEqual((r.status, r.json()), (200, "hi direct"), r)
        r = self.server.request("POST", f"/api/w/{WS}/http_triggers/create", token=self.token,
                                json_body={"path": "u/admin/flow_route", "is_flow": True,
                                           "script_path": "u/admin/pre_flow",
                                           "route_path": "pre/flow", "http_method": "post",
                                           "request_type": "sync",
                                           "authentication_method": "none",
                                           "is_static_website": False})
        self.assertEqual(r.status, 201, r)
        r = self.server.request("POST", "/api/r/pre/flow", body='{"who": "eve"}',
                                headers={"Content-Type": "application/json"})
        self.assertEqual((r.status, r.json()), (200, "hi http:eve"), r)
        # A failing preprocessor fails the flow with its error, named after it.
        r = self.server.request("POST", f"/api/w/{WS}/jobs/run_wait_result/f/u/admin/pre_flow",
                                json_body={"nobody": True}, token=self.token)
        self.assertEqual(r.status, 422, r)
        self.assertEqual((r.json()["error"]["name"], r.json()["error"]["step_id"]),
                         ("KeyError", "preprocessor"), r.json())


class WarmPreprocessorTest(PreprocessorTest):
    """The same through warm interpreters, which keep the script loaded between jobs."""
    server_env = {"WARM_WORKERS": "all"}



if __name__ == "__main__":
    unittest.main()
