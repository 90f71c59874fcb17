#pragma once

#include "catalog/catalog_store.hpp"
#include "store/pg/database.hpp"

namespace govshare::store::pg {

/// CatalogStore on the main PostgreSQL database (migration 4), with the semantics of store::sqlite::SqliteCatalogStore
/// (the conformance suite src/store/catalog_store_conformance_test.cpp runs the same tests on both). Writes given a
/// transaction (a PgTransaction, e.g. a case transition's) run inside it; without one, each runs in a transaction of
/// its own. The schema refuses any change to the content of a published version, and its deletion (409
/// constraint_violation, as on SQLite).
class PgCatalogStore final : public catalog::CatalogStore {
 public:
  explicit PgCatalogStore(Database& db) : db_(db) {}

  common::Result<std::vector<catalog::DataElement>> ListElements() override;
  common::Status PutElement(const catalog::DataElement& e, std::int64_t expected_version) override;
  common::Result<std::vector<catalog::ThemeDatabase>> ListDatabases() override;
  common::Status PutDatabase(const catalog::ThemeDatabase& d) override;

  common::Status CreateEntries(std::vector<catalog::EntryWrite>& writes) override;
  common::Status WriteEntry(store::Transaction* tx, const catalog::EntryWrite& write) override;
  common::Result<std::optional<catalog::Entry>> GetEntry(std::int64_t id) override;
  common::Result<std::int64_t> NewestEntryId() override;
  common::Result<std::vector<catalog::Version>> ListVersions(std::int64_t entry_id) override;
  common::Result<std::optional<catalog::Version>> GetVersion(std::int64_t entry_id, int number) override;
  common::Status ForEachEntry(const EntryVisitor& visit) override;

  common::Status PutNegativeListItem(store::Transaction* tx, catalog::NegativeListItem& item) override;
  common::Result<std::vector<catalog::NegativeListItem>> ListNegativeList(
      std::optional<std::int64_t> entry_id) override;
  common::Result<std::optional<catalog::NegativeListItem>> GetNegativeListItem(std::int64_t id) override;

  common::Status PutFinding(store::Transaction* tx, catalog::Finding& f) override;
  common::Result<std::vector<catalog::Finding>> ListFindings() override;
  common::Result<std::optional<catalog::Finding>> GetFinding(std::int64_t id) override;

 private:
  /// Runs `job` inside `tx` if given, else as its own durable write.
  common::Status InWrite(store::Transaction* tx, const Database::WriteJob& job);

  Database& db_;
};

}  // namespace govshare::store::pg
