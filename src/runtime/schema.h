// The argument schema of a script, inferred from its signature, in Windmill's JSON Schema
// shape: {"$schema": ..., "type": "object", "properties": {...}, "required": [...]}. The web
// app builds its run form from it; scripts saved with a schema keep theirs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace millrace::runtime {

// JSON text of the schema, or nothing for a language whose signature is not read here.
std::optional<std::string> infer_schema(std::string_view language, std::string_view content);

}  // namespace millrace::runtime
