// The program a TypeScript/JavaScript job runs under Node.js, the text of
// wrappers/node_wrapper_v1.mjs (embedded at build time): it imports the job's main.mjs (its
// TypeScript with the types stripped by esbuild), calls `main` with the arguments in its
// declared parameter order and writes the JSON of the awaited value to result.json. With --warm
// it serves one job after another instead (warm_interpreter.h).
#pragma once

namespace millrace::runtime {

extern const char kNodeWrapperV1[];

}  // namespace millrace::runtime
