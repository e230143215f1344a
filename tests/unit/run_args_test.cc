// Webhook body → job args, as a table.
#include "api/run_args.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>

#include "common/base64.h"

namespace millrace::api {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Case {
  const char* name;
  std::optional<std::string> content_type;
  std::string body;
  Pairs query;
  Pairs headers;
  std::optional<std::string> expected_json;  // nullopt: expect a 400
};

Result<std::string> run(const Case& c) {
  RunArgsRequest req;
  req.content_type = c.content_type ? &*c.content_type : nullptr;
  req.body = &c.body;
  req.query = &c.query;
  req.headers = &c.headers;
  return build_run_args(req);
}

TEST(RunArgsTest, BodyShapesMapToArgsAsWindmillDoes) {
  const std::vector<Case> cases = {
      {"object", "application/json", R"({"a":1})", {}, {}, R"({"a":1})"},
      {"object with charset",
       "application/json; charset=utf-8",
       R"({"a":1})",
       {},
       {},
       R"({"a":1})"},
      {"no content type object", std::nullopt, R"({"a":1})", {}, {}, R"({"a":1})"},
      {"no content type empty", std::nullopt, "", {}, {}, "{}"},
      {"array wrapped", "application/json", "[1,2]", {}, {}, R"({"body":[1,2]})"},
      {"string wrapped", "application/json", R"("x")", {}, {}, R"({"body":"x"})"},
      {"number wrapped", "application/json", "5", {}, {}, R"({"body":5})"},
      {"null wrapped", "application/json", "null", {}, {}, R"({"body":null})"},
      {"leading space wraps", "application/json", R"( {"a":1})", {}, {}, R"({"body":{"a":1}})"},
      {"invalid json", "application/json", "{", {}, {}, std::nullopt},
      {"trailing garbage", "application/json", R"({"a":1} x)", {}, {}, std::nullopt},
      {"empty json body", "application/json", "", {}, {}, std::nullopt},
      {"text plain", "text/plain", "hello", {}, {}, R"({"raw_string":"hello"})"},
      {"xml", "application/xml", "<a/>", {}, {}, R"({"raw_string":"<a/>"})"},
      {"form",
       "application/x-www-form-urlencoded",
       "a=1&b=x+y%21",
       {},
       {},
       R"({"a":"1","b":"x y!"})"},
      {"lenient form escape",
       "application/x-www-form-urlencoded",
       "a=%zz&b=%41",
       {},
       {},
       R"({"a":"%zz","b":"A"})"},
      {"multipart refused", "multipart/form-data; boundary=x", "--x--", {}, {}, std::nullopt},
      {"cloudevents batch refused",
       "application/cloudevents-batch+json",
       "[]",
       {},
       {},
       std::nullopt},
      {"cloudevent",
       "application/cloudevents+json",
       R"({"id":"1","data":{"k":2}})",
       {},
       {},
       R"({"k":2,"WEBHOOK__METADATA__":{"id":"1"}})"},
      {"other type raw", "application/octet-stream", "abc", {}, {}, R"({"raw_string":"abc"})"},
      {"raw=true",
       "application/json",
       R"({"a":1})",
       {{"raw", "true"}},
       {},
       R"({"a":1,"raw_string":"{\"a\":1}"})"},
      {"wrap_body",
       "application/json",
       R"({"a":1})",
       {{"wrap_body", "true"}},
       {},
       R"({"body":{"a":1}})"},
      {"include_header",
       "application/json",
       R"({"a":1})",
       {{"include_header", "X-Sign"}},
       {{"x-sign", "abc"}},
       R"({"a":1,"x_sign":"abc"})"},
      // A caller's credentials never enter a job's arguments.
      {"include_header authorization",
       "application/json",
       R"({"a":1})",
       {{"include_header", "x-sign,Authorization"}},
       {{"authorization", "Bearer secret"}},
       std::nullopt},
      {"include_header cookie",
       "application/json",
       "{}",
       {{"include_header", "cookie"}},
       {{"cookie", "token=secret"}},
       std::nullopt},
      {"include_header x-api-key",
       "application/json",
       "{}",
       {{"include_header", "X-API-Key"}},
       {},
       std::nullopt},
      {"include_header proxy-authorization",
       "application/json",
       "{}",
       {{"include_header", " proxy-authorization "}},
       {},
       std::nullopt},
      {"include_query",
       "application/json",
       R"({"a":1})",
       {{"include_query", "q,r"}, {"q", "1"}, {"r", "two"}},
       {},
       R"({"a":1,"q":"1","r":"two"})"},
      {"extras override body",
       "application/json",
       R"({"q":"body"})",
       {{"include_query", "q"}, {"q", "query"}},
       {},
       R"({"q":"query"})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto got = run(c);
    if (!c.expected_json) {
      ASSERT_FALSE(got);
      EXPECT_EQ(got.error().kind, ErrorKind::Invalid);
      EXPECT_EQ(got.error().message.rfind("Bad request: ", 0), 0u) << got.error().message;
      continue;
    }
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(nlohmann::json::parse(*got), nlohmann::json::parse(*c.expected_json));
  }
}

TEST(RunArgsTest, PlainObjectBodyIsStoredByteForByte) {
  Case c{"", "application/json", R"({"b": 2,   "a" : [1, 2]})", {}, {}, ""};
  auto got = run(c);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, c.body);
}

TEST(RunArgsTest, InvalidUtf8TextIsBase64) {
  Case c{"", "text/plain", std::string("\xff\xfe", 2), {}, {}, ""};
  auto got = run(c);
  ASSERT_TRUE(got);
  EXPECT_EQ(nlohmann::json::parse(*got)["raw_string"], base64_encode(c.body));
}

TEST(RunArgsTest, PayloadIsBase64JsonInEitherAlphabet) {
  auto obj = args_from_payload(base64_encode(R"({"name":"x"})"));
  ASSERT_TRUE(obj);
  EXPECT_EQ(nlohmann::json::parse(*obj), nlohmann::json::parse(R"({"name":"x"})"));
  auto wrapped = args_from_payload(base64_encode("[1]"));
  ASSERT_TRUE(wrapped);
  EXPECT_EQ(nlohmann::json::parse(*wrapped), nlohmann::json::parse(R"({"body":[1]})"));
  EXPECT_FALSE(args_from_payload("!!!"));
  EXPECT_FALSE(args_from_payload(base64_encode("{nope")));
}

}  // namespace
}  // namespace millrace::api
