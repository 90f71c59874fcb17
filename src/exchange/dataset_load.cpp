// Aggregation (Art. 12, 全量归集) on SQLite: the staging table and swap of a snapshot load (ADR 0008) and the row
// writes of a batch. The rules of both are shared with the other backends (dataset_backend.hpp).
#include <fmt/format.h>

#include <chrono>
#include <optional>

#include "exchange/dataset_backend.hpp"
#include "exchange/dataset_store_sqlite.hpp"
#include "store/sqlite/database.hpp"

namespace govshare::exchange {

using common::Result;
using common::Status;
using store::sqlite::Connection;
using store::sqlite::SqliteError;
using store::sqlite::Statement;

namespace {

std::string KeyExpr(const Dataset& d, std::string_view prefix) {
  if (d.key.size() == 1) return fmt::format("{}{}", prefix, d.columns[d.key[0]].sql_name());
  return fmt::format("json_array({})", detail::Cols(d, d.key, prefix));
}

std::string RegionExpr(const Dataset& d, std::string_view prefix) {
  return d.region_column ? fmt::format("{}{}", prefix, d.columns[*d.region_column].sql_name()) : "NULL";
}

std::string KeyWhere(const Dataset& d) {
  std::string out;
  for (std::size_t i = 0; i < d.key.size(); ++i) {
    out += fmt::format("{}{} = ?{}", i ? " AND " : "", d.columns[d.key[i]].sql_name(), i + 1);
  }
  return out;
}

void BindKey(Statement& st, const Dataset& d, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < d.key.size(); ++i) {
    const auto k = static_cast<std::size_t>(d.key[i]);
    detail::BindValue(st, static_cast<int>(i) + 1, d.columns[k], cells[k]);
  }
}

/// A snapshot staged in d<id>_stage (a keyed table: a duplicate key is refused as it is inserted), swapped in by DROP
/// and RENAME in the load's transaction.
class SqliteSnapshot final : public detail::SnapshotTargetOn<Connection> {
 public:
  SqliteSnapshot(Connection& c, const Dataset& d, const std::string& actor, UnixSeconds now)
      : SnapshotTargetOn(c, d, actor, now), stage_(d.table() + "_stage") {
    for (std::size_t i = 0; i < d.columns.size(); ++i) all_.push_back(static_cast<int>(i));
    c_.Exec(fmt::format("DROP TABLE IF EXISTS {}", stage_));
    c_.Exec(detail::CreateTableSql(d, stage_));
    std::string placeholders;
    for (std::size_t i = 0; i < d.columns.size(); ++i) placeholders += i ? ",?" : "?";
    // Prepared once for the whole file: a row costs its bindings and one step.
    insert_.emplace(
        c_.Prepare(fmt::format("INSERT INTO {} ({}) VALUES ({})", stage_, detail::Cols(d, all_), placeholders)));
  }

  bool Stage(const detail::Record& r) override {
    Statement& insert = *insert_;
    for (std::size_t i = 0; i < d_.columns.size(); ++i) {
      detail::BindValue(insert, static_cast<int>(i) + 1, d_.columns[i], r.cells[i]);
    }
    try {
      insert.Step();
      insert.Reset();
      return true;
    } catch (const SqliteError& e) {
      insert.Reset();
      if (!e.IsConstraint()) throw;
      return false;
    }
  }

  std::vector<detail::Record> TakeDuplicates() override { return {}; }  // refused by Stage

  std::int64_t Keep(const std::vector<std::vector<std::string>>& keys) override {
    std::int64_t kept = 0;
    for (const auto& key : keys) {
      auto copy = c_.Prepare(
          fmt::format("INSERT OR IGNORE INTO {} SELECT * FROM {} WHERE {}", stage_, d_.table(), KeyWhere(d_)));
      for (std::size_t i = 0; i < key.size(); ++i) {
        detail::BindValue(copy, static_cast<int>(i) + 1, d_.columns[static_cast<std::size_t>(d_.key[i])], key[i]);
      }
      copy.Run();
      kept += c_.Changes();
    }
    return kept;
  }

  void Replace(std::int64_t /*first_seq: INTEGER PRIMARY KEY numbers the feed on*/, LoadReport& report) override {
    const Dataset& d = d_;
    std::vector<int> retired;
    for (std::size_t i = 0; i < d.columns.size(); ++i) {
      if (d.columns[i].retired()) retired.push_back(static_cast<int>(i));
    }
    if (!retired.empty()) {  // retired columns are not in new files: carry their values over (never drop data)
      std::string set;
      for (int i : retired) {
        const auto name = d.columns[static_cast<std::size_t>(i)].sql_name();
        set += fmt::format("{}{} = m.{}", set.empty() ? "" : ", ", name, name);
      }
      c_.Exec(fmt::format("UPDATE {} AS s SET {} FROM {} AS m WHERE {}", stage_, set, d.table(),
                          detail::KeyEquals(d, "m", "s")));
    }
    // The change feed gets the net effect: new keys, changed rows, vanished keys.
    const std::string feed = fmt::format("INSERT INTO {}(op, key, region, at) ", d.changes_table());
    const std::string s_keys = detail::Cols(d, d.key, "s.");
    auto inserted = c_.Prepare(fmt::format(
        "{} SELECT 0, {}, {}, ? FROM {} AS s WHERE NOT EXISTS (SELECT 1 FROM {} AS m "
        "WHERE {}) ORDER BY {}",
        feed, KeyExpr(d, "s."), RegionExpr(d, "s."), stage_, d.table(), detail::KeyEquals(d, "m", "s"), s_keys));
    inserted.Bind(1, now_).Run();
    report.inserted = c_.Changes();
    std::string same;
    for (int i : all_) {
      const auto name = d.columns[static_cast<std::size_t>(i)].sql_name();
      same += fmt::format("{}s.{} IS m.{}", same.empty() ? "" : " AND ", name, name);
    }
    auto updated = c_.Prepare(fmt::format(
        "{} SELECT 0, {}, {}, ? FROM {} AS s JOIN {} AS m ON {} WHERE NOT ({}) ORDER BY {}", feed, KeyExpr(d, "s."),
        RegionExpr(d, "s."), stage_, d.table(), detail::KeyEquals(d, "m", "s"), same, s_keys));
    updated.Bind(1, now_).Run();
    report.updated = c_.Changes();
    auto deleted =
        c_.Prepare(fmt::format("{} SELECT 1, {}, {}, ? FROM {} AS m WHERE NOT EXISTS (SELECT 1 FROM {} AS s "
                               "WHERE {}) ORDER BY {}",
                               feed, KeyExpr(d, "m."), RegionExpr(d, "m."), d.table(), stage_,
                               detail::KeyEquals(d, "m", "s"), detail::Cols(d, d.key, "m.")));
    deleted.Bind(1, now_).Run();
    report.deleted = c_.Changes();
    // The swap: within this transaction, so readers and a crash see either the old table or the new one.
    c_.Exec(fmt::format("DROP TABLE {}", d.table()));
    c_.Exec(fmt::format("ALTER TABLE {} RENAME TO {}", stage_, d.table()));
    if (d.region_column) {
      c_.Exec(fmt::format("CREATE INDEX {}_region ON {}({})", d.table(), d.table(),
                          d.columns[static_cast<std::size_t>(*d.region_column)].sql_name()));
    }
  }

 private:
  const std::string stage_;
  std::vector<int> all_;
  std::optional<Statement> insert_;
};

/// A batch's row writes on the live table: INSERT ... ON CONFLICT DO UPDATE of the active columns.
class SqliteBatch final : public detail::BatchTargetOn<Connection> {
 public:
  SqliteBatch(Connection& c, const Dataset& d, const std::string& actor, UnixSeconds now)
      : BatchTargetOn(c, d, actor, now) {
    std::string placeholders, update, differs;
    for (std::size_t i = 0; i < active_.size(); ++i) {
      placeholders += i ? ",?" : "?";
      const auto& col = d.columns[static_cast<std::size_t>(active_[i])];
      if (col.key_order > 0) continue;
      const auto name = col.sql_name();
      update += fmt::format("{}{} = excluded.{}", update.empty() ? "" : ", ", name, name);
      differs += fmt::format("{}{} IS NOT excluded.{}", differs.empty() ? "" : " OR ", name, name);
    }
    const std::string keys = detail::KeyList(d);
    const std::string cols = detail::Cols(d, active_);
    upsert_sql_ = update.empty()
                      ? fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT({}) DO NOTHING", d.table(), cols,
                                    placeholders, keys)
                      : fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT({}) DO UPDATE SET {} WHERE {}",
                                    d.table(), cols, placeholders, keys, update, differs);
    exists_sql_ = fmt::format("SELECT 1 FROM {} WHERE {}", d.table(), KeyWhere(d));
    delete_sql_ = fmt::format("DELETE FROM {} WHERE {} RETURNING {}", d.table(), KeyWhere(d), RegionExpr(d, ""));
  }

  Upserted Upsert(const detail::Record& r) override {
    auto exists = c_.Prepare(exists_sql_);
    BindKey(exists, d_, r.cells);
    const bool existed = exists.Step();
    auto up = c_.Prepare(upsert_sql_);
    for (std::size_t i = 0; i < active_.size(); ++i) {
      const auto col = static_cast<std::size_t>(active_[i]);
      detail::BindValue(up, static_cast<int>(i) + 1, d_.columns[col], r.cells[col]);
    }
    up.Run();
    if (c_.Changes() == 0) return Upserted::kUnchanged;
    return existed ? Upserted::kUpdated : Upserted::kInserted;
  }

  std::optional<std::string> Delete(const detail::Record& r) override {
    auto del = c_.Prepare(delete_sql_);
    BindKey(del, d_, r.cells);
    if (!del.Step()) return std::nullopt;
    std::string region = del.IsNull(0) ? std::string() : del.Text(0);
    del.Reset();
    return region;
  }

 private:
  std::string upsert_sql_, exists_sql_, delete_sql_;
};

}  // namespace

Result<LoadReport> SqliteDatasetStore::LoadSnapshot(std::int64_t id, const common::ByteSource& source,
                                                    const LoadOptions& options, const ValidationRules& rules) {
  auto job = detail::LoadJob::Snapshot(registry_, id, source, options, rules, clock_.Now());
  if (!job.ok()) return job.status();
  detail::LoadJob& j = *job.value();
  auto status = db_->Write([&](Connection& c) -> Status {
    j.Begin();
    GOVSHARE_RETURN_IF_ERROR(detail::SameSchema(c, j.dataset()));
    SqliteSnapshot target(c, j.dataset(), options.actor, j.now());
    return j.RunSnapshot(options.mode, target);
  });
  return j.Finish(status, registry_);
}

Result<LoadReport> SqliteDatasetStore::ApplyBatch(std::int64_t id, const Batch& batch, LoadMode mode,
                                                  const std::string& idempotency_key, const std::string& body_sha256,
                                                  const ValidationRules& rules, const std::string& actor) {
  auto job = detail::LoadJob::ForBatch(registry_, id, batch, rules, clock_.Now());
  if (!job.ok()) return job.status();
  detail::LoadJob& j = *job.value();
  auto status = db_->Write([&](Connection& c) -> Status {
    j.Begin();
    GOVSHARE_RETURN_IF_ERROR(detail::SameSchema(c, j.dataset()));
    SqliteBatch target(c, j.dataset(), actor, j.now());
    return j.RunBatch(batch, mode, idempotency_key, body_sha256, target);
  });
  return j.Finish(status, registry_);
}

}  // namespace govshare::exchange
