#include "store/pg/endpoint_store_pg.hpp"

#include <fmt/format.h>

#include "store/exchange_rows.hpp"
#include "store/rows.hpp"

namespace govshare::store::pg {

using common::Result;
using common::Status;
using exchange::Endpoint;

Status PgEndpointStore::Put(const Endpoint& e) {
  return db_.Write([&](Connection& c) {
    // The whole row is replaced, as SQLite's INSERT OR REPLACE does.
    auto s = c.Prepare(fmt::format(
        "INSERT INTO logical_endpoints({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
        "ON CONFLICT(entry_id) DO UPDATE SET url = excluded.url, method = excluded.method, "
        "key_param = excluded.key_param, field_map = excluded.field_map, auth = excluded.auth, "
        "auth_header = excluded.auth_header, secret = excluded.secret, timeout_ms = excluded.timeout_ms, "
        "health_url = excluded.health_url, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        kEndpointColumns));
    BindEndpoint(s, e);
    s.Run();
    return Status::Ok();
  });
}

Result<std::optional<Endpoint>> PgEndpointStore::Get(std::int64_t entry_id) {
  return SelectRow<Endpoint>(
      db_, fmt::format("SELECT {} FROM logical_endpoints WHERE entry_id = $1", kEndpointColumns),
      [&](Statement& s) { s.Bind(1, entry_id); }, ReadEndpoint<Statement>);
}

Result<std::vector<Endpoint>> PgEndpointStore::List() {
  return SelectRows<Endpoint>(
      db_, fmt::format("SELECT {} FROM logical_endpoints ORDER BY entry_id", kEndpointColumns), [](Statement&) {},
      ReadEndpoint<Statement>);
}

}  // namespace govshare::store::pg
