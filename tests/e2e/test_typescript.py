"""TypeScript and JavaScript jobs on Node.js: Windmill's languages bun,
deno, nativets and bunnative run on the machine's node, their types stripped by esbuild (npm).
`main` gets its arguments by position, in declared order, looked up by name; missing ones are
undefined so defaults apply; the awaited value is the JSON result (BigInt as a string,
undefined as null); a thrown error is {name, message, stack}; console output is the job's logs;
fetch works; what cannot work here (Bun.*, Deno.*, npm: or uninstalled imports, code that does
not compile) fails in words."""
import unittest

from e2e_util import sync_run
from flow_helpers import FlowMixin, flow_value, js, rawscript
from harness import WS, ServerTestCase

TYPED_TS = """type Greeting = { text: string; count: number };
interface Options { loud?: boolean }

export async function main(name: string, times: number = 2, options: Options = {},
                           tags: string[] = []): Promise<Greeting> {
  console.log(`greeting ${name}`);
  await new Promise((resolve) => setTimeout(resolve, 10));
  const text = `hi ${name}`.repeat(times);
  return { text: options.loud ? text.toUpperCase() : text, count: tags.length };
}
"""


class TypeScriptJobsTest(ServerTestCase):
    def script(self, path, content, language="bun"):
        self.server.create_script(self.token, path, content, language=language)

    def run_sync(self, path, args=None):
        return sync_run(self.server, self.token, path, args or {})

    def result(self, path, args=None):
        r = self.run_sync(path, args)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.content_type.startswith("application/json"), r)
        return r.json()

    def error(self, path, args=None):
        r = self.run_sync(path, args)
        self.assertEqual(r.status, 422, r)
        return r.json()["error"]

    def test_types_are_stripped_and_arguments_bound_by_position_in_declared_order(self):
        self.script("u/admin/typed", TYPED_TS)
        # Given in another order than declared, with an unknown key that is ignored.
        got = self.result("u/admin/typed", {"tags": ["a", "b"], "unknown": 1, "name": "Ada",
                                            "options": {"loud": True}, "times": 1})
        self.assertEqual(got, {"text": "HI ADA", "count": 2})
        # Missing arguments are undefined: the declared defaults apply.
        self.assertEqual(self.result("u/admin/typed", {"name": "Bo"}), {"text": "hi Bohi Bo",
                                                                        "count": 0})

    def test_a_script_saved_without_a_schema_gets_one_from_its_signature(self):
        self.script("u/admin/schema_ts", TYPED_TS, language="deno")
        r = self.server.request("GET", f"/api/w/{WS}/scripts/get/p/u/admin/schema_ts",
                                token=self.token)
        self.assertEqual(r.status, 200, r)
        schema = r.json()["schema"]
        self.assertEqual(schema["order"], ["name", "times", "options", "tags"], schema)
        self.assertEqual(schema["required"], ["name"], schema)
        props = schema["properties"]
        self.assertEqual((props["name"]["type"], props["times"]["type"], props["times"]["default"]),
                         ("string", "number", 2), schema)
        self.assertEqual(props["tags"], {"type": "array", "items": {"type": "string"},
                                         "default": [], "description": ""}, schema)

    def test_console_output_is_the_jobs_logs(self):
        self.script("u/admin/logs", TYPED_TS)
        job = self.server.run_async(self.token, "u/admin/logs", {"name": "Cy"})
        done = self.server.wait_job(self.token, job)
        self.assertTrue(done["success"], done)
        self.assertIn("greeting Cy", done["logs"], done)

    def test_values_keep_their_shape(self):
        self.script("u/admin/shapes", """export function main(x: any, n: number | null = 5) {
  return { x, n, big: 12345678901234567890n, none: undefined, text: "żółw 🐢", nested: { a: [1, { b: null }] } };
}
""")
        got = self.result("u/admin/shapes", {"x": {"deep": ["é", 1.5, True]}, "n": None})
        self.assertEqual(got, {"x": {"deep": ["é", 1.5, True]}, "n": None,
                               "big": "12345678901234567890", "text": "żółw 🐢",
                               "nested": {"a": [1, {"b": None}]}})
        self.script("u/admin/nothing", "export async function main() {}\n", language="deno")
        self.assertIsNone(self.result("u/admin/nothing"))

    def test_argument_binding_edge_cases(self):
        self.script("u/admin/binding", """export function main(a: any, b: string = "dflt", c?: number,
                           obj: { deep: { list: number[] } } = { deep: { list: [] } }) {
  return { a: a === undefined ? "undefined" : a, b, c: c ?? "none", sum: obj.deep.list.reduce((x, y) => x + y, 0) };
}
""")
        # null is passed as null (no default); a missing argument is undefined (default applies).
        self.assertEqual(self.result("u/admin/binding", {"a": None, "b": None}),
                         {"a": None, "b": None, "c": "none", "sum": 0})
        self.assertEqual(self.result("u/admin/binding", {"a": 1}),
                         {"a": 1, "b": "dflt", "c": "none", "sum": 0})
        # Unicode and nested values arrive intact; an integer past 2^53 is a JavaScript number
        # (its last digits are lost, as in Windmill's Bun and Deno).
        got = self.result("u/admin/binding", {"a": {"naïve ключ": "值 🐢"}, "c": 2 ** 60,
                                              "obj": {"deep": {"list": [1, 2, 3.5]}}})
        self.assertEqual(got["a"], {"naïve ключ": "值 🐢"})
        self.assertEqual(got["sum"], 6.5)
        self.assertEqual(got["c"], 1152921504606847000)  # 2**60 = 1152921504606846976

    def test_a_thrown_error_is_a_failure_with_name_message_and_stack(self):
        self.script("u/admin/throws", """class QuotaError extends Error {
  constructor(message: string) { super(message); this.name = "QuotaError"; }
}
export function main(limit: number) { throw new QuotaError(`over ${limit}`); }
""")
        error = self.error("u/admin/throws", {"limit": 3})
        self.assertEqual((error["name"], error["message"]), ("QuotaError", "over 3"), error)
        self.assertIn("QuotaError: over 3", error["stack"], error)

    def test_fetch_works_and_the_environment_is_the_jobs(self):
        self.script("u/admin/fetches", """export async function main() {
  const r = await fetch(process.env.WM_BASE_URL + "/api/version");
  const env = Object.keys(process.env).sort();
  return { status: r.status, text: await r.text(), job: process.env.WM_JOB_ID?.length,
           leaked: env.filter((k) => k.startsWith("MILLRACE")) };
}
""", language="nativets")
        got = self.result("u/admin/fetches")
        self.assertEqual(got["status"], 200, got)
        self.assertIn("millrace", got["text"], got)
        self.assertEqual((got["job"], got["leaked"]), (36, []), got)

    def test_what_cannot_run_here_fails_in_words(self):
        cases = {
            "u/admin/uses_bun": ("export function main() { return Bun.file('x'); }\n",
                                 "Bun.file is not available"),
            "u/admin/uses_deno": ("export function main() { return Deno.env.get('X'); }\n",
                                  "Deno.env is not available"),
            "u/admin/url_import": ("import x from 'https://deno.land/x/nothing/mod.ts';\n"
                                   "export function main() { return x; }\n",
                                   "URL imports are not supported"),
            # Packages come from the lock made at the save; one npm does not know fails it.
            "u/admin/missing_package": ("import left from 'millrace-no-such-package-zq9';\n"
                                        "export function main() { return left('x', 3); }\n",
                                        "could not be resolved"),
            "u/admin/no_main": ("export function handler() { return 1; }\n",
                                "the script has no main function"),
            "u/admin/broken": ("export function main( {\n", "the script does not compile"),
        }
        for path, (content, words) in cases.items():
            with self.subTest(path=path):
                self.script(path, content)
                error = self.error(path)
                self.assertIn(words, error["message"], error)
        self.assertHealthy()

    def test_each_typescript_language_runs(self):
        for language in ("bun", "deno", "nativets", "bunnative"):
            with self.subTest(language=language):
                path = f"u/admin/lang_{language}"
                self.script(path, "export const main = async (who: string) => `${who} ok`;\n",
                            language=language)
                self.assertEqual(self.result(path, {"who": language}), f"{language} ok")
        # An arrow with one bare parameter, its body calling something.
        self.script("u/admin/bare_arrow", "export const main = who => `${who}`.concat('!');\n")
        self.assertEqual(self.result("u/admin/bare_arrow", {"who": "ada"}), "ada!")


class TypeScriptInFlowsTest(FlowMixin, ServerTestCase):
    def test_a_typescript_step_between_python_and_bash(self):
        self.create_flow("f/t/ts_step", flow_value(
            rawscript("a", "def main(x: int):\n    return x + 1\n", x=js("flow_input.x")),
            rawscript("b", "export function main(n: number): number[] { return [n, n * 2]; }\n",
                      language="bun", n=js("previous_result")),
            rawscript("c", 'v="$1"\necho "got $v"\n', language="bash", v=js("results.b[1]"))))
        self.assertEqual(self.sync_result("f/t/ts_step", {"x": 1}), "got 4")


if __name__ == "__main__":
    unittest.main()
