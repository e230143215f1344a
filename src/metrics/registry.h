// The server's metrics, kept in memory and rendered in Prometheus' text format for GET /metrics.
// Counters, gauges and histograms come in families (one name, one help text, one child per label
// set). Updating a child is a few atomic operations; finding a child by its labels takes the
// family's lock, so hot paths keep the child they use when their labels do not change.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace millrace::metrics {

// Label names and values of one child, in the order given: {{"route", "/api/version"}, ...}.
using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

class Counter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down: workers busy, processes running.
class Gauge {
 public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Histogram {
 public:
  // `bounds`: the upper bounds of the buckets, increasing (+Inf is implied).
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Observations at or below bounds()[i] (cumulative, as Prometheus wants them); the last
  // entry is the count of all.
  std::vector<uint64_t> cumulative_counts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 (+Inf)
  std::atomic<double> sum_{0};
};

// Bucket bounds for durations in seconds, from 0.5 ms to 5 min.
const std::vector<double>& duration_buckets();
// Bucket bounds for sizes (1 to 4096, in powers of 2).
const std::vector<double>& size_buckets();

class Family {
 public:
  enum class Type { kCounter, kGauge, kHistogram };
  Family(std::string name, std::string help, Type type, std::vector<double> bounds = {});
  ~Family();
  Counter& counter(const Labels& labels = {});
  Gauge& gauge(const Labels& labels = {});
  Histogram& histogram(const Labels& labels = {});
  void render(std::string& out) const;
  const std::string& name() const { return name_; }

 private:
  struct Child;
  Child& child(const Labels& labels);
  const std::string name_;
  const std::string help_;
  const Type type_;
  const std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Child>> children_;  // by rendered labels
};

class Registry {
 public:
  // The family of that name, made on first use; later calls return it as it is.
  Family& counters(std::string_view name, std::string_view help);
  Family& gauges(std::string_view name, std::string_view help);
  Family& histograms(std::string_view name, std::string_view help,
                     const std::vector<double>& bounds);
  // Every family, in name order, in the text exposition format (version 0.0.4).
  std::string render() const;

 private:
  Family& family(std::string_view name, std::string_view help, Family::Type type,
                 const std::vector<double>& bounds);
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
};

// The process's registry: what every part of the server reports to, and /metrics renders.
Registry& registry();

// A label value as Prometheus quotes it (backslash, double quote and newline escaped).
std::string escape_label_value(std::string_view value);

}  // namespace millrace::metrics
