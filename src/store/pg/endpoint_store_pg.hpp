#pragma once

#include "exchange/logical.hpp"
#include "store/pg/database.hpp"

namespace govshare::store::pg {

/// EndpointStore on the main PostgreSQL database (migration 5), with the semantics of
/// store::sqlite::SqliteEndpointStore (src/store/endpoint_store_conformance_test.cpp runs the same tests on both).
class PgEndpointStore final : public exchange::EndpointStore {
 public:
  explicit PgEndpointStore(Database& db) : db_(db) {}
  common::Status Put(const exchange::Endpoint& e) override;
  common::Result<std::optional<exchange::Endpoint>> Get(std::int64_t entry_id) override;
  common::Result<std::vector<exchange::Endpoint>> List() override;

 private:
  Database& db_;
};

}  // namespace govshare::store::pg
