#include "api/arg_validation.h"
#include "api/replies.h"

#include <gtest/gtest.h>

namespace millrace::api {
namespace {

const char* kSchema = R"({
  "type": "object",
  "properties": {
    "name": {"type": "string"}, "n": {"type": "integer"}, "ratio": {"type": "number"},
    "on": {"type": "boolean"}, "tags": {"type": "array"}, "opts": {"type": "object"},
    "mode": {"type": "string", "enum": ["fast", "slow"]}, "level": {"enum": [1, 2]},
    "free": {}
  },
  "required": ["name", "n"]
})";

std::string error_of(const std::string& args) {
  Status s = validate_args(kSchema, args);
  return s ? "" : std::to_string(http_status(s.error().kind)) + " " + s.error().message;
}

TEST(ArgValidationTest, WellTypedArgumentsPassAndUnknownOnesAreIgnored) {
  EXPECT_EQ(error_of(R"({"name": "a", "n": 2})"), "");
  EXPECT_EQ(error_of(R"({"name": "a", "n": 2.0, "ratio": 1, "on": false, "tags": [], "opts": {},
                         "mode": "slow", "level": 2, "free": [1], "extra": {"x": 1}})"),
            "");
  EXPECT_EQ(error_of(R"({"name": "a", "n": 1, "ratio": null})"), "");  // optional and null
}

TEST(ArgValidationTest, MissingRequiredArgumentsAreNamed) {
  EXPECT_EQ(error_of(R"({"n": 1})"),
            "400 Bad request: argument `name` is required (expected string)");
  // An explicit null is an argument: the script gets it (Python's None).
  EXPECT_EQ(error_of(R"({"name": "a", "n": null})"), "");
}

TEST(ArgValidationTest, WrongTypesSayWhatWasExpectedAndWhatCame) {
  EXPECT_EQ(error_of(R"({"name": 5, "n": 1})"),
            "400 Bad request: argument `name` should be string, got integer 5");
  EXPECT_EQ(error_of(R"({"name": "a", "n": 1.5})"),
            "400 Bad request: argument `n` should be integer, got number 1.5");
  EXPECT_EQ(error_of(R"({"name": "a", "n": "3"})"),
            "400 Bad request: argument `n` should be integer, got string \"3\"");
  EXPECT_EQ(error_of(R"({"name": "a", "n": 1, "mode": "medium"})"),
            "400 Bad request: argument `mode` should be one of \"fast\", \"slow\", got \"medium\"");
  EXPECT_EQ(error_of(R"({"name": "a", "n": 1, "level": 3})"),
            "400 Bad request: argument `level` should be one of 1, 2, got 3");
  EXPECT_EQ(error_of(R"({"name": "a", "n": 1, "tags": {"a": 1}})"),
            "400 Bad request: argument `tags` should be array, got object {\"a\":1}");
}

TEST(ArgValidationTest, BigIntegersAreIntegersAndBashChecksOnlyPresence) {
  EXPECT_EQ(error_of(R"({"name": "a", "n": 1180591620717411303425})"), "");
  EXPECT_TRUE(validate_args(kSchema, R"({"name": 5, "n": "x"})", false));
  EXPECT_FALSE(validate_args(kSchema, R"({"name": 5})", false));
}

TEST(ArgValidationTest, NoSchemaOrNoPropertiesAcceptsAnything) {
  EXPECT_TRUE(validate_args("", R"({"x": 1})"));
  EXPECT_TRUE(validate_args("{}", R"({"x": 1})"));
  EXPECT_TRUE(validate_args("not json, \"properties\"", R"({"x": 1})"));
}

}  // namespace
}  // namespace millrace::api
