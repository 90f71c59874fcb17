#include "http/metrics.hpp"

#include <fmt/format.h>

#include <tuple>

namespace govshare::http {

void Metrics::Observe(std::string_view method, std::string_view route, unsigned status, double seconds) {
  std::lock_guard lock(mutex_);
  // Heterogeneous lookup: no allocation once a series exists.
  auto it = series_.find(std::make_tuple(method, route, status));
  if (it == series_.end())
    it = series_.emplace(std::make_tuple(std::string(method), std::string(route), status), Series{}).first;
  auto& s = it->second;
  ++s.count;
  s.sum += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++s.buckets[i];
      break;  // stored non-cumulatively; Render accumulates
    }
  }
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::Render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  out += "# HELP govshare_http_requests_total HTTP requests by method, route template and status.\n";
  out += "# TYPE govshare_http_requests_total counter\n";
  for (const auto& [key, s] : series_) {
    const auto& [method, route, status] = key;
    out += fmt::format("govshare_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", method, route,
                       status, s.count);
  }
  out += "# HELP govshare_http_request_duration_seconds Time from the end of the request headers to the response.\n";
  out += "# TYPE govshare_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : series_) {
    const auto& [method, route, status] = key;
    const std::string labels = fmt::format("method=\"{}\",route=\"{}\",status=\"{}\"", method, route, status);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += s.buckets[i];
      out += fmt::format("govshare_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, kBuckets[i],
                         cumulative);
    }
    out += fmt::format("govshare_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, s.count);
    out += fmt::format("govshare_http_request_duration_seconds_sum{{{}}} {}\n", labels, s.sum);
    out += fmt::format("govshare_http_request_duration_seconds_count{{{}}} {}\n", labels, s.count);
  }
  out += "# HELP govshare_http_open_connections Connections currently open.\n";
  out += "# TYPE govshare_http_open_connections gauge\n";
  out += fmt::format("govshare_http_open_connections {}\n", open_connections.load());
  out += "# HELP govshare_http_rejected_connections_total Connections refused because the limit was reached.\n";
  out += "# TYPE govshare_http_rejected_connections_total counter\n";
  out += fmt::format("govshare_http_rejected_connections_total {}\n", rejected_connections.load());
  for (const auto& g : gauges_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", g.name, g.help, g.name, g.name, g.read());
  }
  return out;
}

}  // namespace govshare::http
