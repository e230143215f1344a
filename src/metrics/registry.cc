#include "metrics/registry.h"

#include <charconv>
#include <cmath>

namespace millrace::metrics {
namespace {

std::string render_labels(const Labels& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!out.empty()) out += ',';
    out += name;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  }
  return out;
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;  // the shortest that reads back
  return std::string(buf, end);
}

// `name{labels,extra} value`, with the braces only when there is a label.
void sample(std::string& out, const std::string& name, const std::string& labels,
            const std::string& extra, const std::string& value) {
  out += name;
  if (!labels.empty() || !extra.empty()) {
    out += '{';
    out += labels;
    if (!labels.empty() && !extra.empty()) out += ',';
    out += extra;
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::cumulative_counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

const std::vector<double>& duration_buckets() {
  static const std::vector<double> b = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                        0.5,    1,     2.5,    5,     10,   30,    60,   300};
  return b;
}

const std::vector<double>& size_buckets() {
  static const std::vector<double> b = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
  return b;
}

struct Family::Child {
  std::string labels;
  Counter counter;
  Gauge gauge;
  std::unique_ptr<Histogram> histogram;
};

Family::Family(std::string name, std::string help, Type type, std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), type_(type), bounds_(std::move(bounds)) {}

Family::~Family() = default;

Family::Child& Family::child(const Labels& labels) {
  std::string key = render_labels(labels);
  std::lock_guard lock(mutex_);
  auto& slot = children_[key];
  if (!slot) {
    slot = std::make_unique<Child>();
    slot->labels = std::move(key);
    if (type_ == Type::kHistogram) slot->histogram = std::make_unique<Histogram>(bounds_);
  }
  return *slot;
}

Counter& Family::counter(const Labels& labels) {
  return child(labels).counter;
}
Gauge& Family::gauge(const Labels& labels) {
  return child(labels).gauge;
}
Histogram& Family::histogram(const Labels& labels) {
  return *child(labels).histogram;
}

void Family::render(std::string& out) const {
  static const char* kTypes[] = {"counter", "gauge", "histogram"};
  out += "# HELP " + name_ + " " + help_ + "\n";
  out += "# TYPE " + name_ + " " + kTypes[static_cast<int>(type_)] + "\n";
  std::lock_guard lock(mutex_);
  for (const auto& [key, c] : children_) {
    switch (type_) {
      case Type::kCounter:
        sample(out, name_, key, "", std::to_string(c->counter.value()));
        break;
      case Type::kGauge:
        sample(out, name_, key, "", std::to_string(c->gauge.value()));
        break;
      case Type::kHistogram: {
        auto counts = c->histogram->cumulative_counts();
        const auto& bounds = c->histogram->bounds();
        for (size_t i = 0; i < counts.size(); ++i) {
          std::string le = i < bounds.size() ? number(bounds[i]) : "+Inf";
          sample(out, name_ + "_bucket", key, "le=\"" + le + "\"", std::to_string(counts[i]));
        }
        sample(out, name_ + "_sum", key, "", number(c->histogram->sum()));
        sample(out, name_ + "_count", key, "", std::to_string(counts.back()));
        break;
      }
    }
  }
}

Family& Registry::family(std::string_view name, std::string_view help, Family::Type type,
                         const std::vector<double>& bounds) {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_
             .emplace(std::string(name),
                      std::make_unique<Family>(std::string(name), std::string(help), type, bounds))
             .first;
  }
  return *it->second;
}

Family& Registry::counters(std::string_view name, std::string_view help) {
  return family(name, help, Family::Type::kCounter, {});
}
Family& Registry::gauges(std::string_view name, std::string_view help) {
  return family(name, help, Family::Type::kGauge, {});
}
Family& Registry::histograms(std::string_view name, std::string_view help,
                             const std::vector<double>& bounds) {
  return family(name, help, Family::Type::kHistogram, bounds);
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, f] : families_) f->render(out);
  return out;
}

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: threads may report while exiting
  return *r;
}

}  // namespace millrace::metrics
