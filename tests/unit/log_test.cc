// The two log formats: a readable line, and one JSON object per line with the event's fields.
#include "common/log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace millrace::log {
namespace {

constexpr int64_t kTime = 1'764'892'800'123;  // 2025-12-05T00:00:00.123Z

TEST(LogFormatTest, TextIsTheMessageAlone) {
  EXPECT_EQ(format_line(Format::kText, "WARN", "job 42 failed", {{"job_id", "42"}}, kTime),
            "2025-12-05T00:00:00.123Z WARN job 42 failed");
}

TEST(LogFormatTest, JsonCarriesTheFieldsAndEscapesEverything) {
  std::string line = format_line(Format::kJson, "INFO", "say \"hi\"\n\tback\\slash \x01",
                                 {{"job_id", "0190-ab"},
                                  {"status", "201", true},
                                  {"duration_ms", "1.5", true},
                                  {"trace_id", ""},
                                  {"path", "/a?token=***"}},
                                 kTime);
  auto j = nlohmann::json::parse(line);  // throws on anything that is not one JSON object
  EXPECT_EQ(j["time"], "2025-12-05T00:00:00.123Z");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["msg"], "say \"hi\"\n\tback\\slash \x01");
  EXPECT_EQ(j["job_id"], "0190-ab");
  EXPECT_EQ(j["status"], 201);
  EXPECT_EQ(j["duration_ms"], 1.5);
  EXPECT_FALSE(j.contains("trace_id"));  // empty fields are left out
  EXPECT_EQ(j["path"], "/a?token=***");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace millrace::log
