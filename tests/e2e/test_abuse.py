"""The server stays up under abuse: bodies of callers without a token are refused before they are
read, bodies in flight have a memory budget, passwords are checked off the HTTP threads and
failed logins slow down. No timings are asserted (the machine is shared): what is checked is
how much of a body the server let in, what it answered and in which order (bench/abuse
measures the latencies)."""
import socket
import threading
import time
import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, WS, ServerTestCase

HELLO = "def main(name: str = 'world'):\n    return f'hello {name}'\n"


def post_big(port, path, size, headers="", sent_out=None):
    """POSTs a body of `size` bytes, reads the answer. Answers (status, text), or (None, error)
    when the server hung up first. Appends to `sent_out` how much of the body went out before
    the server answered or cut the connection: beyond what the kernel's socket buffers hold
    (a few MB), only what the server read."""
    # Generous: under AddressSanitizer on a loaded machine, reading and parsing 40 MB is slow.
    s = socket.create_connection(("127.0.0.1", port), timeout=180)
    try:
        s.sendall((f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {size}\r\n{headers}\r\n").encode())
        chunk = b" " * (1 << 20)
        sent = 0
        try:
            while sent < size:
                n = min(len(chunk), size - sent)
                s.sendall(chunk[:n])
                sent += n
        except OSError:
            pass  # it answered and closed: the rest is never read
        if sent_out is not None:
            sent_out.append(sent)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                c = s.recv(65536)
                if not c:
                    break
                data += c
        except OSError as e:
            return None, str(e)
        if not data:
            return None, "closed"
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), body.decode(errors="replace")
    finally:
        s.close()


class LargeBodiesTest(ServerTestCase):
    def test_unauthenticated_large_bodies_are_refused_before_they_are_read(self):
        self.server.create_script(self.token, "u/admin/hello", HELLO)
        path = f"/api/w/{WS}/jobs/run/p/u/admin/hello"
        size = 150 * 1024 * 1024
        answers, sent, version_ok = [], [], []

        def flood(extra):
            answers.append(post_big(self.server.port, path, size, extra, sent))

        threads = [threading.Thread(target=flood, args=(h,))
                   for h in ["", "Authorization: Bearer not-a-token\r\n"] * 4]
        for t in threads:
            t.start()
        # The server answers others meanwhile (asked at least once: the refusals may all be
        # over before the first question).
        while True:
            version_ok.append(self.server.request("GET", "/api/version").status == 200)
            if not any(t.is_alive() for t in threads):
                break
        for t in threads:
            t.join()
        for status, text in answers:
            # Refused at once (or the connection cut while the client was still sending).
            self.assertIn(status, (401, None), text)
            if status:
                self.assertIn("Unauthorized", text)
        self.assertTrue(version_ok and all(version_ok), version_ok)
        # Each body stopped where the socket buffers were full: the server did not read it.
        self.assertEqual(len(sent), 8)
        self.assertLess(max(sent), 32 * 1024 * 1024, sent)
        # With its token, a body over 64 KiB is read: all 40 MB of spaces go out (and are not
        # JSON), and a real one runs.
        sent = []
        status, text = post_big(self.server.port, path, 40 * 1024 * 1024,
                                f"Authorization: Bearer {self.token}\r\n", sent)
        self.assertEqual((status, sent), (400, [40 * 1024 * 1024]), text)
        big = '{"name": "' + "x" * 100000 + '"}'
        r = self.server.request("POST", path, body=big, token=self.token,
                                headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 201, r)


class BodyBudgetTest(ServerTestCase):
    server_env = {"REQUEST_BUFFER_LIMIT": "1000000"}

    def test_bodies_in_flight_have_a_memory_budget(self):
        self.server.create_script(self.token, "u/admin/hello", HELLO)
        path = f"/api/w/{WS}/jobs/run_wait_result/p/u/admin/hello"
        auth = f"Authorization: Bearer {self.token}\r\n"
        # A slow sender holds 900 kB of the budget while it sends.
        slow = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        body = b'{"name": "' + b"y" * 899980 + b'"}'
        slow.sendall((f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {len(body)}\r\n{auth}\r\n").encode() + body[:1000])
        time.sleep(0.3)
        other = '{"name": "' + "z" * 199980 + '"}'
        status, text = post_big(self.server.port, path, len(other), auth)
        self.assertEqual(status, 503, text)
        self.assertIn("too many request bodies at once", text)
        slow.sendall(body[1000:])
        answer = slow.recv(65536)
        slow.close()
        self.assertIn(b" 200 ", answer.split(b"\r\n")[0])
        # Its budget back, the other goes through.
        r = self.server.request("POST", path, body=other, token=self.token,
                                headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)


class LoginAbuseTest(ServerTestCase):
    def login(self, email, password, out=None):
        r = self.server.request("POST", "/api/auth/login",
                                json_body={"email": email, "password": password})
        if out is not None:
            out.append((time.monotonic(), r))
        return r

    def test_wrong_logins_are_checked_off_the_http_threads_and_then_slow_down(self):
        self.server.add_member(self.token, "bob@example.com", "bob-password")
        answers = []
        threads = [threading.Thread(target=self.login, args=(ADMIN_EMAIL, f"wrong{i}", answers))
                   for i in range(8)]
        for t in threads:
            t.start()
        time.sleep(0.01)
        version = self.server.request("GET", "/api/version")
        version_at = time.monotonic()
        for t in threads:
            t.join()
        self.assertEqual(version.status, 200)
        self.assertEqual(sorted(r.status for _, r in answers), [400] * 8)
        # The server answered while the passwords were being checked: the HTTP threads are free.
        self.assertLess(version_at, max(at for at, _ in answers))
        # Now the account waits, even with the right password, and says for how long.
        r = self.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        self.assertEqual(r.status, 429, r)
        self.assertIn("Too many failed logins: try again in", r.text)
        self.assertTrue(1 <= int(r.headers["retry-after"]) <= 8, r.headers)
        # Another account, from the same address, is not held up.
        self.assertEqual(self.login("bob@example.com", "bob-password").status, 200)
        # An unknown account is refused like a wrong password.
        r = self.login("nobody-here@example.com", "x")
        self.assertEqual((r.status, r.text), (400, "Bad request: Invalid login"))


if __name__ == "__main__":
    unittest.main()
