#include "audit/audit_store_sqlite.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

namespace govshare::audit::detail {

using common::Result;
using common::Status;
using store::sqlite::Connection;

namespace {

/// 4 KiB pages for a new audit.db (SQLite's default). Audited calls arrive a few dozen per commit and each waits for
/// its commit, so what counts is the bytes each commit writes and syncs: the last, partly filled page of the records
/// and of each index is written again at every commit, four times the bytes with 16 KiB pages. On the HTTP lookup
/// path 4 KiB pages gave about 5 % more requests per second at less CPU per request (docs/BENCHMARKS.md); 16 KiB only
/// wins for batches of thousands, which a closed loop of callers never forms. A file created with another page size
/// keeps it.
constexpr int kPageSize = 4096;

/// The schema version from which records hold their bytes and leaf hash as BLOBs (before: lower-case hex TEXT).
constexpr std::int64_t kBlobSchemaVersion = 2;

/// Migration 2's copy: every row of records_hex into records, with the hex record bytes and leaf hash as BLOBs. A value
/// that is not hex (a damaged or tampered row) is copied as it is, so that `audit verify` still names it.
void CopyHexRecordsAsBlobs(Connection& c) {
  auto read = c.Prepare(
      "SELECT leaf_index, time_us, actor_id, department_id, action, decision, grant_id, encoded, leaf_hash FROM "
      "records_hex ORDER BY leaf_index");
  auto insert = c.Prepare(
      "INSERT INTO records(leaf_index, time_us, actor_id, department_id, action, decision, grant_id, encoded, "
      "leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  while (read.Step()) {
    const std::string encoded = read.Text(7);
    const std::string leaf = read.Text(8);
    insert.Bind(1, read.Int(0))
        .Bind(2, read.Int(1))
        .Bind(3, read.Int(2))
        .Bind(4, read.Int(3))
        .Bind(5, read.Text(4))
        .Bind(6, read.Text(5))
        .Bind(7, read.Text(6))
        .BindBlob(8, HexToBytes(encoded).value_or(encoded))
        .BindBlob(9, HexToBytes(leaf).value_or(leaf))
        .Run();
    insert.Reset();
  }
}

const std::vector<store::sqlite::Migration>& AuditMigrations() {
  static const std::vector<store::sqlite::Migration> migrations = {
      {1, "audit log", R"SQL(
CREATE TABLE records (
  leaf_index    INTEGER PRIMARY KEY,
  time_us       INTEGER NOT NULL,
  actor_id      INTEGER NOT NULL,
  department_id INTEGER NOT NULL,
  action        TEXT NOT NULL,
  decision      TEXT NOT NULL,
  grant_id      TEXT NOT NULL,
  encoded       TEXT NOT NULL,
  leaf_hash     TEXT NOT NULL
);
CREATE INDEX records_time ON records(time_us);
CREATE INDEX records_actor ON records(actor_id);
CREATE TABLE tree_heads (
  tree_size    INTEGER PRIMARY KEY,
  root         TEXT NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  signature    TEXT NOT NULL
);
-- Append-only: the platform never updates or deletes a record or a head.
CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER heads_no_update BEFORE UPDATE ON tree_heads BEGIN SELECT RAISE(ABORT, 'tree heads are append-only'); END;
CREATE TRIGGER heads_no_delete BEFORE DELETE ON tree_heads BEGIN SELECT RAISE(ABORT, 'tree heads are append-only'); END;
)SQL"},
      // The record bytes and leaf hash as BLOBs instead of hex TEXT: half the bytes to write, copy and checkpoint per
      // append, and no hex encoding on the hot path. The rows are copied over unchanged in content (hex decoded), so
      // every leaf hash, tree head and receipt stays valid.
      {2, "audit records as blobs", R"SQL(
DROP TRIGGER records_no_update;
DROP TRIGGER records_no_delete;
ALTER TABLE records RENAME TO records_hex;
CREATE TABLE records (
  leaf_index    INTEGER PRIMARY KEY,
  time_us       INTEGER NOT NULL,
  actor_id      INTEGER NOT NULL,
  department_id INTEGER NOT NULL,
  action        TEXT NOT NULL,
  decision      TEXT NOT NULL,
  grant_id      TEXT NOT NULL,
  encoded       BLOB NOT NULL,
  leaf_hash     BLOB NOT NULL
);
)SQL",
       [](Connection& c) {
         CopyHexRecordsAsBlobs(c);
         c.Exec(R"SQL(
DROP TABLE records_hex;
CREATE INDEX records_time ON records(time_us);
CREATE INDEX records_actor ON records(actor_id);
CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
)SQL");
       }},
      // Data calls per day for the dashboard, kept with the records in the same transaction, so that the chart reads
      // a row per day instead of scanning every record of the period. Derived data: not part of the tree, and
      // recomputed from the records here for a log that predates it.
      {3, "data calls per day", R"SQL(
CREATE TABLE data_calls_per_day (
  day     INTEGER PRIMARY KEY,  -- days since 1970-01-01 at +08:00
  allowed INTEGER NOT NULL,
  denied  INTEGER NOT NULL
);
INSERT INTO data_calls_per_day(day, allowed, denied)
  SELECT (time_us + 28800000000) / 86400000000 AS d, SUM(decision = 'allow'), SUM(decision = 'deny') FROM records
  WHERE action LIKE '% /api/v1/data/%' AND decision IN ('allow', 'deny') GROUP BY d;
)SQL"},
  };
  return migrations;
}

Result<StoredRecord> ReadStored(const store::sqlite::Statement& s) {
  return ToStoredRecord(static_cast<std::uint64_t>(s.Int(0)), s.Blob(1), s.Blob(2));
}

}  // namespace

Result<std::unique_ptr<SqliteAuditStore>> SqliteAuditStore::Open(const std::string& path) {
  store::sqlite::Database::Options options;
  options.path = path;
  options.page_size = kPageSize;
  auto db = store::sqlite::Database::Open(options, AuditMigrations());
  if (!db.ok()) return db.status();
  return std::unique_ptr<SqliteAuditStore>(new SqliteAuditStore(std::move(db.value())));
}

void SqliteAuditStore::WriteBatchAsync(TakeBatch take, BatchDone done) {
  db_->WriteAsync([this, take = std::move(take)](Connection& c) { return Insert(c, take()); },
                  [this, done = std::move(done)](const Status& written) {
                    if (!written.ok()) {
                      done(written);
                      return;
                    }
                    done(CommittedBatch{Leaves{first_, {}}, first_});
                  });
}

Status SqliteAuditStore::Insert(Connection& c, const Batch& batch) {
  const std::uint64_t first = batch.known_size;
  first_ = first;
  {
    // Once per batch, not per record: the file must end exactly where the tree ends, so that the counter can never
    // reuse or skip an index, even after a commit whose outcome the process could not know.
    auto end = c.Prepare("SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM records");
    end.Step();
    if (static_cast<std::uint64_t>(end.Int(0)) != first) {
      spdlog::error("audit.db ends at {} but the tree at {}: refusing every append until a restart rebuilds the tree",
                    end.Int(0), first);
      out_of_step_ = true;
      return Status::Internal("the audit store is out of step with its tree");
    }
  }
  // One statement for the whole batch; the values are bound without copying (the batch outlives the statement).
  auto insert = c.Prepare(
      "INSERT INTO records(leaf_index, time_us, actor_id, department_id, action, decision, grant_id, encoded, "
      "leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (std::size_t i = 0; i < batch.records.size(); ++i) {
    const PendingRecord& r = batch.records[i];
    insert.Bind(1, static_cast<std::int64_t>(first + i))
        .Bind(2, r.time_us)
        .Bind(3, r.actor_id)
        .Bind(4, r.department_id)
        .BindTextNoCopy(5, r.action)
        .BindTextNoCopy(6, r.decision)
        .BindTextNoCopy(7, r.grant_id)
        .BindBlobNoCopy(8, r.encoded)
        .BindBlobNoCopy(9, View(r.leaf))
        .Run();
    insert.Reset();
  }
  for (const DayCount& d : CountDataCalls(batch.records)) {
    c.Prepare(
         "INSERT INTO data_calls_per_day(day, allowed, denied) VALUES (?, ?, ?) ON CONFLICT(day) DO UPDATE SET "
         "allowed = allowed + excluded.allowed, denied = denied + excluded.denied")
        .Bind(1, d.day)
        .Bind(2, d.allowed)
        .Bind(3, d.denied)
        .Run();
  }
  return Status::Ok();
}

Status SqliteAuditStore::WriteHead(std::uint64_t known_size, const MakeHead& make) {
  return db_->Write([&](Connection& c) {
    // The writer is this file's only one: the tree already holds every leaf of the file.
    auto latest = c.Prepare("SELECT COALESCE(MAX(tree_size), 0) FROM tree_heads");
    latest.Step();
    const auto head = make(Leaves{known_size, {}}, static_cast<std::uint64_t>(latest.Int(0)));
    if (!head) return Status::Ok();
    c.Prepare("INSERT OR IGNORE INTO tree_heads(tree_size, root, timestamp_ms, signature) VALUES (?, ?, ?, ?)")
        .Bind(1, static_cast<std::int64_t>(head->tree_size))
        .Bind(2, ToHex(head->root))
        .Bind(3, head->timestamp_ms)
        .Bind(4, head->signature_hex)
        .Run();
    return Status::Ok();
  });
}

Result<Leaves> SqliteAuditStore::ReadLeaves(std::uint64_t from) {
  Leaves out{from, {}};
  GOVSHARE_RETURN_IF_ERROR(db_->Read([&](Connection& c) {
    auto s = c.Prepare("SELECT leaf_index, leaf_hash FROM records WHERE leaf_index >= ? ORDER BY leaf_index");
    s.Bind(1, static_cast<std::int64_t>(from));
    while (s.Step()) {
      auto h = HashFromBytes(s.Blob(1));
      if (!h || static_cast<std::uint64_t>(s.Int(0)) != from + out.hashes.size()) {
        return Status::Unavailable("audit_inconsistent", "the audit log is damaged: run govshare audit verify");
      }
      out.hashes.push_back(*h);
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::optional<SignedTreeHead>> SqliteAuditStore::ReadLatestHead() {
  std::optional<SignedTreeHead> out;
  GOVSHARE_RETURN_IF_ERROR(db_->Read([&](Connection& c) {
    auto head =
        c.Prepare("SELECT tree_size, root, timestamp_ms, signature FROM tree_heads ORDER BY tree_size DESC LIMIT 1");
    if (head.Step()) {
      auto root = FromHex(head.Text(1));
      if (root.ok()) {
        out = SignedTreeHead{static_cast<std::uint64_t>(head.Int(0)), root.value(), head.Int(2), head.Text(3)};
      }
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::optional<StoredRecord>> SqliteAuditStore::Get(std::uint64_t leaf_index) {
  std::optional<StoredRecord> out;
  GOVSHARE_RETURN_IF_ERROR(db_->Read([&](Connection& c) {
    auto s = c.Prepare("SELECT leaf_index, encoded, leaf_hash FROM records WHERE leaf_index = ?");
    s.Bind(1, static_cast<std::int64_t>(leaf_index));
    if (!s.Step()) return Status::Ok();
    auto r = ReadStored(s);
    if (!r.ok()) return r.status();
    out = std::move(r.value());
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<StoredRecord>> SqliteAuditStore::List(const RecordFilter& f, std::uint64_t after, int limit) {
  std::vector<StoredRecord> out;
  GOVSHARE_RETURN_IF_ERROR(db_->Read([&](Connection& c) {
    // Built once: the statement cache is keyed by the SQL text.
    static const std::string kFilters =
        "(?2 IS NULL OR time_us >= ?2) AND (?3 IS NULL OR time_us <= ?3) AND (?4 IS NULL OR actor_id = ?4) "
        "AND (?5 IS NULL OR department_id = ?5) AND (?6 IS NULL OR action = ?6) AND (?7 IS NULL OR decision = ?7) "
        "AND (?8 IS NULL OR grant_id = ?8)";
    static const std::string kOldestFirst =
        "SELECT leaf_index, encoded, leaf_hash FROM records WHERE leaf_index >= ?1 AND " + kFilters +
        " ORDER BY leaf_index LIMIT ?9";
    static const std::string kNewestFirst =
        "SELECT leaf_index, encoded, leaf_hash FROM records WHERE leaf_index <= ?1 AND " + kFilters +
        " ORDER BY leaf_index DESC LIMIT ?9";
    auto s = c.Prepare(f.newest_first ? kNewestFirst : kOldestFirst);
    BindListParameters(s, f, after, limit);
    while (s.Step()) {
      auto r = ReadStored(s);
      if (!r.ok()) return r.status();
      out.push_back(std::move(r.value()));
    }
    return Status::Ok();
  }));
  return out;
}

Status SqliteAuditStore::ReadDataCalls(std::int64_t first_day, std::int64_t last_day,
                                       const std::function<void(std::int64_t, std::int64_t, std::int64_t)>& row) {
  return db_->Read([&](Connection& c) {
    auto s = c.Prepare("SELECT day, allowed, denied FROM data_calls_per_day WHERE day BETWEEN ? AND ?");
    s.Bind(1, first_day).Bind(2, last_day);
    while (s.Step()) row(s.Int(0), s.Int(1), s.Int(2));
    return Status::Ok();
  });
}

Status SqliteAuditStore::Verify(const std::string& path, LogChecker& checker) {
  try {
    Connection c(path, Connection::Mode::kReadOnly, 5000);
    // Verify only reads: a file that no binary has migrated yet (schema 1) still has the bytes as hex text.
    auto version = c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    const bool hex = version.Step() && version.Int(0) < kBlobSchemaVersion;
    auto s = c.Prepare("SELECT leaf_index, encoded, leaf_hash FROM records ORDER BY leaf_index");
    while (s.Step()) {
      auto bytes = hex ? HexToBytes(s.Text(1)) : std::optional<std::string>(s.Blob(1));
      const auto stored = hex ? HexToBytes(s.Text(2)) : std::optional<std::string>(s.Blob(2));
      GOVSHARE_RETURN_IF_ERROR(checker.AddRecord(static_cast<std::uint64_t>(s.Int(0)), bytes, stored));
    }
    checker.EndRecords();
    auto heads = c.Prepare("SELECT tree_size, root, timestamp_ms, signature FROM tree_heads ORDER BY tree_size");
    while (heads.Step()) {
      GOVSHARE_RETURN_IF_ERROR(
          checker.CheckHead(static_cast<std::uint64_t>(heads.Int(0)), heads.Text(1), heads.Int(2), heads.Text(3)));
    }
  } catch (const store::sqlite::SqliteError& e) {
    return checker.Fail(fmt::format("cannot read the audit database: {}", e.what()));
  }
  return checker.Finish();
}

}  // namespace govshare::audit::detail
