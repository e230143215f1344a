// The metrics registry's text format, and the address allow-list that guards GET /metrics.
#include <gtest/gtest.h>

#include "api/address_allow_list.h"
#include "metrics/registry.h"

namespace millrace {
namespace {

TEST(MetricsRegistryTest, CountersAndGaugesRenderOneLinePerLabelSet) {
  metrics::Registry r;
  auto& requests = r.counters("t_requests_total", "Requests");
  requests.counter({{"route", "/a"}, {"status", "200"}}).add();
  requests.counter({{"route", "/a"}, {"status", "200"}}).add(2);
  requests.counter({{"route", "/b"}, {"status", "404"}}).add();
  r.gauges("t_workers", "Workers").gauge({{"state", "busy"}}).set(3);
  r.gauges("t_workers", "ignored: the family exists").gauge({{"state", "busy"}}).add(-1);
  EXPECT_EQ(r.render(),
            "# HELP t_requests_total Requests\n"
            "# TYPE t_requests_total counter\n"
            "t_requests_total{route=\"/a\",status=\"200\"} 3\n"
            "t_requests_total{route=\"/b\",status=\"404\"} 1\n"
            "# HELP t_workers Workers\n"
            "# TYPE t_workers gauge\n"
            "t_workers{state=\"busy\"} 2\n");
}

TEST(MetricsRegistryTest, HistogramsAreCumulativeWithSumAndCount) {
  metrics::Registry r;
  auto& h = r.histograms("t_seconds", "Durations", {0.1, 1}).histogram();
  h.observe(0.05);
  h.observe(0.1);  // a bound is inclusive
  h.observe(0.5);
  h.observe(7);
  EXPECT_EQ(r.render(),
            "# HELP t_seconds Durations\n"
            "# TYPE t_seconds histogram\n"
            "t_seconds_bucket{le=\"0.1\"} 2\n"
            "t_seconds_bucket{le=\"1\"} 3\n"
            "t_seconds_bucket{le=\"+Inf\"} 4\n"
            "t_seconds_sum 7.65\n"
            "t_seconds_count 4\n");
}

TEST(MetricsRegistryTest, LabelValuesAreEscaped) {
  EXPECT_EQ(metrics::escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  metrics::Registry r;
  r.counters("t_total", "x").counter({{"path", "say \"hi\""}}).add();
  EXPECT_NE(r.render().find("t_total{path=\"say \\\"hi\\\"\"} 1\n"), std::string::npos);
}

TEST(AddressAllowListTest, MatchesAddressesAndRanges) {
  auto list = api::AddressAllowList::parse("127.0.0.1, 10.0.0.0/8,192.168.4.0/22 , ::1, fd00::/8");
  ASSERT_TRUE(list) << list.error().message;
  for (const char* yes :
       {"127.0.0.1", "10.200.3.4", "192.168.7.255", "::1", "fd12::5", "::ffff:10.1.1.1"}) {
    EXPECT_TRUE(list->allows(yes)) << yes;
  }
  for (const char* no :
       {"127.0.0.2", "11.0.0.1", "192.168.8.0", "::2", "fe80::1", "nonsense", ""}) {
    EXPECT_FALSE(list->allows(no)) << no;
  }
  auto empty = api::AddressAllowList::parse("");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->allows("127.0.0.1"));
  auto all_v4 = api::AddressAllowList::parse("0.0.0.0/0");
  ASSERT_TRUE(all_v4);
  EXPECT_TRUE(all_v4->allows("8.8.8.8"));
  EXPECT_FALSE(all_v4->allows("::1"));
}

TEST(AddressAllowListTest, RefusesWhatIsNeitherAnAddressNorARange) {
  for (const char* bad :
       {"localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/x", "1.2.3.4/-1", "1.2.3"}) {
    auto list = api::AddressAllowList::parse(bad);
    ASSERT_FALSE(list) << bad;
    EXPECT_NE(list.error().message.find(bad), std::string::npos) << list.error().message;
  }
}

}  // namespace
}  // namespace millrace
