// Reading the flow's JSON (its OpenFlow value, its arguments, its steps' results) without
// surprises: absent or mistyped fields read as empty, and the error objects a flow reports.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace millrace::flow {

using ojson = nlohmann::ordered_json;

// Compact JSON text; invalid UTF-8 in strings is replaced, never thrown on.
std::string text_of(const ojson& v);
// The value of `text`, or null when it is not JSON.
ojson parse_or_null(const std::string& text);

// o[key] when `o` is an object and it is a string, else "".
std::string str(const ojson& o, const char* key);
// o[key] when `o` is an object and it is a boolean, else false.
bool flag(const ojson& o, const char* key);
// o[key] when `o` is an object and it is present and not null, else nullptr.
const ojson* field(const ojson& o, const char* key);

// A module's `value` (what it runs; its `type` says which kind it is); null when absent.
const ojson& value_of(const ojson& module);

// {"error": {"name": name, "message": message}}: how a flow reports a failure.
ojson error_result(const std::string& name, const std::string& message);
// A failure as the flow reports it: the error object, with the step it happened in.
ojson with_step_id(const ojson& failure, const std::string& step_id);

}  // namespace millrace::flow
