#include "store/sqlite/endpoint_store_sqlite.hpp"

#include <fmt/format.h>

#include "store/exchange_rows.hpp"
#include "store/rows.hpp"

namespace govshare::store::sqlite {

using common::Result;
using common::Status;
using exchange::Endpoint;

Status SqliteEndpointStore::Put(const Endpoint& e) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(fmt::format(
        "INSERT OR REPLACE INTO logical_endpoints({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", kEndpointColumns));
    BindEndpoint(s, e);
    s.Run();
    return Status::Ok();
  });
}

Result<std::optional<Endpoint>> SqliteEndpointStore::Get(std::int64_t entry_id) {
  return SelectRow<Endpoint>(
      db_, fmt::format("SELECT {} FROM logical_endpoints WHERE entry_id = ?", kEndpointColumns),
      [&](Statement& s) { s.Bind(1, entry_id); }, ReadEndpoint<Statement>);
}

Result<std::vector<Endpoint>> SqliteEndpointStore::List() {
  return SelectRows<Endpoint>(
      db_, fmt::format("SELECT {} FROM logical_endpoints ORDER BY entry_id", kEndpointColumns), [](Statement&) {},
      ReadEndpoint<Statement>);
}

}  // namespace govshare::store::sqlite
