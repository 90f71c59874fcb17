#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "exchange/logical.hpp"
#include "exchange/usage_meter.hpp"

namespace govshare::store {

// The rows of the endpoint and usage stores as every backend selects, reads and writes them (see store/case_rows.hpp):
// column lists, readers and parameter binders as templates over the backend's statement type.

/// A provider's service interface (logical_endpoints), keyed by its catalog entry.
inline constexpr const char* kEndpointColumns =
    "entry_id, url, method, key_param, field_map, auth, auth_header, secret, timeout_ms, health_url, updated_by, "
    "updated_at";

template <typename Row>
exchange::Endpoint ReadEndpoint(const Row& s) {
  exchange::Endpoint e;
  e.entry_id = s.Int(0);
  e.url = s.Text(1);
  e.method = s.Text(2);
  e.key_param = s.Text(3);
  const nlohmann::json map = nlohmann::json::parse(s.Text(4), nullptr, false);
  if (map.is_object()) {
    for (const auto& [k, v] : map.items()) {
      if (v.is_string()) e.field_map[k] = v.template get<std::string>();
    }
  }
  e.auth = s.Text(5);
  e.auth_header = s.Text(6);
  e.secret = s.Text(7);
  e.timeout_ms = s.Int(8);
  e.health_url = s.Text(9);
  e.updated_by = s.Int(10);
  e.updated_at = s.Int(11);
  return e;
}

/// An endpoint, in the order of kEndpointColumns.
template <typename Stmt>
void BindEndpoint(Stmt& s, const exchange::Endpoint& e) {
  s.Bind(1, e.entry_id)
      .Bind(2, e.url)
      .Bind(3, e.method)
      .Bind(4, e.key_param)
      .Bind(5, nlohmann::json(e.field_map).dump())
      .Bind(6, e.auth)
      .Bind(7, e.auth_header)
      .Bind(8, e.secret)
      .Bind(9, e.timeout_ms)
      .Bind(10, e.health_url)
      .Bind(11, e.updated_by)
      .Bind(12, e.updated_at);
}

/// A grant's uses on a quota day (grant_usage): grant_id, day, uses.
template <typename Stmt>
void BindDayUsage(Stmt& s, const exchange::DayUsage& u) {
  s.Bind(1, u.grant_id).Bind(2, u.day).Bind(3, u.uses);
}

/// The grants' uses on `day`, from the rows of "SELECT grant_id, uses FROM grant_usage WHERE day = ?".
template <typename Row>
exchange::DayUsage ReadDayUsage(const Row& s, std::int64_t day) {
  return {s.Text(0), day, s.Int(1)};
}

}  // namespace govshare::store
