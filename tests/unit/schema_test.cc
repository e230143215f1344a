#include "runtime/schema.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace millrace::runtime {
namespace {

using nlohmann::json;

json schema_of(std::string_view language, std::string_view content) {
  auto text = infer_schema(language, content);
  EXPECT_TRUE(text.has_value());
  return text ? json::parse(*text) : json();
}

TEST(SchemaTest, PythonTypesDefaultsAndRequired) {
  json s = schema_of(
      "python3",
      "from typing import List, Optional, Literal\n"
      "def main(name: str, n: int = 2, ratio: float = 0.5, on: bool = True,\n"
      "         tags: List[str] = ['a'], opts: dict = {'k': None},\n"
      "         when: Optional[datetime] = None, mode: Literal['fast', 'slow'] = 'fast',\n"
      "         raw: bytes = b'', anything=3, *args, **kwargs):\n"
      "    return name\n");
  EXPECT_EQ(s["type"], "object");
  EXPECT_EQ(s["required"], json::array({"name"}));
  auto& p = s["properties"];
  EXPECT_EQ(p["name"]["type"], "string");
  EXPECT_EQ(p["n"]["type"], "integer");
  EXPECT_EQ(p["n"]["default"], 2);
  EXPECT_EQ(p["ratio"]["type"], "number");
  EXPECT_EQ(p["on"]["default"], true);
  EXPECT_EQ(p["tags"]["items"]["type"], "string");
  EXPECT_EQ(p["tags"]["default"], json::array({"a"}));
  EXPECT_EQ(p["opts"]["default"]["k"], nullptr);
  EXPECT_EQ(p["when"]["format"], "date-time");
  EXPECT_FALSE(p["when"].contains("default"));
  EXPECT_EQ(p["mode"]["enum"], json::array({"fast", "slow"}));
  EXPECT_EQ(p["raw"]["contentEncoding"], "base64");
  EXPECT_EQ(p["anything"]["type"], "integer");  // from the default
  EXPECT_FALSE(p.contains("args"));
  EXPECT_EQ(s["order"], json::array({"name", "n", "ratio", "on", "tags", "opts", "when", "mode",
                                     "raw", "anything"}));
}

TEST(SchemaTest, PythonLiteralsKeepTheirTypeAndEscapes) {
  json s = schema_of("python3",
                     "def main(level: Literal[1, 2, 3] = 2, quote: str = 'it\\'s \"ok\"'):\n"
                     "    pass\n");
  EXPECT_EQ(s["properties"]["level"]["type"], "integer");
  EXPECT_EQ(s["properties"]["level"]["enum"], json::array({1, 2, 3}));
  EXPECT_EQ(s["properties"]["quote"]["default"], "it's \"ok\"");
}

std::string repeat(std::string_view piece, size_t n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (size_t i = 0; i < n; ++i) out += piece;
  return out;
}

TEST(SchemaTest, DeeplyNestedTypesAndDefaultsAreReadAsAnyValueNotACrash) {
  // Each level was a recursion (and a copy of the rest): 100,000 levels overflowed the stack
  // or exhausted memory while a script was saved.
  const size_t n = 100000;
  json py = schema_of("python3", "def main(a: " + repeat("list[", n) + "int" + repeat("]", n) +
                                     ", b = " + repeat("[", n) + repeat("]", n) + "):\n  pass\n");
  EXPECT_EQ(py["properties"]["a"]["type"], "array");
  EXPECT_FALSE(py["properties"]["b"].contains("default"));  // deeper than a request may be
  json ts = schema_of("bun", "export function main(a: string" + repeat("[]", n) + ", b: " +
                                 repeat("Array<", n) + "number" + repeat(">", n) + ") {}\n");
  EXPECT_EQ(ts["properties"]["a"]["type"], "array");
  EXPECT_EQ(ts["properties"]["b"]["type"], "array");
  // Within the depth any script has, types are still read all the way down.
  json two = schema_of("python3", "def main(a: list[list[int]]):\n  pass\n");
  EXPECT_EQ(two["properties"]["a"]["items"]["items"]["type"], "integer");
}

TEST(SchemaTest, PythonWithoutMainHasNoSchema) {
  EXPECT_FALSE(infer_schema("python3", "print('hi')\n").has_value());
}

TEST(SchemaTest, BashArgumentsAreStrings) {
  json s = schema_of("bash", "name=\"$1\"\ngreeting=\"${2:-hello}\"\necho \"$greeting $name\"\n");
  EXPECT_EQ(s["required"], json::array({"name"}));
  EXPECT_EQ(s["properties"]["greeting"]["default"], "hello");
  EXPECT_EQ(s["properties"]["name"]["type"], "string");
  EXPECT_EQ(s["order"], json::array({"name", "greeting"}));
}

TEST(SchemaTest, TypeScriptTypesDefaultsOptionalAndOrder) {
  json s = schema_of("bun",
                     "import { x } from './y';\n"
                     "type Opts = { a: number };\n"
                     "export async function main(\n"
                     "  name: string,\n"
                     "  n: number = 2,\n"
                     "  on: boolean = true,\n"
                     "  big: bigint,\n"
                     "  tags: string[] = [\"a\"],\n"
                     "  matrix: Array<number[]>,\n"
                     "  mode: \"fast\" | \"slow\" = \"fast\",\n"
                     "  when?: Date,\n"
                     "  opts: Record<string, number> = {},\n"
                     "  shape: { a: string, b: number },\n"
                     "  cb: (x: number, y: string) => void = () => {},\n"
                     "  maybe: string | undefined,\n"
                     "  anything = 'x',\n"
                     "  { destructured }: Opts,\n"
                     "  ...rest: string[]\n"
                     "): Promise<string> { return name; }\n");
  EXPECT_EQ(s["required"], json::array({"name", "big", "matrix", "shape", "maybe"}));
  auto& p = s["properties"];
  EXPECT_EQ(p["name"]["type"], "string");
  EXPECT_EQ(p["n"]["type"], "number");
  EXPECT_EQ(p["n"]["default"], 2);
  EXPECT_EQ(p["on"]["default"], true);
  EXPECT_EQ(p["big"]["type"], "integer");
  EXPECT_EQ(p["tags"]["items"]["type"], "string");
  EXPECT_EQ(p["tags"]["default"], json::array({"a"}));
  EXPECT_EQ(p["matrix"]["items"]["items"]["type"], "number");
  EXPECT_EQ(p["mode"]["enum"], json::array({"fast", "slow"}));
  EXPECT_EQ(p["mode"]["default"], "fast");
  EXPECT_EQ(p["when"]["format"], "date-time");
  EXPECT_EQ(p["opts"]["type"], "object");
  EXPECT_EQ(p["shape"]["type"], "object");
  EXPECT_FALSE(p["cb"].contains("type"));  // a function: any value, and not required
  EXPECT_EQ(p["maybe"]["type"], "string");
  EXPECT_EQ(p["anything"]["type"], "string");  // from the default
  EXPECT_EQ(s["order"], json::array({"name", "n", "on", "big", "tags", "matrix", "mode", "when",
                                     "opts", "shape", "cb", "maybe", "anything"}));
}

TEST(SchemaTest, TypeScriptArrowMainAndNoMain) {
  json s = schema_of("deno", "export const main = async (who: string, n = 1) => `${who}${n}`;\n");
  EXPECT_EQ(s["order"], json::array({"who", "n"}));
  EXPECT_EQ(s["properties"]["n"]["type"], "integer");
  EXPECT_EQ(s["required"], json::array({"who"}));
  EXPECT_EQ(schema_of("nativets", "export function main() { return 1 }")["order"], json::array());
  EXPECT_FALSE(infer_schema("bun", "export function handler(a: string) {}").has_value());
  // `main` as a word: `domain = (...)` is not it.
  json d =
      schema_of("bun", "const domain = (x: string) => x;\nexport const main = (n: number) => n;\n");
  EXPECT_EQ(d["order"], json::array({"n"}));
}

TEST(SchemaTest, OtherLanguagesAreLeftAlone) {
  EXPECT_FALSE(infer_schema("go", "package inner\nfunc main(x string) {}").has_value());
}

}  // namespace
}  // namespace millrace::runtime
