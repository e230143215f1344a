"""Millrace's `wmill`: the public API of Windmill's Python client, so scripts that `import wmill`
run unchanged. Standard library only; one file, embedded in the server and written into every
job's folder as wmill/__init__.py (also installable: `pip install clients/python`).

Configuration comes from the job's environment as in Windmill's client: WM_TOKEN, WM_WORKSPACE,
BASE_INTERNAL_URL (else WM_BASE_URL, else BASE_URL, else http://localhost:8000), WM_JOB_ID,
WM_ROOT_FLOW_JOB_ID, WM_FLOW_JOB_ID, WM_JOB_PATH and WM_STATE_PATH_NEW / WM_STATE_PATH.

Importing this module costs next to nothing (every Python job may import it): json, urllib,
atexit, logging... are imported on first use, and nothing talks to the network until a call.
An HTTP error surfaces, as in Windmill's client, as an Exception whose text is
"<url>: <status>, <body>".
"""
from __future__ import annotations

import os

__version__ = "0.1.0"

_client: "Windmill | None" = None

# A job that runs longer than this cannot be waited for in one request anyway (wait_job polls).
_kRequestTimeoutSeconds = 900
# wait_job polls quickly at first (short jobs are the common case), then every half second as
# Windmill's client does.
_kFirstPollSeconds = 0.05
_kMaxPollSeconds = 0.5


def __getattr__(name):
    # Attributes whose construction would import heavy modules, built on first use (PEP 562).
    if name == "JobStatus":
        from typing import Literal

        value = Literal["RUNNING", "WAITING", "COMPLETED"]
    elif name == "logger":
        value = _logger()
    else:
        raise AttributeError(f"module 'wmill' has no attribute {name!r}")
    globals()[name] = value
    return value


def _logger():
    import logging

    return logging.getLogger("windmill_client")


def _json_module():
    import json

    return json


def _api_error(resp: "Response") -> Exception:
    # A plain Exception, as Windmill's client raises (a job that lets it through fails with the
    # name "Exception"); the answer rides along for callers that want its status.
    error = Exception(f"{resp.url}: {resp.status_code}, {resp.text}")
    error.status_code = resp.status_code
    error.response = resp
    return error


class Response:
    """The part of an httpx.Response that scripts use on what Windmill.get/post answer."""

    def __init__(self, url: str, status_code: int, headers: dict, content: bytes):
        self.url = url
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    def json(self):
        return _json_module().loads(self.content)

    def raise_for_status(self) -> "Response":
        if not self.is_success:
            raise _api_error(self)
        return self

    def __repr__(self):
        return f"<Response [{self.status_code}]>"


def _strip_prefix(path, prefixes):
    if path is None:
        return None
    for prefix in prefixes:
        if path.startswith(prefix):
            return path[len(prefix):]
    return None


def parse_variable_syntax(s: str) -> str | None:
    """The path in a variable reference ('$var:u/a/b' or 'var://u/a/b'); None if s is none."""
    return _strip_prefix(s, ("$var:", "var://"))


def parse_resource_syntax(s: str) -> str | None:
    """The path in a resource reference ('$res:u/a/b' or 'res://u/a/b'); None if s is none."""
    return _strip_prefix(s, ("$res:", "res://"))


def _seconds(timeout):
    if timeout is not None and hasattr(timeout, "total_seconds"):  # a datetime.timedelta
        return timeout.total_seconds()
    return timeout


class Windmill:
    """A client of one Millrace (or Windmill) server, for one workspace."""

    def __init__(self, base_url=None, token=None, workspace=None, verify=True):
        env = os.environ
        base = (base_url or env.get("BASE_INTERNAL_URL") or env.get("WM_BASE_URL")
                or env.get("BASE_URL") or "http://localhost:8000")
        self.base_url = base.rstrip("/") + "/api"
        self.token = token or env.get("WM_TOKEN")
        self.headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.token}",
        }
        self.verify = verify
        self.workspace = workspace or env.get("WM_WORKSPACE")
        self.path = env.get("WM_JOB_PATH")
        self._opener = None
        assert self.workspace, (
            "workspace required as an argument or as WM_WORKSPACE environment variable")

    # --- HTTP ---------------------------------------------------------------------------------

    def _url(self, endpoint: str, params) -> str:
        from urllib.parse import quote, urlencode

        # Paths and ids are sent as given; only what cannot appear in a URL path is escaped.
        url = self.base_url + "/" + quote(endpoint.lstrip("/"), safe="/:@$!*'(),;=+~-._")
        if params:
            pairs = []
            for key, value in dict(params).items():
                if value is None:
                    continue
                if isinstance(value, bool):
                    value = "true" if value else "false"
                pairs.append((key, str(value)))
            if pairs:
                url += "?" + urlencode(pairs)
        return url

    def _open(self, request, timeout):
        if self._opener is None:
            import urllib.request

            handlers = []
            if not self.verify:
                import ssl

                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                handlers.append(urllib.request.HTTPSHandler(context=context))
            self._opener = urllib.request.build_opener(*handlers)
        return self._opener.open(request, timeout=timeout)

    def _request(self, method: str, endpoint: str, raise_for_status: bool = True, params=None,
                json=None, content=None, headers=None, timeout=None) -> Response:
        """Sends one request to <base>/api/<endpoint>. `json` is sent serialized; `content` (bytes
        or str) as is. Raises Exception('<url>: <status>, <body>') on a non-2xx answer unless
        raise_for_status is False."""
        import urllib.error
        import urllib.request

        url = self._url(endpoint, params)
        body = None
        if json is not None:
            body = _json_module().dumps(json).encode()
        elif content is not None:
            body = content.encode() if isinstance(content, str) else content
        all_headers = dict(self.headers)
        all_headers.update(headers or {})
        req = urllib.request.Request(url, data=body, headers=all_headers, method=method.upper())
        try:
            with self._open(req, timeout or _kRequestTimeoutSeconds) as answer:
                resp = Response(url, answer.status, dict(answer.headers.items()), answer.read())
        except urllib.error.HTTPError as err:
            try:
                data = err.read()
            finally:
                err.close()
            resp = Response(url, err.code, dict(err.headers.items()) if err.headers else {}, data)
        if raise_for_status and not resp.is_success:
            error = _api_error(resp)
            _logger().error(str(error))
            raise error
        return resp

    def get(self, endpoint, raise_for_status=True, **kwargs) -> Response:
        """GET <base>/api/<endpoint>; kwargs: params, headers, timeout."""
        return self._request("GET", endpoint, raise_for_status, **kwargs)

    def post(self, endpoint, raise_for_status=True, **kwargs) -> Response:
        """POST <base>/api/<endpoint>; kwargs: json, content, params, headers, timeout."""
        return self._request("POST", endpoint, raise_for_status, **kwargs)

    def create_token(self, duration=None) -> str:
        """A new token for this client's user, valid for `duration` (a timedelta; one day)."""
        import datetime as dt
        import time

        duration = duration if duration is not None else dt.timedelta(days=1)
        expiration = dt.datetime.now(dt.timezone.utc) + duration
        return self.post("/users/tokens/create", json={
            "label": f"refresh {time.time()}",
            "expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }).text

    # --- starting jobs --------------------------------------------------------------------------

    def _start(self, endpoint, args, scheduled_in_secs, tag, track_in_parent=True) -> str:
        params = {}
        if scheduled_in_secs:
            params["scheduled_in_secs"] = scheduled_in_secs
        if tag:
            params["tag"] = tag
        if track_in_parent:
            # A job started from a job is its child (and in its flow's tree, if any).
            params["parent_job"] = os.environ.get("WM_JOB_ID") or None
            params["root_job"] = os.environ.get("WM_ROOT_FLOW_JOB_ID") or None
        return self.post(endpoint, json=args or {}, params=params).text

    def run_script_async(self, path: str = None, hash_: str = None, args: dict = None,
                         scheduled_in_secs: int = None, tag: str = None) -> str:
        """Starts a script by path or by hash; answers the job id.
        Deprecated in Windmill: use run_script_by_path_async or run_script_by_hash_async."""
        assert not (path and hash_), "path and hash_ are mutually exclusive"
        if path:
            endpoint = f"/w/{self.workspace}/jobs/run/p/{path}"
        elif hash_:
            endpoint = f"/w/{self.workspace}/jobs/run/h/{hash_}"
        else:
            raise Exception("path or hash_ must be provided")
        return self._start(endpoint, args, scheduled_in_secs, tag)

    def run_script_by_path_async(self, path: str, args: dict = None,
                                 scheduled_in_secs: int = None, tag: str = None) -> str:
        """Starts the newest version of the script at `path`; answers the job id."""
        return self.run_script_async(path=path, args=args, scheduled_in_secs=scheduled_in_secs,
                                     tag=tag)

    def run_script_by_hash_async(self, hash_: str, args: dict = None,
                                 scheduled_in_secs: int = None, tag: str = None) -> str:
        """Starts the script version `hash_`; answers the job id."""
        return self.run_script_async(hash_=hash_, args=args, scheduled_in_secs=scheduled_in_secs,
                                     tag=tag)

    def run_flow_async(self, path: str, args: dict = None, scheduled_in_secs: int = None,
                       do_not_track_in_parent: bool = True, tag: str = None) -> str:
        """Starts the flow at `path`; answers the job id. The flow is made a child of the calling
        job only with do_not_track_in_parent=False (as in Windmill)."""
        if not path:
            raise Exception("path must be provided")
        return self._start(f"/w/{self.workspace}/jobs/run/f/{path}", args, scheduled_in_secs, tag,
                           track_in_parent=not do_not_track_in_parent)

    def run_script(self, path: str = None, hash_: str = None, args: dict = None, timeout=None,
                   verbose: bool = False, cleanup: bool = True,
                   assert_result_is_not_none: bool = False, tag: str = None):
        """Runs a script (by path or hash) and waits for its result (see wait_job)."""
        if verbose:
            _logger().info(f"running `{path or hash_}` synchronously with args = {args!r}")
        job_id = self.run_script_async(path=path, hash_=hash_, args=args, tag=tag)
        return self.wait_job(job_id, timeout, verbose, cleanup, assert_result_is_not_none)

    def run_script_by_path(self, path: str, args: dict = None, timeout=None,
                           verbose: bool = False, cleanup: bool = True,
                           assert_result_is_not_none: bool = False, tag: str = None):
        """Runs the script at `path` and waits for its result (see wait_job)."""
        return self.run_script(path=path, args=args, timeout=timeout, verbose=verbose,
                               cleanup=cleanup, assert_result_is_not_none=assert_result_is_not_none,
                               tag=tag)

    def run_script_by_hash(self, hash_: str, args: dict = None, timeout=None,
                           verbose: bool = False, cleanup: bool = True,
                           assert_result_is_not_none: bool = False, tag: str = None):
        """Runs the script version `hash_` and waits for its result (see wait_job)."""
        return self.run_script(hash_=hash_, args=args, timeout=timeout, verbose=verbose,
                               cleanup=cleanup, assert_result_is_not_none=assert_result_is_not_none,
                               tag=tag)

    # --- following jobs -------------------------------------------------------------------------

    def wait_job(self, job_id, timeout=None, verbose: bool = False, cleanup: bool = True,
                 assert_result_is_not_none: bool = False):
        """Polls the job until it completes and answers its result.
        Raises Exception('Job <id> was not successful: <error>') when it failed, and
        TimeoutError('reached timeout') after `timeout` (seconds or timedelta), having canceled
        it. With cleanup, the job is canceled if this process exits while waiting."""
        import atexit
        import time

        def cancel_on_exit():
            try:
                self.post(f"/w/{self.workspace}/jobs_u/queue/cancel/{job_id}",
                          json={"reason": "parent script cancelled"}, raise_for_status=False)
            except Exception:
                pass  # the server is gone: nothing is left to cancel

        if cleanup:
            atexit.register(cancel_on_exit)
        timeout = _seconds(timeout)
        started_at = time.monotonic()
        pause = _kFirstPollSeconds
        try:
            while True:
                state = self.get(
                    f"/w/{self.workspace}/jobs_u/completed/get_result_maybe/{job_id}").json()
                if state.get("completed"):
                    result = state.get("result")
                    if not state.get("success"):
                        error = result.get("error", result) if isinstance(result, dict) else result
                        raise Exception(f"Job {job_id} was not successful: {error}")
                    if result is None and assert_result_is_not_none:
                        raise Exception("Result was none")
                    return result
                if verbose and not state.get("started"):
                    _logger().info(f"job {job_id} has not started yet")
                if timeout and time.monotonic() - started_at > timeout:
                    _logger().warning("reached timeout")
                    self.post(f"/w/{self.workspace}/jobs_u/queue/cancel/{job_id}",
                              json={"reason": "reached timeout"}, raise_for_status=False)
                    raise TimeoutError("reached timeout")
                time.sleep(pause)
                pause = min(pause * 1.5, _kMaxPollSeconds)
        finally:
            if cleanup:
                atexit.unregister(cancel_on_exit)

    def cancel_job(self, job_id: str, reason: str = None) -> str:
        """Cancels the job; answers the server's text (the job id)."""
        return self.post(f"/w/{self.workspace}/jobs_u/queue/cancel/{job_id}",
                         json={"reason": reason or "cancelled via cancel_job method"}).text

    def cancel_running(self) -> dict:
        """Cancels the other running jobs of this job's script; answers {job id: response}."""
        jobs = self.get(f"/w/{self.workspace}/jobs/list",
                        params={"running": "true", "script_path_exact": self.path}).json()
        current = os.environ.get("WM_JOB_ID")
        return {
            job["id"]: self.post(f"/w/{self.workspace}/jobs_u/queue/cancel/{job['id']}",
                                 json={"reason": "killed by `cancel_running` method"})
            for job in jobs if job["id"] != current
        }

    def get_job(self, job_id: str) -> dict:
        """The job as the server describes it (QueuedJob or CompletedJob, in `type`)."""
        return self.get(f"/w/{self.workspace}/jobs_u/get/{job_id}").json()

    def get_root_job_id(self, job_id: str | None = None) -> str:
        """The id of the outermost flow the job (this one by default) runs in, or its own."""
        job_id = job_id or os.environ.get("WM_JOB_ID")
        return self.get(f"/w/{self.workspace}/jobs_u/get_root_job_id/{job_id}").json()

    def get_id_token(self, audience: str, expires_in: int | None = None) -> str:
        """An OIDC token for `audience` (where the server offers OIDC)."""
        params = {"expires_in": expires_in} if expires_in is not None else None
        return self.post(f"/w/{self.workspace}/oidc/token/{audience}", params=params).text

    def get_job_status(self, job_id: str) -> str:
        """'COMPLETED', 'RUNNING' or 'WAITING' (queued, not started yet)."""
        job = self.get_job(job_id)
        job_type = job.get("type", "")
        assert job_type, f"{job} is not a valid job"
        if job_type.lower() == "completedjob":
            return "COMPLETED"
        return "RUNNING" if job.get("running") else "WAITING"

    def get_result(self, job_id: str, assert_result_is_not_none: bool = True):
        """The result of a completed job; raises (404) while it is not completed."""
        resp = self.get(f"/w/{self.workspace}/jobs_u/completed/get_result/{job_id}")
        try:
            return resp.json()
        except ValueError:
            return resp.text

    def set_progress(self, value: int, job_id: str | None = None):
        """Sets the job's (this one by default) progress, a percentage."""
        job_id = job_id or os.environ.get("WM_JOB_ID")
        flow_id = os.environ.get("WM_FLOW_JOB_ID")
        if job_id is not None:
            flow_id = self.get_job(job_id).get("parent_job")
        self.post(f"/w/{self.workspace}/job_metrics/set_progress/{job_id}",
                  json={"percent": value, "flow_job_id": flow_id or None})

    def get_progress(self, job_id: str | None = None):
        """The job's (this one by default) progress, or None if it never set one."""
        job_id = job_id or os.environ.get("WM_JOB_ID")
        return self.get(f"/w/{self.workspace}/job_metrics/get_progress/{job_id}").json()

    def get_resume_urls(self, approver: str = None, flow_level: bool = None) -> dict:
        """The URLs that resume or cancel this job's flow once it suspends:
        {approvalPage, resume, cancel}."""
        nonce = int.from_bytes(os.urandom(4), "big") % 1000000001
        job_id = os.environ.get("WM_JOB_ID") or "NO_ID"
        return self.get(f"/w/{self.workspace}/jobs/resume_urls/{job_id}/{nonce}",
                        params={"approver": approver, "flow_level": flow_level}).json()

    # --- variables, resources, state ------------------------------------------------------------

    def get_variable(self, path: str) -> str:
        """The value of the variable at `path` (secrets decrypted)."""
        path = parse_variable_syntax(path) or path
        return self.get(f"/w/{self.workspace}/variables/get_value/{path}").json()

    def set_variable(self, path: str, value: str, is_secret: bool = False) -> None:
        """Sets the variable at `path`, creating it (secret if is_secret) if it does not exist."""
        path = parse_variable_syntax(path) or path
        if self.get(f"/w/{self.workspace}/variables/exists/{path}").json():
            self.post(f"/w/{self.workspace}/variables/update/{path}", json={"value": value})
        else:
            self.post(f"/w/{self.workspace}/variables/create", json={
                "path": path, "value": value, "is_secret": is_secret, "description": ""})

    def get_resource(self, path: str, none_if_undefined: bool = False,
                     interpolated: bool = True):
        """The value of the resource at `path`, its $var:/$res: references resolved (unless
        interpolated=False). None instead of an exception with none_if_undefined."""
        path = parse_resource_syntax(path) or path
        route = "get_value_interpolated" if interpolated else "get_value"
        try:
            return self.get(f"/w/{self.workspace}/resources/{route}/{path}").json()
        except Exception:
            if none_if_undefined:
                return None
            raise

    def set_resource(self, value, path: str, resource_type: str):
        """Sets the value of the resource at `path`, creating it (of `resource_type`) if it does
        not exist."""
        path = parse_resource_syntax(path) or path
        if self.get(f"/w/{self.workspace}/resources/exists/{path}").json():
            self.post(f"/w/{self.workspace}/resources/update_value/{path}", json={"value": value})
        else:
            self.post(f"/w/{self.workspace}/resources/create", json={
                "path": path, "value": value, "resource_type": resource_type})

    def list_resources(self, resource_type: str = None, page: int = None,
                       per_page: int = None) -> list:
        """The workspace's resources (optionally of one type), one page of them."""
        return self.get(f"/w/{self.workspace}/resources/list", params={
            "resource_type": resource_type, "page": page, "per_page": per_page}).json()

    @property
    def state_path(self) -> str:
        """The path of the resource that keeps this script's (or trigger's) state."""
        path = os.environ.get("WM_STATE_PATH_NEW", os.environ.get("WM_STATE_PATH"))
        if path is None:
            raise Exception("State path not found")
        return path

    def get_state(self, path: str | None = None):
        """The state the previous run stored with set_state, or None."""
        return self.get_resource(path or self.state_path, none_if_undefined=True)

    def set_state(self, value, path: str | None = None) -> None:
        """Stores `value` for the next run (a resource of type 'state')."""
        self.set_resource(value, path=path or self.state_path, resource_type="state")

    @property
    def state(self):
        return self.get_state()

    @state.setter
    def state(self, value) -> None:
        self.set_state(value)

    def set_flow_user_state(self, key: str, value) -> None:
        """Sets a value under `key` in the user state of the flow this job runs in."""
        flow_id = self.get_root_job_id()
        r = self.post(f"/w/{self.workspace}/jobs/flow/user_states/{flow_id}/{key}", json=value,
                      raise_for_status=False)
        if r.status_code == 404:
            print(f"Job {flow_id} does not exist or is not a flow")

    def get_flow_user_state(self, key: str):
        """The value under `key` in the user state of the flow this job runs in, or None."""
        flow_id = self.get_root_job_id()
        r = self.get(f"/w/{self.workspace}/jobs/flow/user_states/{flow_id}/{key}",
                     raise_for_status=False)
        if r.status_code == 404:
            print(f"Job {flow_id} does not exist or is not a flow")
            return None
        return r.raise_for_status().json()

    # --- users and server -----------------------------------------------------------------------

    def whoami(self) -> dict:
        """The user this client's token acts as (email, username, super_admin...)."""
        return self.get("/users/whoami").json()

    @property
    def user(self) -> dict:
        return self.whoami()

    @property
    def version(self) -> str:
        """The server's version text."""
        return self.get("version").text

    def username_to_email(self, username: str) -> str:
        """The email of the workspace member `username`."""
        return self.get(f"/w/{self.workspace}/users/username_to_email/{username}").text

    # --- the job's shared folder (flows with a shared directory) -------------------------------

    @staticmethod
    def set_shared_state_pickle(value, path: str = "state.pickle") -> None:
        import pickle

        with open(f"/shared/{path}", "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def get_shared_state_pickle(path: str = "state.pickle"):
        import pickle

        with open(f"/shared/{path}", "rb") as f:
            return pickle.load(f)

    @staticmethod
    def set_shared_state(value, path: str = "state.json") -> None:
        with open(f"/shared/{path}", "w", encoding="utf-8") as f:
            _json_module().dump(value, f, ensure_ascii=False, indent=4)

    @staticmethod
    def get_shared_state(path: str = "state.json"):
        with open(f"/shared/{path}", "r", encoding="utf-8") as f:
            return _json_module().load(f)


class S3Object(dict):
    """Windmill's S3 object reference ({"s3": key, "storage": ...}), for scripts that annotate
    parameters with it. Millrace has no S3 storage: the S3 helpers are not provided."""


# --- module-level functions: the same calls on a default client made from the environment ------


_client_env: "tuple | None" = None


def _default() -> Windmill:
    # A warm interpreter runs one job after another, each with its own environment (its own
    # WM_TOKEN): the default client follows the environment, never a previous job's.
    global _client, _client_env
    import os

    env = tuple(os.environ.get(k) for k in ("WM_TOKEN", "WM_WORKSPACE", "BASE_INTERNAL_URL", "BASE_URL"))
    if _client is None or env != _client_env:
        _client = Windmill()
        _client_env = env
    return _client


def _deprecated(name: str, instead: str) -> None:
    import warnings

    warnings.warn(f"The '{name}' method is deprecated and may be removed in the future. "
                  f"Consider {instead}", DeprecationWarning, stacklevel=3)


def get_workspace() -> str:
    """The workspace this job runs in (WM_WORKSPACE)."""
    return _default().workspace


def get_root_job_id(job_id: str | None = None) -> str:
    return _default().get_root_job_id(job_id)


def get_version() -> str:
    _deprecated("get_version", "Windmill().version")
    return _default().version


def run_script_async(hash_or_path: str, args: dict = None, scheduled_in_secs: int = None,
                     tag: str = None) -> str:
    """Starts a script, by path if the argument has a '/', else by hash; answers the job id."""
    if "/" in hash_or_path:
        return _default().run_script_async(path=hash_or_path, args=args,
                                           scheduled_in_secs=scheduled_in_secs, tag=tag)
    return _default().run_script_async(hash_=hash_or_path, args=args,
                                       scheduled_in_secs=scheduled_in_secs, tag=tag)


def run_script_by_path_async(path: str, args: dict = None, scheduled_in_secs: int = None,
                             tag: str = None) -> str:
    return _default().run_script_by_path_async(path, args, scheduled_in_secs, tag)


def run_script_by_hash_async(hash_: str, args: dict = None, scheduled_in_secs: int = None,
                             tag: str = None) -> str:
    return _default().run_script_by_hash_async(hash_, args, scheduled_in_secs, tag)


def run_flow_async(path: str, args: dict = None, scheduled_in_secs: int = None,
                   do_not_track_in_parent: bool = True, tag: str = None) -> str:
    return _default().run_flow_async(path, args, scheduled_in_secs, do_not_track_in_parent, tag)


def run_script(path: str = None, hash_: str = None, args: dict = None, timeout=None,
               verbose: bool = False, cleanup: bool = True,
               assert_result_is_not_none: bool = True, tag: str = None):
    return _default().run_script(path, hash_, args, timeout, verbose, cleanup,
                                 assert_result_is_not_none, tag)


def run_script_by_path(path: str, args: dict = None, timeout=None, verbose: bool = False,
                       cleanup: bool = True, assert_result_is_not_none: bool = True,
                       tag: str = None):
    return _default().run_script_by_path(path, args, timeout, verbose, cleanup,
                                         assert_result_is_not_none, tag)


def run_script_by_hash(hash_: str, args: dict = None, timeout=None, verbose: bool = False,
                       cleanup: bool = True, assert_result_is_not_none: bool = True,
                       tag: str = None):
    return _default().run_script_by_hash(hash_, args, timeout, verbose, cleanup,
                                         assert_result_is_not_none, tag)


def run_script_sync(hash: str, args: dict = None, verbose: bool = False,
                    assert_result_is_not_none: bool = True, cleanup: bool = True, timeout=None,
                    tag: str = None):
    return _default().run_script(hash_=hash, args=args, timeout=timeout, verbose=verbose,
                                 cleanup=cleanup,
                                 assert_result_is_not_none=assert_result_is_not_none, tag=tag)


def run_script_by_path_sync(path: str, args: dict = None, verbose: bool = False,
                            assert_result_is_not_none: bool = True, cleanup: bool = True,
                            timeout=None, tag: str = None):
    return _default().run_script(path=path, args=args, timeout=timeout, verbose=verbose,
                                 cleanup=cleanup,
                                 assert_result_is_not_none=assert_result_is_not_none, tag=tag)


def wait_job(job_id, timeout=None, verbose: bool = False, cleanup: bool = True,
             assert_result_is_not_none: bool = False):
    return _default().wait_job(job_id, timeout, verbose, cleanup, assert_result_is_not_none)


def cancel_job(job_id: str, reason: str = None) -> str:
    return _default().cancel_job(job_id, reason)


def cancel_running() -> dict:
    return _default().cancel_running()


def get_job(job_id: str) -> dict:
    return _default().get_job(job_id)


def get_job_status(job_id: str) -> str:
    return _default().get_job_status(job_id)


def get_result(job_id: str, assert_result_is_not_none=True):
    return _default().get_result(job_id, assert_result_is_not_none)


def get_id_token(audience: str) -> str:
    return _default().get_id_token(audience)


def get_variable(path: str) -> str:
    return _default().get_variable(path)


def set_variable(path: str, value: str, is_secret: bool = False) -> None:
    return _default().set_variable(path, value, is_secret)


def get_resource(path: str, none_if_undefined: bool = False, interpolated: bool = True):
    return _default().get_resource(path, none_if_undefined, interpolated)


def set_resource(path: str, value, resource_type: str = "any") -> None:
    """Sets the resource at `path` (note: path first here, value first on Windmill's class)."""
    return _default().set_resource(value=value, path=path, resource_type=resource_type)


def list_resources(resource_type: str = None, page: int = None, per_page: int = None) -> list:
    return _default().list_resources(resource_type, page, per_page)


def get_state(path: str | None = None):
    return _default().get_state(path)


def set_state(value, path: str | None = None) -> None:
    return _default().set_state(value, path)


def get_state_path() -> str:
    return _default().state_path


def set_progress(value: int, job_id: str | None = None) -> None:
    return _default().set_progress(value, job_id)


def get_progress(job_id: str | None = None):
    return _default().get_progress(job_id)


def get_flow_user_state(key: str):
    return _default().get_flow_user_state(key)


def set_flow_user_state(key: str, value) -> None:
    return _default().set_flow_user_state(key, value)


def get_resume_urls(approver: str = None, flow_level: bool = None) -> dict:
    return _default().get_resume_urls(approver, flow_level)


def whoami() -> dict:
    """The user the job's token acts as."""
    return _default().user


def get_user() -> dict:
    """The same as whoami()."""
    return _default().user


def username_to_email(username: str) -> str:
    return _default().username_to_email(username)


def set_shared_state_pickle(value, path="state.pickle") -> None:
    return Windmill.set_shared_state_pickle(value, path)


def get_shared_state_pickle(path="state.pickle"):
    return Windmill.get_shared_state_pickle(path)


def set_shared_state(value, path="state.json") -> None:
    return Windmill.set_shared_state(value, path)


def get_shared_state(path="state.json"):
    return Windmill.get_shared_state(path)


def append_to_result_stream(text: str) -> None:
    """Adds text to the job's streamed result (a `WM_STREAM: ` line of its output)."""
    print("WM_STREAM: " + text.replace("\n", "\\n"), flush=True)


def stream_result(stream) -> None:
    """Adds each text the iterable yields to the job's streamed result."""
    for text in stream:
        append_to_result_stream(text)
