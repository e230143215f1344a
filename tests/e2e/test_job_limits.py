"""Per-job limits. Memory (JOB_MEMORY_LIMIT_MB): a job that goes over it fails with a
message that says so and names the limit, whatever its language; the server and the jobs after
it are unharmed; a job within the limit runs as usual. Result size (MAX_RESULT_SIZE_MB): a
larger result fails its job in words, in every language."""
import unittest

from e2e_util import sync_run
from harness import ServerTestCase

GREEDY = {
    "python3": "def main():\n    chunks = [bytearray(50 * 1024 * 1024) for _ in range(20)]\n"
               "    return len(chunks)\n",
    "bun": "export function main() {\n  const all: number[][] = [];\n"
           "  while (true) all.push(new Array(1_000_000).fill(1.5));\n}\n",
    "bash": "python3 -c 'x = bytearray(500 * 1024 * 1024)'\necho done\n",
}


class MemoryLimitTest(ServerTestCase):
    server_env = {"JOB_MEMORY_LIMIT_MB": "200"}

    def test_a_job_over_the_limit_fails_and_says_so(self):
        for language, content in GREEDY.items():
            with self.subTest(language=language):
                path = f"u/admin/greedy_{language}"
                self.server.create_script(self.token, path, content, language=language)
                r = sync_run(self.server, self.token, path, {}, timeout=120)
                self.assertEqual(r.status, 422, r)
                message = r.json()["error"]["message"]
                self.assertIn("memory limit of 200 MB (JOB_MEMORY_LIMIT_MB)", message, message)
        self.assertHealthy()

    def test_an_error_object_of_any_shape_is_kept_as_it_is(self):
        # The limit's explanation reads the job's own error object, which may hold anything.
        self.server.create_script(self.token, "u/admin/odd_error",
                                  "import json, os\n"
                                  "def main():\n"
                                  "    with open('result.json', 'w') as f:\n"
                                  "        f.write(json.dumps({'name': 5, 'message': ['x']}))\n"
                                  "    os._exit(1)  # past the wrapper, which would write its own\n")
        r = sync_run(self.server, self.token, "u/admin/odd_error", {})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json(), {"error": {"name": 5, "message": ["x"]}})
        self.assertHealthy()

    def test_a_job_within_the_limit_runs(self):
        self.server.create_script(self.token, "u/admin/modest",
                                  "def main():\n    return len(bytearray(20 * 1024 * 1024))\n")
        r = sync_run(self.server, self.token, "u/admin/modest", {})
        self.assertEqual((r.status, r.json()), (200, 20 * 1024 * 1024), r)



class ResultSizeTest(ServerTestCase):
    server_env = {"MAX_RESULT_SIZE_MB": "1"}

    def test_a_result_over_the_limit_fails_its_job_in_words(self):
        big = {
            "python3": "def main(n: int):\n    return 'x' * n\n",
            "bun": "export function main(n: number) { return 'x'.repeat(n); }\n",
            "bash": 'n="$1"\nhead -c "$n" /dev/zero | tr "\\0" x > ./result.out\n',
        }
        for language, content in big.items():
            with self.subTest(language=language):
                path = f"u/admin/big_{language}"
                self.server.create_script(self.token, path, content, language=language)
                r = sync_run(self.server, self.token, path, {"n": 2 * 1024 * 1024})
                self.assertEqual(r.status, 422, r)
                message = r.json()["error"]["message"]
                self.assertIn("is larger than 1 MiB (MAX_RESULT_SIZE_MB)", message, message)
                r = sync_run(self.server, self.token, path, {"n": 1000})
                self.assertEqual((r.status, len(r.json())), (200, 1000), r)
        self.assertHealthy()

if __name__ == "__main__":
    unittest.main()
