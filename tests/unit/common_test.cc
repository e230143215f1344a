#include <gtest/gtest.h>

#include <limits>

#include "common/base64.h"
#include "common/clock.h"
#include "common/job_types.h"
#include "common/strings.h"
#include "common/uuid.h"

namespace millrace {
namespace {

TEST(ClockTest, Rfc3339RoundTrips) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(1795775526123), "2026-11-27T10:32:06.123Z");
  EXPECT_EQ(parse_rfc3339("2026-11-27T10:32:06.123Z"), 1795775526123);
  EXPECT_EQ(parse_rfc3339("2026-11-27T10:32:06Z"), 1795775526000);
  EXPECT_EQ(parse_rfc3339("2026-11-27T11:32:06+01:00"), 1795775526000);
  EXPECT_EQ(parse_rfc3339("2026-11-27T10:32:06.5Z"), 1795775526500);
  EXPECT_FALSE(parse_rfc3339("tomorrow"));
  EXPECT_FALSE(parse_rfc3339("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-27T10:32:06"));
  EXPECT_FALSE(parse_rfc3339("2026-11-27T10:32:06Zjunk"));
}

TEST(JobTypesTest, EachValueIsSpelledAsWindmillDoesAndReadBack) {
  const std::pair<JobKind, const char*> kinds[] = {{JobKind::Script, "script"},
                                                   {JobKind::FlowScript, "flowscript"},
                                                   {JobKind::Flow, "flow"},
                                                   {JobKind::FlowNode, "flownode"},
                                                   {JobKind::Dependencies, "dependencies"},
                                                   {JobKind::FlowDependencies, "flowdependencies"}};
  for (const auto& [kind, text] : kinds) {
    EXPECT_EQ(to_string(kind), text);
    EXPECT_EQ(parse_job_kind(text), kind);
  }
  const std::pair<JobStatus, const char*> statuses[] = {{JobStatus::Success, "success"},
                                                        {JobStatus::Failure, "failure"},
                                                        {JobStatus::Canceled, "canceled"}};
  for (const auto& [status, text] : statuses) {
    EXPECT_EQ(to_string(status), text);
    EXPECT_EQ(parse_job_status(text), status);
  }
  EXPECT_EQ(to_string(TriggerKind::Webhook), "webhook");
  EXPECT_EQ(parse_trigger_kind("webhook"), TriggerKind::Webhook);
  // Any other spelling is not guessed.
  EXPECT_EQ(parse_job_kind("Flow"), std::nullopt);
  EXPECT_EQ(parse_job_kind(""), std::nullopt);
  EXPECT_EQ(parse_job_status("succeeded"), std::nullopt);
  EXPECT_EQ(parse_trigger_kind("webhooks"), std::nullopt);
  EXPECT_TRUE(is_flow_kind(JobKind::FlowNode));
  EXPECT_FALSE(is_flow_kind(JobKind::FlowScript));
  EXPECT_TRUE(is_lock_kind(JobKind::FlowDependencies));
}

TEST(Base64Test, BothAlphabetsDecode) {
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(base64_decode("aGVsbG8"), "hello");
  EXPECT_EQ(base64_decode("-_8"), base64_decode("+/8"));
  EXPECT_FALSE(base64_decode("a$b"));
  EXPECT_FALSE(base64_decode("a"));
}

TEST(UuidTest, Version7IsTimeOrdered) {
  std::string a = new_uuid_v7(1000), b = new_uuid_v7(2000);
  EXPECT_TRUE(is_uuid(a));
  EXPECT_EQ(a[14], '7');
  EXPECT_LT(a, b);
  EXPECT_FALSE(is_uuid("not-a-uuid"));
  EXPECT_FALSE(is_uuid("0190f1c2-0000-7000-8000-00000000000g"));
}

}  // namespace
}  // namespace millrace

namespace millrace {
namespace {

TEST(UuidTest, BytesRoundTrip) {
  std::string id = new_uuid_v7(123456789);
  auto bytes = uuid_bytes(id);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(uuid_text(*bytes), id);
  auto upper = uuid_bytes("0190F1C2-ABCD-7000-8000-00000000000F");
  ASSERT_TRUE(upper);
  EXPECT_EQ(uuid_text(*upper), "0190f1c2-abcd-7000-8000-00000000000f");
  EXPECT_FALSE(uuid_bytes("not-a-uuid"));
  EXPECT_NE(UuidBytesHash{}(*bytes), UuidBytesHash{}(*upper));
}

TEST(StringsTest, ParseInt64TakesWholeIntegersOnly) {
  EXPECT_EQ(parse_int64("42"), 42);
  EXPECT_EQ(parse_int64("-7"), -7);
  EXPECT_EQ(parse_int64("+7"), 7);
  EXPECT_EQ(parse_int64("9223372036854775807"), std::numeric_limits<int64_t>::max());
  for (const char* bad : {"", "+", "4x", "x4", "1.5", "9223372036854775808", "--1", "1 "}) {
    EXPECT_FALSE(parse_int64(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace millrace
