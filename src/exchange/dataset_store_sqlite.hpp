#pragma once

#include <memory>

#include "exchange/dataset_backend.hpp"
#include "exchange/dataset_store.hpp"
#include "store/sqlite/database.hpp"

namespace govshare::exchange {

/// The SQLite DatasetStore (ADR 0008): datasets in their own file (DATA_DIR/exchange.db) opened through
/// store::sqlite::Database (WAL, one writer, read pool). Loads and batches run as single write jobs of the writer;
/// reads run on the read pool with prepared statements cached per connection. Made by DatasetStore::Open. Thread-safe.
class SqliteDatasetStore final : public DatasetStore {
 public:
  SqliteDatasetStore(const common::Clock& clock, std::unique_ptr<store::sqlite::Database> db);

  common::Result<std::shared_ptr<const Dataset>> Define(const Definition& definition) override;
  std::shared_ptr<const Dataset> Find(std::int64_t id) const override { return registry_.Find(id); }
  std::vector<std::shared_ptr<const Dataset>> List() const override { return registry_.List(); }
  /// Only this process writes exchange.db: nothing to re-read, but it re-reads anyway (cheap, and keeps the contract).
  common::Status Refresh() override;
  common::Status Refresh(std::int64_t id) override { return detail::RefreshDataset(*db_, registry_, id); }

  common::Result<LoadReport> LoadSnapshot(std::int64_t id, const common::ByteSource& source, const LoadOptions& options,
                                          const ValidationRules& rules) override;
  common::Result<LoadReport> ApplyBatch(std::int64_t id, const Batch& batch, LoadMode mode,
                                        const std::string& idempotency_key, const std::string& body_sha256,
                                        const ValidationRules& rules, const std::string& actor) override;

  common::Result<bool> Lookup(const View& view, std::span<const std::string> key, Row& out) const override;
  common::Result<Page> Query(const View& view, const QuerySpec& spec) const override;
  common::Status Scan(const View& view, const QuerySpec& spec,
                      const std::function<bool(const Row&)>& sink) const override;
  common::Result<std::int64_t> Count(const View& view, const QuerySpec& spec) const override;
  common::Result<std::vector<Change>> Changes(std::int64_t id, std::int64_t since_seq, int limit) const override;

  /// The database (for tests that inspect the generated schema).
  store::sqlite::Database& database() { return *db_; }

 private:
  const common::Clock& clock_;
  std::unique_ptr<store::sqlite::Database> db_;
  detail::DatasetRegistry registry_;
};

namespace detail {

/// CREATE TABLE of the dataset's current columns under `table` (the live table or a staging copy).
std::string CreateTableSql(const Dataset& d, const std::string& table);

/// Binds `value` (already checked; empty = null) as column `c` stores it.
void BindValue(store::sqlite::Statement& stmt, int index, const Column& c, const std::string& value);

}  // namespace detail

}  // namespace govshare::exchange
