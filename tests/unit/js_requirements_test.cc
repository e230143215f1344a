// The npm packages of a TypeScript or JavaScript script, read from its imports.
#include "packages/js_requirements.h"

#include <gtest/gtest.h>

#include "runtime/npm_specifier.h"

namespace millrace::packages {
namespace {

std::vector<std::string> names(const std::vector<NpmRequirement>& reqs) {
  std::vector<std::string> out;
  for (const auto& r : reqs) out.push_back(r.name + "@" + r.version);
  return out;
}

TEST(JsRequirements, BareImportsOfEveryFormNameTheirPackage) {
  auto reqs = js_requirements(
      "import Stripe from \"stripe\";\n"
      "import { chunk } from 'lodash/fp';\n"
      "import * as z from \"zod\"\n"
      "import '@scope/side-effect/register';\n"
      "const ms = require(\"ms\");\n"
      "const lazy = await import( 'left-pad' );\n"
      "export { x } from \"re-exported\";\n");
  EXPECT_EQ(names(reqs), (std::vector<std::string>{"stripe@latest", "lodash@latest", "zod@latest",
                                                   "@scope/side-effect@latest", "ms@latest",
                                                   "left-pad@latest", "re-exported@latest"}));
}

TEST(JsRequirements, BuiltInsRelativePathsUrlsAndTheShippedClientNeedNothing) {
  auto reqs = js_requirements(
      "import fs from 'fs';\nimport { join } from \"node:path\";\nimport p from 'fs/promises';\n"
      "import a from './a.ts';\nimport b from '../b';\nimport c from '/abs/c.js';\n"
      "import d from 'https://deno.land/x/d.ts';\nimport * as wmill from 'windmill-client';\n"
      "const s = \"from here\"; console.log('import this');\n");
  EXPECT_TRUE(reqs.empty()) << names(reqs).size();
}

TEST(JsRequirements, NpmSpecifiersCarryTheirVersionAndAPinWins) {
  auto reqs = js_requirements(
      "import ms from 'ms';\nimport ms2 from \"npm:ms@2.1.3\";\n"
      "import { z } from 'npm:@scope/zed@^1.2/sub';\nimport w from "
      "'npm:windmill-client@1.400.0';\n");
  EXPECT_EQ(names(reqs),
            (std::vector<std::string>{"ms@2.1.3", "@scope/zed@^1.2", "windmill-client@1.400.0"}));
}

TEST(JsRequirements, NpmPrefixesAreRewrittenForNode) {
  EXPECT_EQ(runtime::without_npm_prefixes(
                "import a from \"npm:ms@2.1.3\";\nimport b from 'npm:@s/z@1/x';\n"
                "import c from \"npm:lodash\";"),
            "import a from \"ms\";\nimport b from '@s/z/x';\nimport c from \"lodash\";");
}

TEST(JsRequirements, ThePackageOfAnImport) {
  EXPECT_EQ(npm_package_of("lodash/fp"), "lodash");
  EXPECT_EQ(npm_package_of("@aws-sdk/client-s3/dist"), "@aws-sdk/client-s3");
  EXPECT_EQ(npm_package_of("crypto"), "");
  EXPECT_EQ(npm_package_of("node:crypto"), "");
  EXPECT_EQ(npm_package_of("../x"), "");
  EXPECT_EQ(npm_package_of("Bad Name"), "");
  EXPECT_EQ(npm_package_of("npm:.hidden@1"), "");
}

}  // namespace
}  // namespace millrace::packages
