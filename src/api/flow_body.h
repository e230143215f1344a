// An OpenFlowWPath body (what flows/create and flows/update take, what `wmill flow push`
// sends) → a flow record, checked: path, summary, and a value whose modules, loops and branches
// each have an id and a known type. Pure: text in, record or 400/422 out.
#pragma once

#include <optional>
#include <string>

#include "common/error.h"
#include "store/flows.h"

namespace millrace::api {

struct ParsedFlow {
  store::FlowRecord flow;
  std::optional<std::string> deployment_msg;
};

// `body` is the request's JSON text (json_body_text() already checked that it is JSON); `ws`
// goes into the record.
Result<ParsedFlow> parse_flow_body(const std::string& body, const std::string& ws);

}  // namespace millrace::api
