"""A script's concurrency limit (Windmill's concurrency_limit and concurrency_time_window_s):
jobs above it wait their turn in the queue — none refused, none lost — so no more than the
limit run at once, or start within the window."""
import unittest

from harness import WS, ServerTestCase

SLEEPY_PY = """import time

def main(n: int = 0, wait: float = 0.6):
    time.sleep(wait)
    return n
"""


def millis(text):
    from e2e_util import parse_ts
    return parse_ts(text).timestamp() * 1000


class ConcurrencyLimitTest(ServerTestCase):
    server_env = {"NUM_WORKERS": "3"}

    def run_all(self, path, n, args=None):
        ids = [self.server.run_async(self.token, path, dict(args or {}, n=i)) for i in range(n)]
        return [self.server.wait_job(self.token, i, timeout=60) for i in ids]

    def test_no_more_than_the_limit_run_at_once(self):
        self.server.create_script(self.token, "u/admin/one_at_a_time", SLEEPY_PY,
                                  concurrency_limit=1)
        jobs = self.run_all("u/admin/one_at_a_time", 3)
        self.assertTrue(all(j["success"] for j in jobs), jobs)
        spans = sorted((millis(j["started_at"]), millis(j["started_at"]) + j["duration_ms"])
                       for j in jobs)
        for (_, end), (start, _) in zip(spans, spans[1:]):
            self.assertGreaterEqual(start, end - 5, spans)  # one after the other
        # Without a limit, the three workers run them side by side.
        self.server.create_script(self.token, "u/admin/side_by_side", SLEEPY_PY)
        jobs = self.run_all("u/admin/side_by_side", 3)
        starts = sorted(millis(j["started_at"]) for j in jobs)
        self.assertLess(starts[-1] - starts[0], 500, starts)

    def test_a_time_window_spaces_the_starts(self):
        self.server.create_script(self.token, "u/admin/two_per_window", SLEEPY_PY,
                                  concurrency_limit=2, concurrency_time_window_s=2)
        jobs = self.run_all("u/admin/two_per_window", 4, {"wait": 0})
        self.assertEqual(sorted(j["result"] for j in jobs), [0, 1, 2, 3])
        starts = sorted(millis(j["started_at"]) for j in jobs)
        # Two may start at once; the third only once the first left the 2 s window.
        self.assertGreaterEqual(starts[2] - starts[0], 2000 - 5, starts)
        self.assertGreaterEqual(starts[3] - starts[1], 2000 - 5, starts)


if __name__ == "__main__":
    unittest.main()
