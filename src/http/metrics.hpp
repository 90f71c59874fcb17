#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace govshare::http {

/// Request counters and latency histograms per route template and status, rendered in the Prometheus text format.
/// Thread-safe.
class Metrics {
 public:
  static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   2.5};

  void Observe(std::string_view method, std::string_view route, unsigned status, double seconds);
  /// A gauge whose value is read at scrape time.
  void AddGauge(std::string name, std::string help, std::function<double()> read);
  std::string Render() const;

  std::atomic<std::int64_t> open_connections{0};
  std::atomic<std::uint64_t> rejected_connections{0};

 private:
  struct Series {
    std::uint64_t count = 0;
    double sum = 0;
    std::array<std::uint64_t, kBuckets.size()> buckets{};
  };
  struct Gauge {
    std::string name;
    std::string help;
    std::function<double()> read;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, unsigned>, Series, std::less<>> series_;
  std::vector<Gauge> gauges_;
};

}  // namespace govshare::http
