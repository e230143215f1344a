"""Shared by the flow engine's end-to-end tests (test_flow_*.py): builders for OpenFlow values,
python and bash step code, a world-writable folder that steps and the test share, and
FlowMixin, which creates, runs and inspects flows over HTTP.
Standard library only, like harness.py.

Builders answer plain dicts, so a test can still add or change any field by hand:

    flow_value(
        rawscript("a", ADD_ONE_PY, x=js("flow_input.x")),
        rawscript("b", 'n="$1"\\necho "$((n * 10))"\\n', language="bash", n=js("previous_result")),
        early_return="a")
"""
import atexit
import os
import shutil
import tempfile
import time

from e2e_util import poll
from harness import WS, b64, quote, shared_folder

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

# A schema that takes any args (flows are created with one, as `wmill flow push` does).
OPEN_SCHEMA = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
               "properties": {}, "required": []}

# Fields of a FlowModule (not of its value). Keyword arguments of the step builders with one of
# these names go on the module; every other keyword argument is an input transform.
MODULE_OPTIONS = ("summary", "stop_after_if", "stop_after_all_iters_if", "skip_if", "sleep",
                  "timeout", "mock", "retry", "continue_on_error", "suspend", "cache_ttl",
                  "priority", "delete_after_use")

# --- step code ---------------------------------------------------------------------------------

ADD_ONE_PY = "def main(x: int):\n    return x + 1\n"
ECHO_PY = "def main(v):\n    return v\n"

# Blocks until the file `gate` exists (the test creates it), then answers `value`. Fails after
# 60 s so that a test that forgot its gate does not hang a worker forever.
WAIT_FOR_FILE_PY = """def main(gate: str, value):
    import os, time
    deadline = time.time() + 60
    while not os.path.exists(gate):
        if time.time() > deadline:
            raise TimeoutError(f"{gate} was never created")
        time.sleep(0.02)
    return value
"""

# Rendezvous of two concurrent steps: each creates its own marker in `folder` and waits for the
# other's. Only steps that really run at the same time both succeed (no timing is measured).
RENDEZVOUS_PY = """def main(folder: str, me: str, other: str):
    import os, time
    open(os.path.join(folder, me), "w").close()
    deadline = time.time() + 20
    while not os.path.exists(os.path.join(folder, other)):
        if time.time() > deadline:
            raise TimeoutError(f"{me} waited 20 s for {other}: they did not run at the same time")
        time.sleep(0.02)
    return me
"""


def py_return(expr, params=()):
    """A python3 step `def main(<params>): return <expr>`."""
    return f"def main({', '.join(params)}):\n    return {expr}\n"


def py_raise(message, params=(), exc="ValueError"):
    """A python3 step that raises `exc(f"<message>")`; the message may use the params."""
    return f"def main({', '.join(params)}):\n    raise {exc}(f{message!r})\n"


# --- input transforms and module options --------------------------------------------------------

def js(expr):
    return {"type": "javascript", "expr": expr}


def static(value):
    return {"type": "static", "value": value}


def _transform(v):
    if isinstance(v, dict) and v.get("type") in ("static", "javascript"):
        return v
    return static(v)


def stop_if(expr, error_message=None, skip_if_stopped=False):
    """A StopAfterIf (also for stop_after_all_iters_if). error_message None: stop with success."""
    return {"expr": expr, "skip_if_stopped": skip_if_stopped, "error_message": error_message}


def skip_when(expr):
    return {"expr": expr}


def _split(kw):
    """Keyword arguments → (module options, input transforms), both in the order given."""
    options = {k: v for k, v in kw.items() if k in MODULE_OPTIONS}
    inputs = {k: _transform(v) for k, v in kw.items() if k not in MODULE_OPTIONS}
    return options, inputs


def module(id, value, **options):
    m = {"id": id, "value": value}
    m.update(options)
    return m


# --- step builders ------------------------------------------------------------------------------

def rawscript(id, content, language="python3", **transforms_or_options):
    """A rawscript step. Other keyword arguments are module options (MODULE_OPTIONS) or input
    transforms (a js()/static() dict, or any other value, taken as static). For bash the order
    of the keyword arguments is the order of the positional arguments."""
    options, inputs = _split(transforms_or_options)
    return module(id, {"type": "rawscript", "language": language, "content": content,
                       "input_transforms": inputs}, **options)


def script(id, path, hash=None, **transforms_or_options):
    """A step running the script at `path` (its latest version), or the version `hash`."""
    options, inputs = _split(transforms_or_options)
    value = {"type": "script", "path": path, "input_transforms": inputs}
    if hash is not None:
        value["hash"] = hash
    return module(id, value, **options)


def subflow(id, path, **transforms_or_options):
    options, inputs = _split(transforms_or_options)
    return module(id, {"type": "flow", "path": path, "input_transforms": inputs}, **options)


def forloop(id, iterator, modules, skip_failures=False, parallel=False, parallelism=None,
            **options):
    """`iterator` is a javascript expression (a string) or a transform dict."""
    value = {"type": "forloopflow", "modules": list(modules),
             "iterator": js(iterator) if isinstance(iterator, str) else iterator,
             "skip_failures": skip_failures, "parallel": parallel}
    if parallelism is not None:
        value["parallelism"] = _transform(parallelism)
    return module(id, value, **options)


def whileloop(id, modules, stop_expr, skip_failures=False, **options):
    """Repeats `modules` until `stop_expr` (evaluated with `result` = the iteration's result)."""
    value = {"type": "whileloopflow", "modules": list(modules), "skip_failures": skip_failures}
    options.setdefault("stop_after_if", stop_if(stop_expr))
    return module(id, value, **options)


def branchone(id, branches, default, **options):
    """`branches` is a list of (expr, modules)."""
    value = {"type": "branchone",
             "branches": [{"summary": f"branch {i}", "expr": expr, "modules": list(mods)}
                          for i, (expr, mods) in enumerate(branches)],
             "default": list(default)}
    return module(id, value, **options)


def branchall(id, branches, parallel=False, skip_failure=False, **options):
    """`branches` is a list of module lists, or of (modules, skip_failure) pairs."""
    out = []
    for b in branches:
        mods, skip = b if isinstance(b, tuple) else (b, skip_failure)
        out.append({"modules": list(mods), "skip_failure": skip})
    return module(id, {"type": "branchall", "branches": out, "parallel": parallel}, **options)


def identity(id, **options):
    return module(id, {"type": "identity"}, **options)


def flow_value(*modules, failure_module=None, **flow_options):
    """A FlowValue: the modules in order, then flow-level options (early_return, same_worker...)."""
    value = {"modules": list(modules)}
    if failure_module is not None:
        value["failure_module"] = failure_module
    value.update(flow_options)
    return value


# --- a folder shared by the test and its steps ---------------------------------------------------

class SharedDir:
    """A fresh world-writable folder the steps see (harness.SHARED_ROOT): they run sandboxed,
    as uids of their own, and write markers, counters and records here. Removed at exit (a
    step may still be polling in it when the test ends)."""

    def __init__(self):
        self.path = shared_folder("millrace-e2e-flow-")
        atexit.register(shutil.rmtree, self.path, True)

    def file(self, name):
        return os.path.join(self.path, name)

    def touch(self, name):
        with open(self.file(name), "w") as f:
            f.write("go")

    def read(self, name, default=None):
        try:
            with open(self.file(name)) as f:
                return f.read()
        except FileNotFoundError:
            return default

    def lines(self, name):
        return (self.read(name) or "").split()


# --- creating, running and inspecting flows ------------------------------------------------------

class FlowMixin:
    """For test classes that have `self.server` and `self.token` (a ServerTestCase, or the crash
    tests' own base). `token` arguments default to the admin's."""

    def flows_call(self, method, route, body=None, token=None):
        return self.server.request(method, f"/api/w/{WS}/flows{route}", json_body=body,
                                   token=token or self.token)

    def create_flow(self, path, value, schema=None, summary=None, token=None):
        body = {"path": path, "summary": summary or f"e2e {path}", "description": "",
                "value": value, "schema": schema or OPEN_SCHEMA}
        r = self.flows_call("POST", "/create", body, token)
        self.assertEqual(r.status, 201, f"creating flow {path}: {r!r}")
        return path

    def update_flow(self, path, value, schema=None, summary=None):
        body = {"path": path, "summary": summary or f"e2e {path}", "description": "",
                "value": value, "schema": schema or OPEN_SCHEMA}
        r = self.flows_call("POST", f"/update/{path}", body)
        self.assertEqual(r.status, 200, f"updating flow {path}: {r!r}")

    def flow_version(self, path):
        """The integer version_id of the flow's newest version (for /run/fv/<version>)."""
        r = self.flows_call("GET", f"/get/{path}")
        self.assertEqual(r.status, 200, r)
        version = r.json()["version_id"]
        self.assertIsInstance(version, int, r)
        return version

    # The webhooks. `target` is "f/<path>" or "fv/<version>".

    def run_route(self, mode, target):
        return f"/api/w/{WS}/jobs/{mode}/{target}"

    def sync(self, path, args=None, query="", token=None, method="POST", target=None,
             timeout=60):
        """run_wait_result of the flow at `path` (or of `target`); answers the Response. GET sends
        the args as ?payload=<base64 JSON>."""
        route = self.run_route("run_wait_result", target or f"f/{path}")
        if method == "GET":
            sep = "&" if query else "?"
            return self.server.request("GET", f"{route}{query}{sep}payload={quote(b64(args or {}))}",
                                       token=token or self.token, timeout=timeout)
        return self.server.request(method, route + query, json_body=args if args is not None else {},
                                   token=token or self.token, timeout=timeout)

    def sync_result(self, path, args=None, **kw):
        """The result of a sync run that must succeed (200, application/json)."""
        r = self.sync(path, args, **kw)
        self.assertEqual(r.status, 200, f"sync run of {path} with {args}: {r!r}")
        self.assertTrue(r.content_type.startswith("application/json"), r)
        return r.json()

    def sync_error(self, path, args=None, **kw):
        """The {"error": {...}} object of a sync run that must fail (422)."""
        r = self.sync(path, args, **kw)
        self.assertEqual(r.status, 422, f"sync run of {path} with {args} should fail: {r!r}")
        body = r.json()
        self.assertIsInstance(body.get("error"), dict, r)
        return body["error"]

    def start(self, path, args=None, query="", token=None, target=None):
        """An async run: asserts 201 text/plain UUID and answers the job id."""
        r = self.server.request("POST", self.run_route("run", target or f"f/{path}") + query,
                                json_body=args if args is not None else {},
                                token=token or self.token)
        self.assertEqual(r.status, 201, f"async run of {target or path}: {r!r}")
        self.assertTrue(r.content_type.startswith("text/plain"), r)
        self.assertRegex(r.text, UUID_RE)
        return r.text

    def job(self, job_id, token=None):
        """GET jobs_u/get: the QueuedJob or CompletedJob with its "type"."""
        r = self.server.request("GET", f"/api/w/{WS}/jobs_u/get/{job_id}", token=token or self.token)
        self.assertEqual(r.status, 200, f"job {job_id}: {r!r}")
        return r.json()

    def wait_flow(self, job_id, timeout=60, token=None):
        """Polls jobs_u/get until the job is a CompletedJob; answers it."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            last = self.job(job_id, token)
            if last.get("type") == "CompletedJob":
                return last
            time.sleep(0.05)
        self.fail(f"job {job_id} did not complete in {timeout}s; last state: {last}")

    def run_flow(self, path, args=None, timeout=60, **kw):
        """Async run, then the completed flow job."""
        return self.wait_flow(self.start(path, args, **kw), timeout)

    def assert_succeeded(self, job, result):
        self.assertIs(job.get("success"), True, f"flow {job.get('id')} failed: {job.get('result')}")
        self.assertEqual(job.get("result"), result, job)

    # Inside a flow job.

    def modules(self, job):
        status = job.get("flow_status")
        self.assertIsInstance(status, dict, f"no flow_status: {job}")
        self.assertIsInstance(status.get("modules"), list, f"flow_status.modules: {status}")
        return status["modules"]

    def module_status(self, job, module_id):
        for m in self.modules(job):
            if m.get("id") == module_id:
                return m
        self.fail(f"no module {module_id!r} in flow_status: {job.get('flow_status')}")

    def children(self, parent_id):
        """The jobs whose parent_job is `parent_id` (jobs/list?parent_job=)."""
        r = self.server.request("GET", f"/api/w/{WS}/jobs/list?parent_job={parent_id}&per_page=1000",
                                token=self.token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def children_of_step(self, parent_id, step_id):
        return [j for j in self.children(parent_id) if j.get("flow_step_id") == step_id]

    def wait_module(self, flow_id, module_id, predicate, timeout=30, what="module state"):
        """Polls the flow until predicate(module status) holds; answers that module status."""
        def check():
            j = self.job(flow_id)
            if j.get("type") == "CompletedJob":
                self.fail(f"flow {flow_id} completed before {what}: {j}")
            for m in (j.get("flow_status") or {}).get("modules") or []:
                if m.get("id") == module_id and predicate(m):
                    return m
            return None
        return poll(check, timeout=timeout, what=f"{what} of {module_id} in flow {flow_id}")

    def shared_dir(self):
        return SharedDir()
