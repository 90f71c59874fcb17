#include "store/sqlite/endpoint_store_sqlite.hpp"

#include <nlohmann/json.hpp>

namespace govshare::store::sqlite {

using common::Result;
using common::Status;
using exchange::Endpoint;

namespace {

constexpr const char* kColumns =
    "entry_id, url, method, key_param, field_map, auth, auth_header, secret, timeout_ms, health_url, updated_by, "
    "updated_at";

Endpoint Read(const Statement& s) {
  Endpoint e;
  e.entry_id = s.Int(0);
  e.url = s.Text(1);
  e.method = s.Text(2);
  e.key_param = s.Text(3);
  auto map = nlohmann::json::parse(s.Text(4), nullptr, false);
  if (map.is_object()) {
    for (const auto& [k, v] : map.items()) {
      if (v.is_string()) e.field_map[k] = v.get<std::string>();
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

}  // namespace

Status SqliteEndpointStore::Put(const Endpoint& e) {
  return db_.Write([&](Connection& c) {
    c.Prepare(std::string("INSERT OR REPLACE INTO logical_endpoints(") + kColumns +
              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .Bind(1, e.entry_id)
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
        .Bind(12, e.updated_at)
        .Run();
    return Status::Ok();
  });
}

Result<std::optional<Endpoint>> SqliteEndpointStore::Get(std::int64_t entry_id) {
  std::optional<Endpoint> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kColumns + " FROM logical_endpoints WHERE entry_id = ?");
    s.Bind(1, entry_id);
    if (s.Step()) out = Read(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<Endpoint>> SqliteEndpointStore::List() {
  std::vector<Endpoint> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kColumns + " FROM logical_endpoints ORDER BY entry_id");
    while (s.Step()) out.push_back(Read(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace govshare::store::sqlite
