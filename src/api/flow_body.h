// An OpenFlowWPath body (what flows/create and flows/update take, what `wmill flow push`
// sends) → a flow record, checked: path, summary, and a value whose modules, loops and branches
// each have an id and a known type. Pure: text in, record or 400/422 out.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "store/flows.h"

namespace millrace::api {

struct ParsedFlow {
  store::FlowRecord flow;
  std::optional<std::string> deployment_msg;
};

// A FlowValue: its modules, loops and branches (and failure module) each with an id and a
// known type; 422 naming the first that is not.
Status check_flow_value(const nlohmann::json& value);

// `body` is the request's JSON text (json_body_text() already checked that it is JSON); `ws`
// goes into the record.
Result<ParsedFlow> parse_flow_body(const std::string& body, const std::string& ws);

}  // namespace millrace::api
