#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "catalog/model.hpp"
#include "common/clock.hpp"
#include "common/csv.hpp"
#include "common/status.hpp"
#include "exchange/model.hpp"

namespace govshare::exchange {

/// A projection of a dataset compiled once (for example per grant): which columns a read returns, in which order, and
/// the SQL texts of its reads. Each backend compiles its own SQL for a view on the view's first read there and keeps it
/// with the view (CompiledSql), so a view works with either backend and a lookup builds no SQL. Immutable but for that
/// cache (thread-safe); cheap to copy and share between threads (copies share the cache). A later catalog version
/// never invalidates a view: columns are only ever added.
class View {
 public:
  /// `columns`: indexes into dataset->columns; empty means every active (non-retired) column in dataset order.
  View(std::shared_ptr<const Dataset> dataset, std::vector<int> columns = {});
  const Dataset& dataset() const { return *dataset_; }
  const std::shared_ptr<const Dataset>& dataset_ptr() const { return dataset_; }
  /// The projected columns (indexes into dataset().columns); Row::values follows this order.
  const std::vector<int>& columns() const { return columns_; }
  /// The SELECT list: the projected columns, then the region column if the dataset has one.
  const std::string& select_list() const { return select_; }

  /// The backends that compile SQL for views (a slot of the cache each).
  enum class Backend { kSqlite, kPostgres };
  /// The lookup SQL of this view on `backend`: made by `compile` on the first call for that backend, then kept.
  const std::string& CompiledSql(Backend backend, std::string (*compile)(const View&)) const;

 private:
  struct Compiled {
    std::once_flag once[2];
    std::string sql[2];
  };
  std::shared_ptr<const Dataset> dataset_;
  std::vector<int> columns_;
  std::string select_;  // "c1,c3,...,<region>" (the region column last when the dataset has one)
  std::shared_ptr<Compiled> compiled_ = std::make_shared<Compiled>();
};

/// What validation needs from the catalog: data elements by id, whether a six-digit code is a known division, today.
struct ValidationRules {
  std::function<std::optional<catalog::DataElement>(const std::string&)> element;
  std::function<bool(std::string_view)> known_division;  // null: format only
  int today_yyyymmdd = 0;
};

/// Physical datasets (物理汇聚, Art. 12): one generated table per published catalog entry, its change feed, the load
/// history and batch idempotency keys. Loads and batches are atomic (a crash leaves the old data or the new, never a
/// mix). Two backends: SQLite (DATA_DIR/exchange.db, ADR 0008; Open) and PostgreSQL (ADR 0011;
/// store::pg::OpenDatasetStore). The datasets and their counters are held in memory; Refresh re-reads them, for a
/// node whose database other nodes change (Refresh(id): one dataset). Thread-safe.
class DatasetStore {
 public:
  /// The SQLite store's options.
  struct Options {
    std::string path;
    int read_connections = 8;
    int busy_timeout_ms = 5000;
    int checkpoint_interval_s = 30;
  };
  /// The SQLite store in its own file (exchange.db).
  static common::Result<std::unique_ptr<DatasetStore>> Open(const Options& options, const common::Clock& clock);
  virtual ~DatasetStore() = default;
  DatasetStore(const DatasetStore&) = delete;
  DatasetStore& operator=(const DatasetStore&) = delete;

  // ---- schema ----
  /// What a dataset is generated from: a published version of a catalog entry.
  struct Definition {
    std::int64_t id = 0;
    std::string name;
    std::string resource_code;
    std::int64_t provider_department_id = 0;
    std::string region_id;
    int entry_version = 0;
    std::string update_frequency;
    std::vector<catalog::Item> items;
  };
  /// Creates the dataset's table or evolves it to a newer entry version: new items add columns; removed items keep
  /// their column and data, marked retired; a changed key is refused (422 key_changed); no key is 422 no_key.
  /// A definition with an entry version not newer than the dataset's changes nothing.
  virtual common::Result<std::shared_ptr<const Dataset>> Define(const Definition& definition) = 0;
  virtual std::shared_ptr<const Dataset> Find(std::int64_t id) const = 0;
  virtual std::vector<std::shared_ptr<const Dataset>> List() const = 0;
  /// Datasets whose last load is older than their update frequency allows (never loaded ones included).
  std::vector<StaleDataset> Stale(UnixSeconds now) const;
  /// Re-reads the datasets and their counters from the database (what other nodes defined and loaded since). A no-op
  /// where no other process writes the database (SQLite).
  virtual common::Status Refresh() = 0;
  /// Re-reads dataset `id` alone (another node defined, loaded or changed it): its definition and counters as the
  /// database has them, or gone from memory if the database no longer has it. The other datasets are left as they are.
  virtual common::Status Refresh(std::int64_t id) = 0;

  // ---- aggregation (Art. 12) ----
  struct LoadOptions {
    LoadFormat format = LoadFormat::kCsv;
    Encoding encoding = Encoding::kUtf8;
    LoadMode mode = LoadMode::kReject;
    std::string actor;  // who loads (for the load history)
  };
  /// Replaces the dataset's content with a full snapshot streamed from `source` (CSV with a header row of item names,
  /// or JSON Lines of objects keyed by item name). Every row is validated; in reject mode any rejection leaves the
  /// dataset as it was (the report lists them all, `applied` false, status 422 rows_rejected is NOT returned: the
  /// report is the result). The change feed receives the net effect: new and changed rows as upserts, vanished rows as
  /// deletes. In keep_good mode a rejected row whose key is valid keeps its old record (it is not deleted).
  /// Errors: not_found, invalid_header (unknown or repeated item names, a key item missing), encoding_unsupported.
  virtual common::Result<LoadReport> LoadSnapshot(std::int64_t id, const common::ByteSource& source,
                                                  const LoadOptions& options, const ValidationRules& rules) = 0;
  /// Applies upserts and deletes. With an idempotency key: the same key and body hash again returns the first report
  /// (`replayed`), another body is 409 idempotency_key_reused. Failed batches (reject mode) do not consume the key.
  virtual common::Result<LoadReport> ApplyBatch(std::int64_t id, const Batch& batch, LoadMode mode,
                                                const std::string& idempotency_key, const std::string& body_sha256,
                                                const ValidationRules& rules, const std::string& actor) = 0;

  // ---- reads (the data access path builds on these) ----
  /// The row with this key (values in key order, as text; an ID number's x may be lower case). false: no such row.
  /// A null column is std::monostate. CPU ~ a few µs on a warm cache (bench/exchange_benchmark.cpp).
  virtual common::Result<bool> Lookup(const View& view, std::span<const std::string> key, Row& out) const = 0;
  /// Rows matching the filters and row scope, in key order, after the cursor; at most spec.limit (1..1000).
  virtual common::Result<Page> Query(const View& view, const QuerySpec& spec) const = 0;
  /// Every matching row in key order (spec.limit ignored), streamed to `sink` from one read snapshot; `sink` returns
  /// false to stop. Holds one read connection for the duration.
  virtual common::Status Scan(const View& view, const QuerySpec& spec,
                              const std::function<bool(const Row&)>& sink) const = 0;
  /// How many rows Scan would give for `spec` (its limit aside): what an export will deliver.
  virtual common::Result<std::int64_t> Count(const View& view, const QuerySpec& spec) const = 0;
  /// Changes with seq > since_seq, oldest first, at most `limit` (1..10000).
  virtual common::Result<std::vector<Change>> Changes(std::int64_t id, std::int64_t since_seq, int limit) const = 0;

 protected:
  DatasetStore() = default;
};

/// The column storage of a catalog data type.
Storage StorageOf(std::string_view data_type);
/// True if `value` is of the column's storage (an integer, a number, or any text): what a filter on it may compare.
bool FitsStorage(const Column& c, std::string_view value);

/// JSON of a load report (the API's and the CLI's output; also what an idempotent batch replays).
std::string ReportJson(const LoadReport& report);

}  // namespace govshare::exchange
