#pragma once
// What every DatasetStore backend shares (SQLite: exchange/dataset_store_sqlite.hpp, PostgreSQL:
// store/pg/dataset_store_pg.hpp): reading and validating load files, the rules of a snapshot and a batch, the planning
// of a new definition, the WHERE clause of a read, the in-memory registry of datasets. Only storage and SQL differ
// between backends. SQL texts that are the same on both use $1..$n in order (SQLite numbers `$n` by first appearance)
// and no casts, so that one template serves both connection types.
#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/csv.hpp"
#include "common/status.hpp"
#include "exchange/dataset_store.hpp"
#include "exchange/model.hpp"
#include "exchange/row_checker.hpp"

namespace govshare::exchange::detail {

class DatasetRegistry;

/// The status a write job returns to roll back a load whose rows were rejected in reject mode (never seen outside).
inline constexpr const char* kRolledBack = "rows_rejected";

// ---- records of a load ---------------------------------------------------------------------------------------------

/// One data record of a load, by column index (empty: null).
struct Record {
  std::int64_t row = 0;
  std::int64_t line = 0;
  std::vector<std::string> cells;
  std::vector<Rejection> problems;  // record-level problems found while reading (malformed, unknown fields)
};

/// Reads data records of one format. Header problems are fatal (a Status); record problems travel in the record.
class RecordReader {
 public:
  virtual ~RecordReader() = default;
  virtual common::Status Start() = 0;
  virtual bool Next(Record& r) = 0;
};

/// The reader of a snapshot in `format`, decoding GB 18030 to UTF-8 on the fly when asked.
common::Result<std::unique_ptr<RecordReader>> OpenRecords(const Dataset& d, const common::ByteSource& source,
                                                          LoadFormat format, Encoding encoding);

/// Adds a rejection to the report (the count always; the entry up to the report limit).
void Reject(LoadReport& report, Rejection r);

/// The report a batch stored with its idempotency key (ReportJson's inverse).
LoadReport ReportFromJson(const std::string& json);

/// Seconds since `start`.
double Since(std::chrono::steady_clock::time_point start);

// ---- snapshot loads and batches
// --------------------------------------------------------------------------------------

/// Where a snapshot load puts its rows: a backend's staging table inside the load's write transaction.
class SnapshotTarget {
 public:
  virtual ~SnapshotTarget() = default;
  /// Stages one validated record. False if a row of the same key is already staged (a duplicate in the file).
  virtual bool Stage(const Record& r) = 0;
  /// After the last record: removes the staged rows whose key repeats an earlier row's, for stages that find them in
  /// bulk rather than in Stage, and returns them (row, line, the first key item's value in cells[0]), in row order.
  virtual std::vector<Record> TakeDuplicates() = 0;
  /// keep_good: stages the live rows of these keys (rejected rows whose key was valid); returns how many there were.
  virtual std::int64_t Keep(const std::vector<std::vector<std::string>>& keys) = 0;
  /// The last change-feed sequence number of the dataset.
  virtual std::int64_t LastSeq() = 0;
  /// Carries retired columns over, writes the change feed from `first_seq` on (new keys, changed rows, vanished keys,
  /// each group in key order) and makes the staged rows the dataset's content. Sets inserted, updated and deleted.
  virtual void Replace(std::int64_t first_seq, LoadReport& report) = 0;
  /// Records the load (history and counters) once the report is complete.
  virtual void Finish(const LoadReport& report) = 0;
};

/// A full snapshot load (Art. 12): reads and validates every record into `target`, applies the reject and keep_good
/// rules and the net effect. Returns kRolledBack when reject mode refused the load (the report says why).
common::Status RunSnapshot(const Dataset& d, RecordReader& reader, const RowChecker& checker, LoadMode mode,
                           SnapshotTarget& target, LoadReport& report);

/// What a batch does to a backend's tables, inside the batch's write transaction.
class BatchTarget {
 public:
  virtual ~BatchTarget() = default;
  /// The body hash and report stored with this idempotency key, if the key was used before.
  virtual std::optional<std::pair<std::string, std::string>> FindKey(const std::string& key) = 0;
  virtual std::int64_t LastSeq() = 0;
  /// The dataset's row count before the batch.
  virtual std::int64_t RowCount() = 0;
  enum class Upserted { kInserted, kUpdated, kUnchanged };
  /// Inserts or replaces the row of a validated record (its active columns; retired ones keep their value).
  virtual Upserted Upsert(const Record& r) = 0;
  /// Deletes the row of the record's key: the deleted row's region (empty if none), or nullopt if there was no row.
  virtual std::optional<std::string> Delete(const Record& r) = 0;
  virtual void Feed(std::int64_t seq, ChangeOp op, const std::string& key, const std::string& region) = 0;
  /// Records the batch (history, counters and, with a key, the idempotency key and its report).
  virtual void Finish(const LoadReport& report, const std::string& key, const std::string& body_sha256) = 0;
};

/// An incremental batch: validates every upsert and delete, applies them through `target` and feeds their changes.
/// `replayed` is set when the idempotency key was seen with the same body (the report is the first one). Returns
/// kRolledBack when reject mode refused the batch, 409 idempotency_key_reused for a key used with another body.
common::Status RunBatch(const Dataset& d, const Batch& batch, LoadMode mode, const std::string& idempotency_key,
                        const std::string& body_sha256, const RowChecker& checker, BatchTarget& target,
                        LoadReport& report, bool& replayed, std::chrono::steady_clock::time_point start);

/// The result of a load or batch from its write job's status: the report (also when reject mode rolled it back), with
/// its duration, or the job's error.
common::Result<LoadReport> Outcome(const common::Status& status, LoadReport report, bool replayed,
                                   std::chrono::steady_clock::time_point start);

// ---- definitions -------------------------------------------------------------------------------------------------

/// What a Define changes: the dataset as it will be and the indexes of its new columns in next.columns.
struct DefinitionPlan {
  Dataset next;
  std::vector<std::size_t> added;
  bool creating = false;
};

/// Plans `def` against the dataset as it is (`current`, null if new): nullopt if the definition is not newer;
/// 422 no_key, 422 key_changed.
common::Result<std::optional<DefinitionPlan>> PlanDefinition(const std::shared_ptr<const Dataset>& current,
                                                             const DatasetStore::Definition& def, UnixSeconds now);

/// batch_too_large unless the batch holds at most kMaxBatchRows upserts and deletes.
common::Status CheckBatchSize(const Batch& batch);

/// Sets d.key and d.region_column from the columns.
void DeriveKeys(Dataset& d);

/// The columns of `datasets` that DatasetFrom reads, in its order.
inline constexpr const char* kDatasetFields =
    "id, name, resource_code, provider_department_id, region_id, entry_version, update_frequency, row_count, "
    "last_load_at, last_seq, created_at";
/// The columns of `dataset_columns` that ColumnFrom reads, in its order.
inline constexpr const char* kColumnFields =
    "position, name, element, data_type, length, key_order, personal, level, added_in, retired_in";

/// A dataset (without its columns) from the kDatasetFields of `st` starting at result column `first`.
template <typename Statement>
Dataset DatasetFrom(Statement& st, int first = 0) {
  Dataset d;
  d.id = st.Int(first);
  d.name = st.Text(first + 1);
  d.resource_code = st.Text(first + 2);
  d.provider_department_id = st.Int(first + 3);
  d.region_id = st.Text(first + 4);
  d.entry_version = static_cast<int>(st.Int(first + 5));
  d.update_frequency = st.Text(first + 6);
  d.row_count = st.Int(first + 7);
  d.last_load_at = st.OptInt(first + 8);
  d.last_seq = st.Int(first + 9);
  d.created_at = st.Int(first + 10);
  return d;
}

/// A column from the kColumnFields of `st` starting at result column `first`.
template <typename Statement>
Column ColumnFrom(Statement& st, int first = 0) {
  Column col;
  col.position = static_cast<int>(st.Int(first));
  col.name = st.Text(first + 1);
  col.element = st.Text(first + 2);
  col.data_type = st.Text(first + 3);
  col.length = st.Int(first + 4);
  col.key_order = static_cast<int>(st.Int(first + 5));
  col.personal = st.Int(first + 6) != 0;
  col.level = st.Text(first + 7);
  col.added_in = static_cast<int>(st.Int(first + 8));
  if (auto r = st.OptInt(first + 9)) col.retired_in = static_cast<int>(*r);
  col.storage = StorageOf(col.data_type);
  return col;
}

/// Reads every dataset with its columns and counters ("SELECT ... FROM datasets", "... FROM dataset_columns": the same
/// SQL on both backends).
template <typename Connection>
std::map<std::int64_t, std::shared_ptr<const Dataset>> ReadDatasets(Connection& c) {
  std::map<std::int64_t, Dataset> byid;
  auto ds = c.Prepare(fmt::format("SELECT {} FROM datasets", kDatasetFields));
  while (ds.Step()) {
    Dataset d = DatasetFrom(ds);
    byid.emplace(d.id, std::move(d));
  }
  auto cols =
      c.Prepare(fmt::format("SELECT dataset_id, {} FROM dataset_columns ORDER BY dataset_id, position", kColumnFields));
  while (cols.Step()) {
    auto it = byid.find(cols.Int(0));
    if (it == byid.end()) continue;
    it->second.columns.push_back(ColumnFrom(cols, 1));
  }
  std::map<std::int64_t, std::shared_ptr<const Dataset>> all;
  for (auto& [id, d] : byid) {
    DeriveKeys(d);
    all.emplace(id, std::make_shared<const Dataset>(std::move(d)));
  }
  return all;
}

/// Reads dataset `id` with its columns and counters, or null if the database has no such dataset. One statement (the
/// dataset's row joined with its columns), so that it sees one snapshot on either backend without a transaction.
template <typename Connection>
std::shared_ptr<const Dataset> ReadDataset(Connection& c, std::int64_t id) {
  auto st = c.Prepare(fmt::format(
      "SELECT d.*, c.* FROM (SELECT {} FROM datasets WHERE id = $1) d LEFT JOIN (SELECT {}, dataset_id AS of_dataset "
      "FROM dataset_columns WHERE dataset_id = $1) c ON c.of_dataset = d.id ORDER BY c.position",
      kDatasetFields, kColumnFields));
  st.Bind(1, id);
  constexpr int kFirstColumnField = 11;  // after the dataset's kDatasetFields
  std::optional<Dataset> d;
  while (st.Step()) {
    if (!d) d = DatasetFrom(st);
    if (!st.IsNull(kFirstColumnField)) d->columns.push_back(ColumnFrom(st, kFirstColumnField));
  }
  if (!d) return nullptr;
  DeriveKeys(*d);
  return std::make_shared<const Dataset>(std::move(*d));
}

/// Writes the datasets row and the column metadata of a planned definition (the generated tables are the backend's).
template <typename Connection>
void WriteDefinition(Connection& c, const DefinitionPlan& plan, UnixSeconds now) {
  const Dataset& next = plan.next;
  if (plan.creating) {
    c.Prepare(
         "INSERT INTO datasets(id, name, resource_code, provider_department_id, region_id, entry_version, "
         "update_frequency, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .Bind(1, next.id)
        .Bind(2, next.name)
        .Bind(3, next.resource_code)
        .Bind(4, next.provider_department_id)
        .Bind(5, next.region_id)
        .Bind(6, next.entry_version)
        .Bind(7, next.update_frequency)
        .Bind(8, now)
        .Bind(9, now)
        .Run();
  } else {
    c.Prepare(
         "UPDATE datasets SET name = $1, resource_code = $2, region_id = $3, entry_version = $4, update_frequency = "
         "$5, updated_at = $6 WHERE id = $7")
        .Bind(1, next.name)
        .Bind(2, next.resource_code)
        .Bind(3, next.region_id)
        .Bind(4, next.entry_version)
        .Bind(5, next.update_frequency)
        .Bind(6, now)
        .Bind(7, next.id)
        .Run();
  }
  for (const auto& col : next.columns) {
    c.Prepare(
         "INSERT INTO dataset_columns(dataset_id, position, name, element, data_type, length, key_order, personal, "
         "level, added_in, retired_in) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
         "ON CONFLICT(dataset_id, position) DO UPDATE SET element = excluded.element, data_type = "
         "excluded.data_type, length = excluded.length, key_order = excluded.key_order, personal = "
         "excluded.personal, level = excluded.level, retired_in = excluded.retired_in")
        .Bind(1, next.id)
        .Bind(2, col.position)
        .Bind(3, col.name)
        .Bind(4, col.element)
        .Bind(5, col.data_type)
        .Bind(6, col.length)
        .Bind(7, col.key_order)
        .Bind(8, col.personal ? 1 : 0)
        .Bind(9, col.level)
        .Bind(10, col.added_in)
        .Bind(11, col.retired_in ? std::optional<std::int64_t>(*col.retired_in) : std::nullopt)
        .Run();
  }
}

/// A load prepared against one version of the dataset's columns must not run after a Define changed them. `lock`: the
/// backend's suffix that locks the dataset's row for the rest of the transaction (" FOR UPDATE"), or "".
template <typename Connection>
common::Status SameSchema(Connection& c, const Dataset& d, std::string_view lock = "") {
  auto st = c.Prepare(fmt::format("SELECT entry_version FROM datasets WHERE id = $1{}", lock));
  st.Bind(1, d.id);
  if (!st.Step() || st.Int(0) != d.entry_version) {
    return common::Status::Conflict("dataset_changed",
                                    "the dataset's columns changed while the load was queued; retry");
  }
  return common::Status::Ok();
}

template <typename Connection>
std::int64_t MaxSeq(Connection& c, const Dataset& d) {
  auto st = c.Prepare(fmt::format("SELECT COALESCE(MAX(seq), 0) FROM {}", d.changes_table()));
  st.Step();
  return st.Int(0);
}

/// The row count the datasets row holds (before a batch changes it).
template <typename Connection>
std::int64_t StoredRowCount(Connection& c, const Dataset& d) {
  auto count = c.Prepare("SELECT row_count FROM datasets WHERE id = $1");
  count.Bind(1, d.id).Step();
  return count.Int(0);
}

/// Appends one change to the feed.
template <typename Connection>
void AppendChange(Connection& c, const Dataset& d, std::int64_t seq, ChangeOp op, const std::string& key,
                  const std::string& region, UnixSeconds now) {
  auto st =
      c.Prepare(fmt::format("INSERT INTO {}(seq, op, key, region, at) VALUES ($1, $2, $3, $4, $5)", d.changes_table()));
  st.Bind(1, seq).Bind(2, op == ChangeOp::kUpsert ? 0 : 1).Bind(3, key);
  if (region.empty()) {
    st.BindNull(4);
  } else {
    st.Bind(4, region);
  }
  st.Bind(5, now).Run();
}

/// The load history row and the dataset's counters after a load or batch.
template <typename Connection>
void RecordLoad(Connection& c, const Dataset& d, const LoadReport& r, const std::string& actor, UnixSeconds now) {
  // A load that changed nothing keeps the stored last_seq (what the database holds, not this node's copy).
  c.Prepare(
       "UPDATE datasets SET row_count = $1, last_load_at = $2, last_seq = COALESCE($3, last_seq), updated_at = $4 "
       "WHERE id = $5")
      .Bind(1, r.row_count)
      .Bind(2, now)
      .Bind(3, r.last_seq ? std::optional<std::int64_t>(r.last_seq) : std::nullopt)
      .Bind(4, now)
      .Bind(5, d.id)
      .Run();
  c.Prepare(
       "INSERT INTO loads(dataset_id, kind, actor, at, rows_read, rows_accepted, rows_rejected, inserted, updated, "
       "deleted, first_seq, last_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
      .Bind(1, d.id)
      .Bind(2, r.kind)
      .Bind(3, actor)
      .Bind(4, now)
      .Bind(5, r.rows_read)
      .Bind(6, r.rows_accepted)
      .Bind(7, r.rows_rejected)
      .Bind(8, r.inserted)
      .Bind(9, r.updated)
      .Bind(10, r.deleted)
      .Bind(11, r.first_seq)
      .Bind(12, r.last_seq)
      .Run();
}

template <typename Connection>
std::optional<std::pair<std::string, std::string>> FindBatchKey(Connection& c, const Dataset& d,
                                                                const std::string& key) {
  auto seen = c.Prepare("SELECT body_sha256, report FROM batch_keys WHERE dataset_id = $1 AND key = $2");
  seen.Bind(1, d.id).Bind(2, key);
  if (!seen.Step()) return std::nullopt;
  return std::make_pair(seen.Text(0), seen.Text(1));
}

template <typename Connection>
void RememberBatchKey(Connection& c, const Dataset& d, const std::string& key, const std::string& body_sha256,
                      const LoadReport& report, UnixSeconds now) {
  c.Prepare("INSERT INTO batch_keys(dataset_id, key, body_sha256, report, created_at) VALUES ($1, $2, $3, $4, $5)")
      .Bind(1, d.id)
      .Bind(2, key)
      .Bind(3, body_sha256)
      .Bind(4, ReportJson(report))
      .Bind(5, now)
      .Run();
}

/// The key values of a change-feed row: the text itself, or a JSON array's elements for a composite key.
std::vector<std::string> ChangeKey(bool composite, const std::string& text);

/// The change feed page "seq > $1 ORDER BY seq LIMIT $2" (keys of composite datasets are JSON arrays).
template <typename Connection>
std::vector<Change> ReadChanges(Connection& c, const Dataset& d, std::int64_t since_seq, int limit) {
  std::vector<Change> out;
  auto st = c.Prepare(
      fmt::format("SELECT seq, op, key, region, at FROM {} WHERE seq > $1 ORDER BY seq LIMIT $2", d.changes_table()));
  st.Bind(1, since_seq).Bind(2, limit);
  while (st.Step()) {
    Change ch;
    ch.seq = st.Int(0);
    ch.op = st.Int(1) == 0 ? ChangeOp::kUpsert : ChangeOp::kDelete;
    ch.key = ChangeKey(d.key.size() > 1, st.Text(2));
    ch.region = st.IsNull(3) ? std::string() : st.Text(3);
    ch.at = st.Int(4);
    out.push_back(std::move(ch));
  }
  return out;
}

/// The dataset registry every backend keeps in memory: the datasets by id with their counters. Thread-safe.
class DatasetRegistry {
 public:
  std::shared_ptr<const Dataset> Find(std::int64_t id) const;
  std::vector<std::shared_ptr<const Dataset>> List() const;
  void Publish(std::shared_ptr<const Dataset> dataset);
  void ReplaceAll(std::map<std::int64_t, std::shared_ptr<const Dataset>> all);
  /// Dataset `id` as just read from the database: replaces the one held, or drops it if `dataset` is null.
  void Replace(std::int64_t id, std::shared_ptr<const Dataset> dataset);
  /// After a load: the counters of the dataset as it is now (a concurrent Define is kept).
  void Counted(std::int64_t id, std::int64_t row_count, UnixSeconds at, std::int64_t last_seq);

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::int64_t, std::shared_ptr<const Dataset>> datasets_;
};

/// DatasetStore::Refresh(id) on any backend: re-reads dataset `id` from `db` (a store::sqlite::Database or
/// store::pg::Database) into `registry`, dropping it there if the database no longer has it; the other datasets are
/// left as they are.
template <typename Database>
common::Status RefreshDataset(Database& db, DatasetRegistry& registry, std::int64_t id) {
  std::shared_ptr<const Dataset> dataset;
  GOVSHARE_RETURN_IF_ERROR(db.Read([&](auto& c) {
    dataset = ReadDataset(c, id);
    return common::Status::Ok();
  }));
  registry.Replace(id, std::move(dataset));
  return common::Status::Ok();
}

// ---- the frame of loads and batches, on every backend ----------------------------------------------------------

/// The parts of a SnapshotTarget that are the same SQL on every backend.
template <typename Connection>
class SnapshotTargetOn : public SnapshotTarget {
 public:
  SnapshotTargetOn(Connection& c, const Dataset& d, const std::string& actor, UnixSeconds now)
      : c_(c), d_(d), actor_(actor), now_(now) {}
  std::int64_t LastSeq() override { return MaxSeq(c_, d_); }
  void Finish(const LoadReport& report) override { RecordLoad(c_, d_, report, actor_, now_); }

 protected:
  Connection& c_;
  const Dataset& d_;
  const std::string& actor_;
  const UnixSeconds now_;
};

/// The parts of a BatchTarget that are the same SQL on every backend.
template <typename Connection>
class BatchTargetOn : public BatchTarget {
 public:
  BatchTargetOn(Connection& c, const Dataset& d, const std::string& actor, UnixSeconds now)
      : c_(c), d_(d), actor_(actor), now_(now) {
    for (std::size_t i = 0; i < d.columns.size(); ++i) {
      if (!d.columns[i].retired()) active_.push_back(static_cast<int>(i));
    }
  }
  std::optional<std::pair<std::string, std::string>> FindKey(const std::string& key) override {
    return FindBatchKey(c_, d_, key);
  }
  std::int64_t LastSeq() override { return MaxSeq(c_, d_); }
  std::int64_t RowCount() override { return StoredRowCount(c_, d_); }
  void Feed(std::int64_t seq, ChangeOp op, const std::string& key, const std::string& region) override {
    AppendChange(c_, d_, seq, op, key, region, now_);
  }
  void Finish(const LoadReport& report, const std::string& key, const std::string& body_sha256) override {
    RecordLoad(c_, d_, report, actor_, now_);
    if (!key.empty()) RememberBatchKey(c_, d_, key, body_sha256, report, now_);
  }

 protected:
  Connection& c_;
  const Dataset& d_;
  const std::string& actor_;
  const UnixSeconds now_;
  std::vector<int> active_;  // the indexes of the active (non-retired) columns: what a batch row writes
};

/// A load or batch as every backend runs it: prepared outside the write transaction (the dataset, its reader or
/// checks, the time), run by the backend's write job (Begin, then RunSnapshot/RunBatch with the backend's target), and
/// finished into the result and the registry's counters.
class LoadJob {
 public:
  /// A snapshot load of dataset `id`: not_found, or the reader's error (encoding_unsupported).
  static common::Result<std::unique_ptr<LoadJob>> Snapshot(const DatasetRegistry& registry, std::int64_t id,
                                                           const common::ByteSource& source,
                                                           const DatasetStore::LoadOptions& options,
                                                           const ValidationRules& rules, UnixSeconds now);
  /// A batch of dataset `id`: not_found, batch_too_large.
  static common::Result<std::unique_ptr<LoadJob>> ForBatch(const DatasetRegistry& registry, std::int64_t id,
                                                           const Batch& batch, const ValidationRules& rules,
                                                           UnixSeconds now);

  const Dataset& dataset() const { return *dataset_; }
  UnixSeconds now() const { return now_; }
  /// Starts (again) inside a write job: a fresh report.
  void Begin();
  common::Status RunSnapshot(RecordReader& reader, LoadMode mode, SnapshotTarget& target);
  common::Status RunSnapshot(LoadMode mode, SnapshotTarget& target) { return RunSnapshot(*reader_, mode, target); }
  common::Status RunBatch(const Batch& batch, LoadMode mode, const std::string& idempotency_key,
                          const std::string& body_sha256, BatchTarget& target);
  /// The result from the write job's status; an applied load's counters go to `registry`.
  common::Result<LoadReport> Finish(const common::Status& status, DatasetRegistry& registry);

 private:
  LoadJob(std::shared_ptr<const Dataset> dataset, const ValidationRules& rules, UnixSeconds now, std::string kind);

  std::shared_ptr<const Dataset> dataset_;
  RowChecker checker_;
  UnixSeconds now_;
  std::string kind_;
  std::chrono::steady_clock::time_point start_;
  std::unique_ptr<RecordReader> reader_;
  LoadReport report_;
  bool replayed_ = false;
};

/// Steps through the rows of a read whose SELECT list is the view's, then the key columns: `read(st, row)` reads a
/// row's values the backend's way; `sink` gets each row with its key values (as text).
template <typename Statement, typename ReadRowFn>
void StepRows(Statement& st, const View& view, const ReadRowFn& read,
              const std::function<bool(const Row&, std::vector<std::string>&&)>& sink) {
  const Dataset& d = view.dataset();
  const int key_base = static_cast<int>(view.columns().size()) + (d.region_column ? 1 : 0);
  Row row;
  while (st.Step()) {
    read(st, row);
    std::vector<std::string> key;
    key.reserve(d.key.size());
    for (std::size_t i = 0; i < d.key.size(); ++i) key.emplace_back(st.TextView(key_base + static_cast<int>(i)));
    if (!sink(row, std::move(key))) break;
  }
}

// ---- reads
// -----------------------------------------------------------------------------------------------------------

/// invalid_key unless `key` has one value per key item.
common::Status CheckKeyArity(const Dataset& d, std::span<const std::string> key);
/// invalid_limit unless 1 <= limit <= kMaxQueryLimit.
common::Status CheckQueryLimit(int limit);
/// invalid_limit unless 1 <= limit <= 10000 (a change-feed page).
common::Status CheckChangesLimit(int limit);

std::optional<std::int64_t> ParseInteger(std::string_view value);
std::optional<double> ParseReal(std::string_view value);
/// A key value as stored: ID numbers and credit codes are kept upper case (DOMAIN.md §2), so lookups are too.
std::string NormaliseKey(const Column& c, std::string_view value);

/// "c1,c3" (with `prefix` before each name) of these column indexes; the key columns of d.
std::string Cols(const Dataset& d, const std::vector<int>& idx, std::string_view prefix = "");
std::string KeyList(const Dataset& d, std::string_view prefix = "");
/// "a.c1 = b.c1 AND ..." over the key columns.
std::string KeyEquals(const Dataset& d, std::string_view a, std::string_view b);

/// The WHERE clause of a query spec and its values. `param(n)` writes the backend's n-th placeholder (1-based); each
/// value is bound as text (column null) or as its column stores it.
struct Where {
  std::string sql;
  std::vector<std::pair<const Column*, std::string>> binds;
};
common::Result<Where> BuildWhere(const Dataset& d, const QuerySpec& spec,
                                 const std::function<std::string(int n, const Column* c)>& param);

/// A row of a query and its key values (for cursors); returns false to stop.
using RowSink = std::function<bool(const Row&, std::vector<std::string>&&)>;
/// A page of at most spec.limit rows from `run(limit + 1, sink)`, with the cursor of the next page.
common::Result<Page> CollectPage(const QuerySpec& spec, const std::function<common::Status(int, const RowSink&)>& run);

}  // namespace govshare::exchange::detail
