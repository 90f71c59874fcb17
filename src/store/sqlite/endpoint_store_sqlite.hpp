#pragma once

#include "exchange/logical.hpp"
#include "store/sqlite/database.hpp"

namespace govshare::store::sqlite {

/// EndpointStore on the main SQLite database (migration 8).
class SqliteEndpointStore final : public exchange::EndpointStore {
 public:
  explicit SqliteEndpointStore(Database& db) : db_(db) {}
  common::Status Put(const exchange::Endpoint& e) override;
  common::Result<std::optional<exchange::Endpoint>> Get(std::int64_t entry_id) override;
  common::Result<std::vector<exchange::Endpoint>> List() override;

 private:
  Database& db_;
};

}  // namespace govshare::store::sqlite
