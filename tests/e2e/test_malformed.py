"""Malformed and hostile requests, as data: every case of malformed_requests.table is sent to the
real binary and must get the 4xx (and the error body) Windmill gives; after every case the server
must still be alive and answer GET /api/version.

Table format (one case per block, blocks separated by blank lines; `#` lines are comments, the
first one names the case):

  request METHOD TARGET       an HTTP request on a fresh connection (http.client)
  raw BYTES                   raw bytes on a socket instead (Python escapes: \\r\\n, \\x00, ...);
                              several raw lines are concatenated
  raw-shutdown                after the raw bytes, half-close the socket (the client sends EOF)
  server main|limited|fresh   `limited` runs with REQUEST_SIZE_LIMIT=1024; `fresh` is a server
                              started for this case alone and thrown away (default main)
  token T                     Authorization: Bearer for T = admin | none | bad | expired | user
                              (a user who is not a member of `admins`) | ws-admins (a token bound
                              to workspace admins) | scoped-SCOPE [SCOPE...]; default none
  header Name: value          a request header (repeatable)
  body TEXT                   request body (repeatable: lines joined with \\n; `body` alone is an
                              empty body)
  body-bytes BYTES            request body with Python escapes
  body-base64 B64             request body, base64
  expect STATUS [STATUS...]   the status (one of them)
  expect-body TEXT            the exact body
  expect-body-prefix TEXT     the body starts with TEXT
  expect-body-contains TEXT   the body contains TEXT
  expect-body-not-contains T  the body does not contain T
  expect-content-type TYPE    the Content-Type starts with TYPE (a case with a body expectation
                              gets text/plain unless it says otherwise)
  expect-close                (raw) the server closes the connection after answering

Placeholders, filled in every line: {ADMIN_TOKEN} {BAD_TOKEN} {EXPIRED_TOKEN} {HASH} (the hash of
u/admin/echo) {UNKNOWN_HASH} {JOB_ID} (a completed job) {UNKNOWN_UUID} {BIG_BODY} (4 KiB JSON)
{SMALL_BODY} (~900 B JSON) {BIG_HEADER} (100 KiB) {DEEP_OPEN} (100000 `[`) {DEEP_BALANCED}
(100000 `[` then 100000 `]`) {LONG_WS} (a 4000-character workspace id) {LONG_TOKEN} (600 chars)
{FUTURE_JOB} (a job scheduled far in the future, still queued).
"""
import base64
import codecs
import os
import re
import socket
import time
import unittest
import uuid

from harness import Server

TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "malformed_requests.table")
ECHO = 'x="$1"\necho "$x"\n'


class Case:
    def __init__(self, line):
        self.line = line
        self.name = None
        self.server = "main"
        self.method = None
        self.target = None
        self.raw = None
        self.raw_shutdown = False
        self.token = "none"
        self.headers = []
        self.body = None
        self.expect = None
        self.expect_body = None
        self.expect_prefix = None
        self.expect_contains = []
        self.expect_not_contains = []
        self.expect_content_type = None
        self.expect_close = False

    def __repr__(self):
        return f"{self.name} (table line {self.line})"


def unescape(text):
    return codecs.escape_decode(text.encode("latin-1", "backslashreplace"))[0]


def parse_table(path):
    """Returns the cases of the table, in order. Placeholders are left in place."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    cases, block = [], []

    def flush():
        if not block:
            return
        case = Case(block[0][0])
        body_lines = None
        for lineno, line in block:
            if line.startswith("#"):
                if case.name is None:
                    case.name = line.lstrip("#").strip()
                continue
            word, _, rest = line.partition(" ")
            if word == "request":
                case.method, _, case.target = rest.partition(" ")
            elif word == "raw":
                case.raw = (case.raw or "") + rest
            elif word == "raw-shutdown":
                case.raw_shutdown = True
            elif word == "server":
                case.server = rest.strip()
            elif word == "token":
                case.token = rest.strip()
            elif word == "header":
                name, _, value = rest.partition(":")
                case.headers.append((name.strip(), value.strip()))
            elif word == "body":
                body_lines = (body_lines or []) + [rest]
            elif word == "body-bytes":
                case.body = ("bytes", rest)
            elif word == "body-base64":
                case.body = ("base64", rest)
            elif word == "expect":
                case.expect = [int(s) for s in rest.split()]
            elif word == "expect-body":
                case.expect_body = rest
            elif word == "expect-body-prefix":
                case.expect_prefix = rest
            elif word == "expect-body-contains":
                case.expect_contains.append(rest)
            elif word == "expect-body-not-contains":
                case.expect_not_contains.append(rest)
            elif word == "expect-content-type":
                case.expect_content_type = rest.strip()
            elif word == "expect-close":
                case.expect_close = True
            else:
                raise ValueError(f"{path}:{lineno}: unknown directive {word!r}")
        if body_lines is not None:
            case.body = ("text", "\n".join(body_lines))
        if case.method is None and case.raw is None:
            return  # a comment-only block
        if case.expect is None:
            raise ValueError(f"{path}:{case.line}: case {case.name!r} has no `expect`")
        if case.name is None:
            case.name = f"line {case.line}"
        cases.append(case)

    for lineno, line in enumerate(lines, 1):
        if line.strip() == "":
            flush()
            block = []
        else:
            block.append((lineno, line.rstrip("\r")))
    flush()
    return cases


class RawAnswer:
    def __init__(self, data, closed):
        self.data = data
        self.closed = closed
        m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        self.status = int(m.group(1)) if m else None
        head, _, self.body = data.partition(b"\r\n\r\n")
        self.headers = {}
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            self.headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def content_type(self):
        return self.headers.get("content-type", "")

    def __repr__(self):
        return f"<RawAnswer closed={self.closed} {self.data[:300]!r}>"


def raw_exchange(port, data, shutdown=False, wait_close=False, timeout=10):
    """Sends raw bytes; reads the answer. With wait_close, reads until the server closes (or the
    timeout passes: closed=False); otherwise stops after the first complete answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    chunks, closed = [], False
    deadline = time.time() + timeout
    try:
        try:
            s.sendall(data)
            if shutdown:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything
        while time.time() < deadline:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not c:
                closed = True
                break
            chunks.append(c)
            got = b"".join(chunks)
            if not wait_close and b"\r\n\r\n" in got:
                head, _, rest = got.partition(b"\r\n\r\n")
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if m and len(rest) >= int(m.group(1)):
                    break
        return RawAnswer(b"".join(chunks), closed)
    finally:
        s.close()


class MalformedRequestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cases = parse_table(TABLE)
        cls.servers = {}
        try:
            cls.servers["main"] = Server(env={"NUM_WORKERS": "1"}).start()
            cls.servers["limited"] = Server(
                env={"NUM_WORKERS": "1", "REQUEST_SIZE_LIMIT": "1024"}).start()
            cls._fixtures()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers.values():
            s.kill9()
            s.cleanup()

    @classmethod
    def _fixtures(cls):
        main = cls.servers["main"]
        cls.admin = {name: s.login() for name, s in cls.servers.items()}
        tok = cls.admin["main"]
        cls.hash = {}
        for name, s in cls.servers.items():
            cls.hash[name] = s.create_script(cls.admin[name], "u/admin/echo", ECHO, language="bash")
        job = main.run_async(tok, "u/admin/echo", {"x": "fixture"})
        done = main.wait_job(tok, job)
        assert done["success"], done
        cls.job_id = job
        r = main.request("POST", "/api/w/admins/jobs/run/p/u/admin/echo?scheduled_in_secs=86400",
                         json_body={"x": "later"}, token=tok)
        assert r.status == 201, r
        cls.future_job = r.text
        r = main.request("POST", "/api/workspaces/create", json_body={"id": "other", "name": "Other"},
                         token=tok)
        assert r.status == 200, r
        r = main.request("POST", "/api/users/create", token=tok,
                         json_body={"email": "bob@example.com", "password": "bob-password",
                                    "super_admin": False})
        assert r.status == 201, r
        cls.user_token = main.login("bob@example.com", "bob-password")
        cls.expired_token = main.create_token(tok, label="old", expiration="2000-01-01T00:00:00Z")
        cls.ws_token = main.create_token(tok, label="bound", workspace_id="admins")
        cls.scoped = {}
        cls.values = {
            "ADMIN_TOKEN": tok,
            "BAD_TOKEN": "Zq7tV0wYbadbadbadbadbadbadbadbad",
            "EXPIRED_TOKEN": cls.expired_token,
            "UNKNOWN_HASH": "0123456789abcdef" if cls.hash["main"] != "0123456789abcdef"
            else "fedcba9876543210",
            "JOB_ID": cls.job_id,
            "FUTURE_JOB": cls.future_job,
            "UNKNOWN_UUID": str(uuid.uuid4()),
            "BIG_BODY": '{"a":"' + "x" * (4096 - 8) + '"}',
            "SMALL_BODY": '{"x":"' + "y" * 890 + '"}',
            "BIG_HEADER": "h" * (100 * 1024),
            "DEEP_OPEN": "[" * 100000,
            "DEEP_BALANCED": "[" * 100000 + "]" * 100000,
            "LONG_WS": "w" * 4000,
            "LONG_TOKEN": "t" * 600,
        }

    # --- one case ----------------------------------------------------------------------------

    def fill(self, text, server_name):
        values = dict(self.values, HASH=self.hash[server_name],
                      ADMIN_TOKEN=self.admin[server_name])

        def sub(m):
            if m.group(1) not in values:
                raise ValueError(f"unknown placeholder {m.group(0)}")
            return values[m.group(1)]
        return re.sub(r"\{([A-Z_0-9]+)\}", sub, text)

    def token_for(self, case):
        server = self.servers[case.server]
        spec = case.token
        if spec == "none":
            return None
        if spec == "admin":
            return self.admin[case.server]
        if spec == "bad":
            return self.values["BAD_TOKEN"]
        if spec == "expired":
            return self.expired_token
        if spec == "user":
            return self.user_token
        if spec == "ws-admins":
            return self.ws_token
        if spec.startswith("scoped-"):
            scopes = spec[len("scoped-"):].split()
            key = (case.server, tuple(scopes))
            if key not in self.scoped:
                self.scoped[key] = server.create_token(self.admin[case.server],
                                                       label="scoped", scopes=scopes)
            return self.scoped[key]
        raise ValueError(f"unknown token {spec!r}")

    def body_bytes(self, case):
        if case.body is None:
            return None
        kind, text = case.body
        text = self.fill(text, case.server)
        if kind == "text":
            return text.encode()
        if kind == "bytes":
            return unescape(text)
        return base64.b64decode(text)

    def send(self, case):
        server = self.servers[case.server]
        if case.raw is not None:
            data = unescape(self.fill(case.raw, case.server))
            return raw_exchange(server.port, data, shutdown=case.raw_shutdown,
                                wait_close=case.expect_close)
        headers = {}
        for name, value in case.headers:
            headers[name] = self.fill(value, case.server)
        token = self.token_for(case)
        return server.request(case.method, self.fill(case.target, case.server),
                              body=self.body_bytes(case), headers=headers, token=token, timeout=30)

    def check(self, case, r):
        self.assertIn(r.status, case.expect, f"{case}: {r!r}")
        text = r.text
        if case.expect_body is not None:
            self.assertEqual(text, self.fill(case.expect_body, case.server), f"{case}: {r!r}")
        if case.expect_prefix is not None:
            prefix = self.fill(case.expect_prefix, case.server)
            self.assertTrue(text.startswith(prefix), f"{case}: body should start with "
                                                     f"{prefix!r}: {r!r}")
        for t in case.expect_contains:
            self.assertIn(self.fill(t, case.server), text, f"{case}: {r!r}")
        for t in case.expect_not_contains:
            self.assertNotIn(self.fill(t, case.server), text, f"{case}: {r!r}")
        wants_text = (case.expect_body is not None or case.expect_prefix is not None
                      or case.expect_contains)
        ct = case.expect_content_type or ("text/plain" if wants_text else None)
        if ct is not None:
            self.assertTrue(r.content_type.startswith(ct),
                            f"{case}: Content-Type should be {ct}, got {r.content_type!r}")
        if case.expect_close:
            self.assertTrue(r.closed, f"{case}: the server kept the connection open: {r!r}")

    def assert_still_serving(self, case):
        """The server survived the case (else it is started again for the next cases)."""
        server = self.servers[case.server]
        try:
            r = server.request("GET", "/api/version", timeout=30) if server.alive() else None
        except OSError as e:  # refused or reset: the process is going away
            r = e
        if isinstance(r, Exception) or r is None:
            proc = server.proc
            try:
                status = proc.wait(10) if proc else None
            except Exception:  # noqa: BLE001 - still running but not serving
                status = "still running, not serving"
            log = server.tail_log()
            server.kill9()  # reaps it (or kills it), closes its log
            server.start()  # the next cases need a server
            self.fail(f"{case}: the server stopped serving after the case ({r!r}, exit status "
                      f"{status}); its log ends with:\n{log}")
        self.assertEqual(r.status, 200, f"{case}: /api/version after the case: {r!r}")

    # --- the loop ----------------------------------------------------------------------------

    def test_table_has_enough_cases(self):
        self.assertGreaterEqual(len(self.cases), 45)
        names = [c.name for c in self.cases]
        self.assertEqual(len(names), len(set(names)), "case names must be unique")

    def start_fresh(self):
        """A server of its own for a case that may leave a poisoned queue behind."""
        s = Server(env={"NUM_WORKERS": "1"}).start()
        self.servers["fresh"] = s
        self.admin["fresh"] = s.login()
        self.hash["fresh"] = s.create_script(self.admin["fresh"], "u/admin/echo", ECHO,
                                             language="bash")

    def stop_fresh(self):
        s = self.servers.pop("fresh", None)
        if s is not None:
            s.kill9()
            s.cleanup()

    def test_every_case(self):
        for case in self.cases:
            with self.subTest(case=case.name, line=case.line):
                if case.server == "fresh":
                    self.start_fresh()
                try:
                    try:
                        self.check(case, self.send(case))
                    finally:
                        self.assert_still_serving(case)
                finally:
                    self.stop_fresh()


if __name__ == "__main__":
    unittest.main()
