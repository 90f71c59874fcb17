#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "exchange/dataset_backend.hpp"
#include "exchange/dataset_store.hpp"
#include "store/pg/database.hpp"

namespace govshare::store::pg {

/// exchange::DatasetStore on the main PostgreSQL database (migration 6, ADR 0011), with the semantics of the SQLite
/// store (src/exchange/dataset_store_test.cpp runs the same tests on both):
/// - d<id> has the key items as primary key plus, for a dataset with a region column, `city` (the row's city-level
///   division code, left(region, 4) || '00', '' without one): the table is PARTITION BY LIST (city), a partition per
///   city of the region tree (the `regions` table at Define) and a DEFAULT one. PostgreSQL wants the partition key in
///   every unique index, so the key's uniqueness across cities is kept by the writers (serialised per dataset, below),
///   not by the index; a key lookup probes each partition's index.
/// - Loads and batches run at READ COMMITTED and lock the dataset's row in `datasets` first: writers of one dataset run
///   one after another, on any node, and each sees what the previous one committed. A snapshot is COPYed into a
///   temporary staging table and applied as its net effect (insert, update, delete) in the same transaction: readers
///   see the old content or the new.
/// - Definitions and counters are kept in memory; Refresh re-reads them (another node's Define or load), Refresh(id)
///   one dataset's.
/// Thread-safe.
class PgDatasetStore final : public exchange::DatasetStore {
 public:
  PgDatasetStore(Database& db, const common::Clock& clock) : db_(db), clock_(clock) {}

  common::Result<std::shared_ptr<const exchange::Dataset>> Define(const Definition& definition) override;
  std::shared_ptr<const exchange::Dataset> Find(std::int64_t id) const override { return registry_.Find(id); }
  std::vector<std::shared_ptr<const exchange::Dataset>> List() const override { return registry_.List(); }
  common::Status Refresh() override;
  common::Status Refresh(std::int64_t id) override { return exchange::detail::RefreshDataset(db_, registry_, id); }

  common::Result<exchange::LoadReport> LoadSnapshot(std::int64_t id, const common::ByteSource& source,
                                                    const LoadOptions& options,
                                                    const exchange::ValidationRules& rules) override;
  common::Result<exchange::LoadReport> ApplyBatch(std::int64_t id, const exchange::Batch& batch,
                                                  exchange::LoadMode mode, const std::string& idempotency_key,
                                                  const std::string& body_sha256,
                                                  const exchange::ValidationRules& rules,
                                                  const std::string& actor) override;

  common::Result<bool> Lookup(const exchange::View& view, std::span<const std::string> key,
                              exchange::Row& out) const override;
  common::Result<exchange::Page> Query(const exchange::View& view, const exchange::QuerySpec& spec) const override;
  /// Streams in keyset chunks inside one REPEATABLE READ READ ONLY transaction (one snapshot, bounded memory).
  common::Status Scan(const exchange::View& view, const exchange::QuerySpec& spec,
                      const std::function<bool(const exchange::Row&)>& sink) const override;
  common::Result<std::int64_t> Count(const exchange::View& view, const exchange::QuerySpec& spec) const override;
  common::Result<std::vector<exchange::Change>> Changes(std::int64_t id, std::int64_t since_seq,
                                                        int limit) const override;

  /// Rows that snapshot loads of this store sent through COPY (a test hook: loads use COPY, not row inserts).
  std::int64_t rows_copied() const { return rows_copied_.load(); }

 private:
  Database& db_;
  const common::Clock& clock_;
  exchange::detail::DatasetRegistry registry_;
  std::atomic<std::int64_t> rows_copied_{0};
};

/// Creates dataset d's tables as Define does for a new dataset: d<id> (partitioned by city when d had its region column
/// from the start, a partition per city of the `regions` table), its region index and d<id>_changes. For `govshare
/// convert`, which then copies the rows.
void CreateDatasetTables(Connection& c, const exchange::Dataset& d);

/// The `city` column of a row whose region value is `region` (nullopt: none), as the SQL the loads use computes it:
/// left(region, 4) || '00', '' without a region (130102 → 130100).
std::string CityCode(std::optional<std::string_view> region);

/// The PostgreSQL DatasetStore on `db` (which must have MainMigrations() applied, version 6 or later), with its
/// datasets read. `db` and `clock` must outlive it.
common::Result<std::unique_ptr<exchange::DatasetStore>> OpenDatasetStore(Database& db, const common::Clock& clock);

}  // namespace govshare::store::pg
