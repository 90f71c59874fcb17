#include "store/pg/dataset_store_pg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>

namespace govshare::store::pg {

using common::Result;
using common::Status;
using exchange::Change;
using exchange::Column;
using exchange::Dataset;
using exchange::LoadReport;
using exchange::Page;
using exchange::QuerySpec;
using exchange::Row;
using exchange::Storage;
using exchange::UnixSeconds;
using exchange::Value;
using exchange::View;
namespace detail = exchange::detail;

namespace {

/// COPY data is sent in pieces of about this size.
constexpr std::size_t kCopyChunkBytes = 1 << 20;
/// Scan reads this many rows per keyset chunk.
constexpr int kScanChunkRows = 2000;
/// The lock row of every dataset writer: `datasets` row of the dataset (see PgDatasetStore).
constexpr std::string_view kLockRow = " FOR UPDATE";

const char* SqlType(Storage s) {
  switch (s) {
    case Storage::kText:
      return "TEXT COLLATE \"C\"";  // byte order, as SQLite's BINARY: both backends sort and page alike
    case Storage::kInteger:
      return "BIGINT";
    case Storage::kReal:
      return "DOUBLE PRECISION";
    case Storage::kNumeric:
      return "NUMERIC";
  }
  return "TEXT";
}

const char* CastOf(const Column* c) {
  if (c == nullptr) return "text";
  switch (c->storage) {
    case Storage::kText:
      return "text";
    case Storage::kInteger:
      return "bigint";
    case Storage::kReal:
      return "float8";
    case Storage::kNumeric:
      return "numeric";
  }
  return "text";
}

/// The n-th parameter, cast to what column `c` stores (text without a column).
std::string Param(int n, const Column* c) { return fmt::format("${}::{}", n, CastOf(c)); }

/// A dataset is partitioned by city when it had its region column from the start (the table's shape is fixed then).
bool Partitioned(const Dataset& d) {
  if (!d.region_column) return false;
  int first = d.columns.front().added_in;
  for (const auto& c : d.columns) first = std::min(first, c.added_in);
  return d.columns[static_cast<std::size_t>(*d.region_column)].added_in == first;
}

/// The city-level division code of a region value (an SQL expression): 130102 → 130100; '' without one.
std::string CityOf(const std::string& region) { return fmt::format("COALESCE(left({}, 4) || '00', '')", region); }

std::string RegionSql(const Dataset& d, std::string_view prefix) {
  return d.region_column ? fmt::format("{}{}", prefix, d.columns[static_cast<std::size_t>(*d.region_column)].sql_name())
                         : "NULL::text";
}

/// The change feed's key text: the value itself, or a JSON array for a composite key (as SQLite's json_array).
std::string KeySql(const Dataset& d, std::string_view prefix) {
  if (d.key.size() == 1)
    return fmt::format("{}{}::text", prefix, d.columns[static_cast<std::size_t>(d.key[0])].sql_name());
  return fmt::format("json_build_array({})::text", detail::Cols(d, d.key, prefix));
}

/// "c1 = $1::text AND ..." over the key columns, the key's n-th value being parameter first + n.
std::string KeyWhere(const Dataset& d, int first = 1) {
  std::string out;
  for (std::size_t i = 0; i < d.key.size(); ++i) {
    const Column& c = d.columns[static_cast<std::size_t>(d.key[i])];
    out += fmt::format("{}{} = {}", i ? " AND " : "", c.sql_name(), Param(first + static_cast<int>(i), &c));
  }
  return out;
}

void BindCell(Statement& st, int index, const std::string& value) {
  if (value.empty()) {
    st.BindNull(index);
  } else {
    st.Bind(index, value);
  }
}

void BindKey(Statement& st, const Dataset& d, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < d.key.size(); ++i) BindCell(st, static_cast<int>(i) + 1, cells[d.key[i]]);
}

/// A value as the SQLite store gives it: text, an integer, a real; a NUMERIC is an integer when it is integral
/// (SQLite's NUMERIC affinity stores 12.0 as 12).
Value ReadValue(const Statement& s, int col, const Column& c) {
  if (s.IsNull(col)) return std::monostate{};
  switch (c.storage) {
    case Storage::kText:
      return std::string(s.TextView(col));
    case Storage::kInteger:
      return s.Int(col);
    case Storage::kReal:
      return std::strtod(s.Text(col).c_str(), nullptr);
    case Storage::kNumeric: {
      const std::string text = s.Text(col);
      if (auto i = detail::ParseInteger(text)) return *i;
      const double v = std::strtod(text.c_str(), nullptr);
      constexpr double kExactIntegers = 9.2e18;
      if (std::floor(v) == v && std::fabs(v) < kExactIntegers) return static_cast<std::int64_t>(v);
      return v;
    }
  }
  return std::string(s.TextView(col));
}

void ReadRow(const Statement& s, const View& v, Row& out) {
  const Dataset& d = v.dataset();
  const std::size_t n = v.columns().size();
  out.values.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.values[i] = ReadValue(s, static_cast<int>(i), d.columns[static_cast<std::size_t>(v.columns()[i])]);
  }
  if (d.region_column) {
    out.region.assign(s.TextView(static_cast<int>(n)));
  } else {
    out.region.clear();
  }
}

/// The lookup of a view on PostgreSQL: the primary key's index (one probe per partition: the key alone does not name
/// the city).
std::string LookupSql(const View& v) {
  return fmt::format("SELECT {} FROM {} WHERE {}", v.select_list(), v.dataset().table(), KeyWhere(v.dataset()));
}

/// The column definitions of d's table (without constraints), for the live table and the staging copy.
std::string ColumnDefs(const Dataset& d, bool not_null_keys) {
  std::string sql;
  for (const auto& c : d.columns) {
    sql += fmt::format("{}{} {}{}", sql.empty() ? "" : ", ", c.sql_name(), SqlType(c.storage),
                       not_null_keys && c.key_order > 0 ? " NOT NULL" : "");
  }
  return sql;
}

/// Division codes are six digits; anything else is not made a partition (no user text reaches DDL).
bool IsDivisionCode(const std::string& code) {
  constexpr std::size_t kDigits = 6;
  return code.size() == kDigits &&
         std::all_of(code.begin(), code.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

/// The significant prefix of a region code: 130000 → 13, 130100 → 1301, 130102 → 130102.
std::string RegionPrefix(std::string code) {
  while (code.size() >= 2 && code.ends_with("00")) code.resize(code.size() - 2);
  return code;
}

/// A cell as a COPY field: an empty cell is NULL (\N), as the loads store it.
void AppendCopyField(std::string& out, std::string_view value) {
  if (value.empty()) {
    out += "\\N";
    return;
  }
  AppendCopyText(out, value);
}

/// A snapshot COPYed into a temporary staging table (no key: duplicates are found in bulk afterwards) and applied to
/// the live table as its net effect, each part writing its feed rows from a data-modifying CTE.
class PgSnapshot final : public detail::SnapshotTargetOn<Connection> {
 public:
  PgSnapshot(Connection& c, const Dataset& d, const std::string& actor, UnixSeconds now,
             std::atomic<std::int64_t>& copied)
      : SnapshotTargetOn(c, d, actor, now), copied_(copied), stage_(d.table() + "_stage") {
    for (std::size_t i = 0; i < d.columns.size(); ++i) all_.push_back(static_cast<int>(i));
    c_.Exec(fmt::format("CREATE TEMP TABLE {} (_row BIGINT NOT NULL, _line BIGINT NOT NULL, {}) ON COMMIT DROP", stage_,
                        ColumnDefs(d, false)));
    c_.CopyBegin(fmt::format("COPY {} (_row, _line, {}) FROM STDIN", stage_, detail::Cols(d, all_)));
    buffer_.reserve(kCopyChunkBytes + kCopyChunkBytes / 4);
  }

  bool Stage(const detail::Record& r) override {
    buffer_ += std::to_string(r.row);
    buffer_.push_back('\t');
    buffer_ += std::to_string(r.line);
    for (const auto& cell : r.cells) {
      buffer_.push_back('\t');
      AppendCopyField(buffer_, cell);
    }
    buffer_.push_back('\n');
    if (buffer_.size() >= kCopyChunkBytes) Flush();
    return true;
  }

  std::vector<detail::Record> TakeDuplicates() override {
    Flush();
    copied_ += c_.CopyEnd();
    c_.Exec(fmt::format("ANALYZE {}", stage_));
    const std::string keys = detail::KeyList(d_);
    const std::string k0 = d_.columns[static_cast<std::size_t>(d_.key.front())].sql_name();
    // Every row after the first of its key is a duplicate (the first one wins, as when inserting row by row).
    auto st = c_.Prepare(
        fmt::format("DELETE FROM {0} WHERE _row IN (SELECT _row FROM (SELECT _row, row_number() OVER (PARTITION BY {1} "
                    "ORDER BY _row) AS n FROM {0}) AS x WHERE n > 1) RETURNING _row, _line, {2}",
                    stage_, keys, k0));
    std::vector<detail::Record> out;
    while (st.Step()) {
      detail::Record r;
      r.row = st.Int(0);
      r.line = st.Int(1);
      r.cells.push_back(st.Text(2));
      out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.row < b.row; });
    return out;
  }

  std::int64_t Keep(const std::vector<std::vector<std::string>>& keys) override {
    if (keys.empty()) return 0;
    c_.Exec(fmt::format("CREATE INDEX ON {} ({})", stage_, detail::KeyList(d_)));
    const std::string cols = detail::Cols(d_, all_);
    auto sql = fmt::format(
        "INSERT INTO {0} (_row, _line, {1}) SELECT 0, 0, {2} FROM {3} AS m WHERE {4} AND NOT EXISTS (SELECT 1 FROM {0} "
        "AS s WHERE {5})",
        stage_, cols, detail::Cols(d_, all_, "m."), d_.table(), KeyWhere(d_), detail::KeyEquals(d_, "m", "s"));
    std::int64_t kept = 0;
    for (const auto& key : keys) {
      auto copy = c_.Prepare(sql);
      for (std::size_t i = 0; i < key.size(); ++i) BindCell(copy, static_cast<int>(i) + 1, key[i]);
      copy.Run();
      kept += copy.Changes();
    }
    return kept;
  }

  void Replace(std::int64_t first_seq, LoadReport& report) override {
    const Dataset& d = d_;
    const std::string live = d.table();
    std::string retired_set;
    for (const auto& c : d.columns) {
      if (c.retired())
        retired_set += fmt::format("{}{} = m.{}", retired_set.empty() ? "" : ", ", c.sql_name(), c.sql_name());
    }
    if (!retired_set.empty()) {  // retired columns are not in new files: carry their values over (never drop data)
      c_.Exec(fmt::format("UPDATE {} AS s SET {} FROM {} AS m WHERE {}", stage_, retired_set, live,
                          detail::KeyEquals(d, "m", "s")));
    }
    const std::string cols = detail::Cols(d, all_);
    const std::string keys = detail::KeyList(d);
    // Each part writes its feed rows numbered on from the previous part: new keys, changed rows, vanished keys, each
    // in key order (seq $1 + row number).
    const std::string feed = fmt::format(
        "INSERT INTO {}(seq, op, key, region, at) SELECT $1::bigint + row_number() OVER (ORDER BY {}), {{}}, {}, {}, "
        "$2::bigint FROM changed",
        d.changes_table(), keys, KeySql(d, ""), RegionSql(d, ""));
    std::string returning = detail::KeyList(d, "m.");
    if (d.region_column && d.columns[static_cast<std::size_t>(*d.region_column)].key_order == 0) {
      returning += "," + RegionSql(d, "m.");
    }
    auto run = [&](const std::string& change, int op, std::int64_t seq) {
      auto st = c_.Prepare(
          fmt::format("WITH changed AS ({} RETURNING {}) {}", change, returning, fmt::format(fmt::runtime(feed), op)));
      st.Bind(1, seq).Bind(2, now_).Run();
      return static_cast<std::int64_t>(st.Changes());
    };
    report.inserted = run(fmt::format("INSERT INTO {0} AS m ({1}, city) SELECT {2}, {3} FROM {4} AS s WHERE NOT EXISTS "
                                      "(SELECT 1 FROM {0} AS m WHERE {5})",
                                      live, cols, detail::Cols(d, all_, "s."), CityOf(RegionSql(d, "s.")), stage_,
                                      detail::KeyEquals(d, "m", "s")),
                          0, first_seq - 1);
    std::string set;
    for (const auto& c : d.columns) set += fmt::format("{} = s.{}, ", c.sql_name(), c.sql_name());
    report.updated = run(fmt::format("UPDATE {} AS m SET {}city = {} FROM {} AS s WHERE {} AND ROW({}) IS DISTINCT "
                                     "FROM ROW({})",
                                     live, set, CityOf(RegionSql(d, "s.")), stage_, detail::KeyEquals(d, "m", "s"),
                                     detail::Cols(d, all_, "m."), detail::Cols(d, all_, "s.")),
                         0, first_seq - 1 + report.inserted);
    report.deleted = run(fmt::format("DELETE FROM {} AS m WHERE NOT EXISTS (SELECT 1 FROM {} AS s WHERE {})", live,
                                     stage_, detail::KeyEquals(d, "m", "s")),
                         1, first_seq - 1 + report.inserted + report.updated);
  }

 private:
  void Flush() {
    if (buffer_.empty()) return;
    c_.CopyPut(buffer_);
    buffer_.clear();
  }

  std::atomic<std::int64_t>& copied_;
  const std::string stage_;
  std::vector<int> all_;
  std::string buffer_;
};

/// A batch's row writes on the live table. The key alone is not a unique index on a partitioned table (the city is in
/// it too), so an upsert is an UPDATE by key (which moves the row when its city changes) or, for a new key, an INSERT.
class PgBatch final : public detail::BatchTargetOn<Connection> {
 public:
  PgBatch(Connection& c, const Dataset& d, const std::string& actor, UnixSeconds now)
      : BatchTargetOn(c, d, actor, now) {
    std::string params, set, mine, theirs, where;
    std::string city = "''";
    for (std::size_t i = 0; i < active_.size(); ++i) {
      const Column& col = d.columns[static_cast<std::size_t>(active_[i])];
      const std::string p = Param(static_cast<int>(i) + 1, &col);
      params += fmt::format("{}{}", i ? ", " : "", p);
      if (d.region_column && active_[i] == *d.region_column) city = CityOf(p);
      if (col.key_order > 0) {
        where += fmt::format("{}{} = {}", where.empty() ? "" : " AND ", col.sql_name(), p);
        continue;
      }
      set += fmt::format("{} = {}, ", col.sql_name(), p);
      mine += fmt::format("{}{}", mine.empty() ? "" : ", ", col.sql_name());
      theirs += fmt::format("{}{}", theirs.empty() ? "" : ", ", p);
    }
    insert_sql_ =
        fmt::format("INSERT INTO {} ({}, city) VALUES ({}, {})", d.table(), detail::Cols(d, active_), params, city);
    if (!mine.empty()) {
      update_sql_ = fmt::format("UPDATE {} SET {}city = {} WHERE {} AND ROW({}) IS DISTINCT FROM ROW({})", d.table(),
                                set, city, where, mine, theirs);
    }
    exists_sql_ = fmt::format("SELECT 1 FROM {} WHERE {}", d.table(), KeyWhere(d));
    delete_sql_ = fmt::format("DELETE FROM {} WHERE {} RETURNING {}", d.table(), KeyWhere(d), RegionSql(d, ""));
  }

  Upserted Upsert(const detail::Record& r) override {
    auto exists = c_.Prepare(exists_sql_);
    BindKey(exists, d_, r.cells);
    if (!exists.Step()) {
      auto insert = c_.Prepare(insert_sql_);
      BindActive(insert, r);
      insert.Run();
      return Upserted::kInserted;
    }
    if (update_sql_.empty()) return Upserted::kUnchanged;  // only key items: nothing can change
    auto update = c_.Prepare(update_sql_);
    BindActive(update, r);
    update.Run();
    return update.Changes() > 0 ? Upserted::kUpdated : Upserted::kUnchanged;
  }

  std::optional<std::string> Delete(const detail::Record& r) override {
    auto del = c_.Prepare(delete_sql_);
    BindKey(del, d_, r.cells);
    if (!del.Step()) return std::nullopt;
    return del.IsNull(0) ? std::string() : del.Text(0);
  }

 private:
  void BindActive(Statement& st, const detail::Record& r) const {
    for (std::size_t i = 0; i < active_.size(); ++i) {
      BindCell(st, static_cast<int>(i) + 1, r.cells[static_cast<std::size_t>(active_[i])]);
    }
  }

  std::string insert_sql_, update_sql_, exists_sql_, delete_sql_;
};

/// Runs `fn` in a REPEATABLE READ READ ONLY transaction on `c` (one snapshot for all its statements), ended on every
/// path so that the connection goes back to the pool outside a transaction.
Status InSnapshot(Connection& c, const std::function<Status()>& fn) {
  c.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  Status status;
  try {
    status = fn();
  } catch (const PgError&) {
    if (c.healthy()) c.Exec("ROLLBACK");
    throw;
  }
  c.Exec(status.ok() ? "COMMIT" : "ROLLBACK");
  return status;
}

/// The WHERE clause of a read; a row scope within cities also names their partitions (`city = ANY(...)`), so that
/// the read prunes to them.
Result<detail::Where> PgWhere(const Dataset& d, const QuerySpec& spec) {
  auto where = detail::BuildWhere(d, spec, &Param);
  if (!where.ok() || !Partitioned(d) || spec.region_prefixes.empty()) return where;
  constexpr std::size_t kCityDigits = 4;
  std::string cities;
  for (const auto& p : spec.region_prefixes) {
    const bool digits = std::all_of(p.begin(), p.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (p.size() < kCityDigits || !digits) return where;  // province-wide (or no) scope: every partition
    cities += fmt::format("{}{}00", cities.empty() ? "" : ",", p.substr(0, kCityDigits));
  }
  where->binds.emplace_back(nullptr, "{" + cities + "}");
  where->sql += fmt::format(" AND city = ANY(${}::text[])", where->binds.size());
  return where;
}

void BindWhere(Statement& st, const detail::Where& w) {
  for (std::size_t i = 0; i < w.binds.size(); ++i) st.Bind(static_cast<int>(i) + 1, w.binds[i].second);
}

Status RunSelect(Connection& c, const View& view, const detail::Where& w, int limit, const detail::RowSink& sink) {
  const Dataset& d = view.dataset();
  const std::string keys = detail::KeyList(d);
  auto st = c.Prepare(fmt::format("SELECT {},{} FROM {}{} ORDER BY {} LIMIT {}", view.select_list(), keys, d.table(),
                                  w.sql, keys, limit));
  BindWhere(st, w);
  detail::StepRows(
      st, view, [&](const Statement& s, Row& row) { ReadRow(s, view, row); }, sink);
  return Status::Ok();
}

}  // namespace

void CreateDatasetTables(Connection& c, const Dataset& d) {
  const std::string keys = detail::KeyList(d);
  if (!Partitioned(d)) {
    c.Exec(fmt::format("CREATE TABLE {} ({}, city TEXT COLLATE \"C\" NOT NULL DEFAULT '', PRIMARY KEY ({}))", d.table(),
                       ColumnDefs(d, true), keys));
  } else {
    c.Exec(fmt::format(
        "CREATE TABLE {} ({}, city TEXT COLLATE \"C\" NOT NULL DEFAULT '', PRIMARY KEY ({}, city)) PARTITION BY LIST "
        "(city)",
        d.table(), ColumnDefs(d, true), keys));
    std::vector<std::string> cities;
    {
      auto st = c.Prepare(
          "SELECT DISTINCT left(division_code, 4) || '00' FROM regions WHERE level = 'city' AND division_code LIKE $1 "
          "|| '%' ORDER BY 1");
      st.Bind(1, RegionPrefix(d.region_id));
      while (st.Step()) cities.push_back(st.Text(0));
    }
    for (const auto& city : cities) {
      if (!IsDivisionCode(city)) continue;
      c.Exec(fmt::format("CREATE TABLE {0}_p{1} PARTITION OF {0} FOR VALUES IN ('{1}')", d.table(), city));
    }
    // Rows of no known city (a province-level code, a region added later, none at all) are never refused.
    c.Exec(fmt::format("CREATE TABLE {0}_pdefault PARTITION OF {0} DEFAULT", d.table()));
  }
  c.Exec(
      fmt::format("CREATE TABLE {} (seq BIGINT PRIMARY KEY, op SMALLINT NOT NULL, key TEXT NOT NULL, region TEXT, "
                  "at BIGINT NOT NULL)",
                  d.changes_table()));
  if (d.region_column) {
    c.Exec(fmt::format("CREATE INDEX IF NOT EXISTS {0}_region ON {0} ({1})", d.table(),
                       d.columns[static_cast<std::size_t>(*d.region_column)].sql_name()));
  }
}

std::string CityCode(std::optional<std::string_view> region) {
  if (!region) return {};
  // left(region, 4) counts characters: the first four UTF-8 sequences (a byte that is not a continuation byte starts
  // one).
  constexpr unsigned char kContinuationMask = 0xC0;
  constexpr unsigned char kContinuation = 0x80;
  std::size_t end = 0;
  for (int chars = 0; end < region->size(); ++end) {
    if ((static_cast<unsigned char>((*region)[end]) & kContinuationMask) != kContinuation && chars++ == 4) break;
  }
  return std::string(region->substr(0, end)) + "00";
}

Result<std::unique_ptr<exchange::DatasetStore>> OpenDatasetStore(Database& db, const common::Clock& clock) {
  auto store = std::make_unique<PgDatasetStore>(db, clock);
  GOVSHARE_RETURN_IF_ERROR(store->Refresh());
  return std::unique_ptr<exchange::DatasetStore>(std::move(store));
}

Status PgDatasetStore::Refresh() {
  std::map<std::int64_t, std::shared_ptr<const Dataset>> all;
  GOVSHARE_RETURN_IF_ERROR(db_.Read([&](Connection& c) {
    return InSnapshot(c, [&] {  // one snapshot for the datasets and their columns
      all = detail::ReadDatasets(c);
      return Status::Ok();
    });
  }));
  registry_.ReplaceAll(std::move(all));
  return Status::Ok();
}

Result<std::shared_ptr<const Dataset>> PgDatasetStore::Define(const Definition& def) {
  // Another node may have defined or evolved the dataset since this one last looked: plan against the database.
  GOVSHARE_RETURN_IF_ERROR(Refresh(def.id));
  auto current = Find(def.id);
  const UnixSeconds now = clock_.Now();
  auto planned = detail::PlanDefinition(current, def, now);
  if (!planned.ok()) return planned.status();
  if (!planned.value()) return current;
  detail::DefinitionPlan& plan = *planned.value();
  const Dataset& next = plan.next;
  auto status = db_.Write([&](Connection& c) {
    auto version = c.Prepare(fmt::format("SELECT entry_version FROM datasets WHERE id = $1{}", kLockRow));
    version.Bind(1, next.id);
    const bool exists = version.Step();
    if (exists != !plan.creating || (exists && version.Int(0) != current->entry_version)) {
      return Status::Conflict("dataset_changed", "the dataset was defined anew meanwhile; retry");
    }
    detail::WriteDefinition(c, plan, now);
    if (plan.creating) {
      CreateDatasetTables(c, next);
    } else {
      for (std::size_t i : plan.added) {
        const auto& col = next.columns[i];
        c.Exec(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", next.table(), col.sql_name(), SqlType(col.storage)));
      }
    }
    if (next.region_column) {  // a region column added by this definition
      c.Exec(fmt::format("CREATE INDEX IF NOT EXISTS {0}_region ON {0} ({1})", next.table(),
                         next.columns[static_cast<std::size_t>(*next.region_column)].sql_name()));
    }
    return Status::Ok();
  });
  GOVSHARE_RETURN_IF_ERROR(status);
  auto published = std::make_shared<const Dataset>(std::move(plan.next));
  registry_.Publish(published);
  return std::shared_ptr<const Dataset>(published);
}

namespace {

/// Runs a load or batch: at READ COMMITTED and once (a snapshot's file is read as it is copied, so the job cannot run
/// again), the dataset's row lock (SameSchema) first: it orders the job after any other writer of the dataset, on any
/// node, whose commit each of its statements then sees.
Status WriteLocked(Database& db, detail::LoadJob& job, const std::function<Status(Connection&)>& body) {
  return db.Write(
      [&](Connection& c) -> Status {
        job.Begin();
        GOVSHARE_RETURN_IF_ERROR(detail::SameSchema(c, job.dataset(), kLockRow));
        return body(c);
      },
      Database::Isolation::kReadCommitted);
}

}  // namespace

Result<LoadReport> PgDatasetStore::LoadSnapshot(std::int64_t id, const common::ByteSource& source,
                                                const LoadOptions& options, const exchange::ValidationRules& rules) {
  auto job = detail::LoadJob::Snapshot(registry_, id, source, options, rules, clock_.Now());
  if (!job.ok()) return job.status();
  detail::LoadJob& j = *job.value();
  const Status status = WriteLocked(db_, j, [&](Connection& c) {
    PgSnapshot target(c, j.dataset(), options.actor, j.now(), rows_copied_);
    return j.RunSnapshot(options.mode, target);
  });
  return j.Finish(status, registry_);
}

Result<LoadReport> PgDatasetStore::ApplyBatch(std::int64_t id, const exchange::Batch& batch, exchange::LoadMode mode,
                                              const std::string& idempotency_key, const std::string& body_sha256,
                                              const exchange::ValidationRules& rules, const std::string& actor) {
  auto job = detail::LoadJob::ForBatch(registry_, id, batch, rules, clock_.Now());
  if (!job.ok()) return job.status();
  detail::LoadJob& j = *job.value();
  const Status status = WriteLocked(db_, j, [&](Connection& c) {
    PgBatch target(c, j.dataset(), actor, j.now());
    return j.RunBatch(batch, mode, idempotency_key, body_sha256, target);
  });
  return j.Finish(status, registry_);
}

Result<bool> PgDatasetStore::Lookup(const View& view, std::span<const std::string> key, Row& out) const {
  const Dataset& d = view.dataset();
  GOVSHARE_RETURN_IF_ERROR(detail::CheckKeyArity(d, key));
  for (std::size_t i = 0; i < key.size(); ++i) {
    // A non-number for a numeric key: no such row.
    if (!exchange::FitsStorage(d.columns[static_cast<std::size_t>(d.key[i])], key[i])) return false;
  }
  const std::string& sql = view.CompiledSql(View::Backend::kPostgres, &LookupSql);
  bool found = false;
  GOVSHARE_RETURN_IF_ERROR(db_.Read([&](Connection& c) {
    auto st = c.Prepare(sql);
    for (std::size_t i = 0; i < key.size(); ++i) {
      st.Bind(static_cast<int>(i) + 1, detail::NormaliseKey(d.columns[static_cast<std::size_t>(d.key[i])], key[i]));
    }
    if (st.Step()) {
      ReadRow(st, view, out);
      found = true;
    }
    return Status::Ok();
  }));
  return found;
}

Result<Page> PgDatasetStore::Query(const View& view, const QuerySpec& spec) const {
  GOVSHARE_RETURN_IF_ERROR(detail::CheckQueryLimit(spec.limit));
  auto where = PgWhere(view.dataset(), spec);
  if (!where.ok()) return where.status();
  return detail::CollectPage(spec, [&](int limit, const detail::RowSink& sink) {
    return db_.Read([&](Connection& c) { return RunSelect(c, view, where.value(), limit, sink); });
  });
}

Result<std::int64_t> PgDatasetStore::Count(const View& view, const QuerySpec& spec) const {
  auto where = PgWhere(view.dataset(), spec);
  if (!where.ok()) return where.status();
  std::int64_t n = 0;
  GOVSHARE_RETURN_IF_ERROR(db_.Read([&](Connection& c) {
    auto st = c.Prepare(fmt::format("SELECT count(*) FROM {}{}", view.dataset().table(), where->sql));
    BindWhere(st, where.value());
    if (st.Step()) n = st.Int(0);
    return Status::Ok();
  }));
  return n;
}

Status PgDatasetStore::Scan(const View& view, const QuerySpec& spec,
                            const std::function<bool(const Row&)>& sink) const {
  auto first = PgWhere(view.dataset(), spec);
  if (!first.ok()) return first.status();
  return db_.Read([&](Connection& c) {
    return InSnapshot(c, [&]() -> Status {
      QuerySpec chunk = spec;
      detail::Where where = std::move(first.value());
      for (;;) {
        int rows = 0;
        bool stopped = false;
        std::vector<std::string> last;
        GOVSHARE_RETURN_IF_ERROR(
            RunSelect(c, view, where, kScanChunkRows, [&](const Row& row, std::vector<std::string>&& key) {
              ++rows;
              last = std::move(key);
              stopped = !sink(row);
              return !stopped;
            }));
        if (stopped || rows < kScanChunkRows) return Status::Ok();
        chunk.after_key = std::move(last);
        auto next = PgWhere(view.dataset(), chunk);
        if (!next.ok()) return next.status();
        where = std::move(next.value());
      }
    });
  });
}

Result<std::vector<Change>> PgDatasetStore::Changes(std::int64_t id, std::int64_t since_seq, int limit) const {
  auto d = Find(id);
  if (!d) return Status::NotFound(fmt::format("dataset {} does not exist", id));
  GOVSHARE_RETURN_IF_ERROR(detail::CheckChangesLimit(limit));
  std::vector<Change> out;
  GOVSHARE_RETURN_IF_ERROR(db_.Read([&](Connection& c) {
    out = detail::ReadChanges(c, *d, since_seq, limit);
    return Status::Ok();
  }));
  return out;
}

}  // namespace govshare::store::pg
