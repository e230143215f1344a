// The program each Node.js expression evaluator runs, the text of evaluator.mjs (embedded at
// build time; an ES module, given to `node --input-type=module -e`). Its protocol, one JSON line
// per request and per answer, is described at the top of that file.
#pragma once

namespace millrace::flow {

extern const char kEvaluatorScript[];

}  // namespace millrace::flow
