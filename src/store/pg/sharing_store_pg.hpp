#pragma once

#include "sharing/sharing_store.hpp"
#include "store/pg/database.hpp"

namespace govshare::store::pg {

/// SharingStore on the main PostgreSQL database (migration 2), with the semantics of
/// store::sqlite::SqliteSharingStore (the conformance suite src/store/sharing_store_conformance_test.cpp runs the same
/// tests on both). Writes given a transaction (a PgTransaction) run inside it; without one, each runs in a transaction
/// of its own. The schema refuses any change to a grant but its status, and any change to a revoked one.
class PgSharingStore final : public sharing::SharingStore {
 public:
  explicit PgSharingStore(Database& db) : db_(db) {}

  common::Status PutRequest(store::Transaction* tx, sharing::ShareRequest& r) override;
  common::Result<std::optional<sharing::ShareRequest>> GetRequest(std::int64_t id) override;
  common::Result<std::vector<sharing::ShareRequest>> ListRequests(const sharing::RequestFilter& filter,
                                                                  const org::PageRequest& page) override;
  common::Status InsertGrant(store::Transaction* tx, const sharing::Grant& g) override;
  common::Status SetGrantStatus(const std::string& id, const std::string& status, const std::string& reason,
                                std::int64_t by, common::UnixSeconds at) override;
  common::Result<std::optional<sharing::Grant>> GetGrant(const std::string& id) override;
  common::Result<std::vector<sharing::Grant>> ListGrants(const sharing::GrantFilter& filter,
                                                         const org::PageRequest& page) override;
  common::Status PutOutward(store::Transaction* tx, sharing::OutwardRequest& r) override;
  common::Result<std::optional<sharing::OutwardRequest>> GetOutward(std::int64_t id) override;
  common::Result<std::vector<sharing::OutwardRequest>> ListOutward(const sharing::OutwardFilter& filter,
                                                                   const org::PageRequest& page) override;

 private:
  common::Status InWrite(store::Transaction* tx, const Database::WriteJob& job);
  Database& db_;
};

}  // namespace govshare::store::pg
