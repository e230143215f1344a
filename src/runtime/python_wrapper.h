// The Python side of the job protocol (version 1), the text of wrappers/python_wrapper_v1.py
// (embedded at build time): loads ./main.py, binds ./args.json to main's parameters by keyword,
// writes the return value (or the exception) to ./result.json. With --warm it serves one job
// after another instead (warm_interpreter.h).
#pragma once

namespace millrace::runtime {

extern const char kPythonWrapperV1[];
// Millrace's `wmill` module (clients/python/wmill/__init__.py), written beside the wrapper.
extern const char kWmillPythonModule[];

}  // namespace millrace::runtime
