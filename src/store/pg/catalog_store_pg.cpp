#include "store/pg/catalog_store_pg.hpp"

#include "store/catalog_rows.hpp"

namespace govshare::store::pg {

using common::Result;
using common::Status;
using namespace govshare::catalog;  // NOLINT(google-build-using-namespace): the implementation file of the store

namespace {

/// Stored data that cannot be read (SQLSTATE XX001, data_corrupted): Database::Read reports a storage failure.
[[noreturn]] void Corrupt(const std::string& what) { throw PgError("XX001", what); }

Version ReadStoredVersion(const Statement& s) { return ReadVersion(s, Corrupt); }

void UpsertVersion(Connection& c, const Version& v) {
  auto s = c.Prepare(std::string("INSERT INTO catalog_versions(") + kVersionColumns +
                     ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)" + kVersionUpsertSet);
  BindVersion(s, v);
  s.Run();
}

}  // namespace

Status PgCatalogStore::InWrite(store::Transaction* tx, const Database::WriteJob& job) {
  // Inside a transaction, a PgError propagates to the enclosing write job, which converts it and rolls back.
  if (tx != nullptr) return job(static_cast<PgTransaction*>(tx)->connection);
  return db_.Write(job);
}

Result<std::vector<DataElement>> PgCatalogStore::ListElements() {
  // COLLATE "C": ids in byte order whatever the database's collation, as in SQLite.
  return SelectRows<DataElement>(
      db_, std::string("SELECT ") + kElementColumns + " FROM data_elements ORDER BY id COLLATE \"C\"",
      [](Statement&) {}, ReadElement<Statement>);
}

Status PgCatalogStore::PutElement(const DataElement& e, std::int64_t expected_version) {
  return db_.Write([&](Connection& c) {
    if (expected_version == 0) {
      auto insert = c.Prepare(std::string("INSERT INTO data_elements(") + kElementColumns +
                              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11)");
      BindNewElement(insert, e);
      insert.Run();
      return Status::Ok();
    }
    auto update = c.Prepare(
        "UPDATE data_elements SET name = $1, definition = $2, data_type = $3, representation = $4, value_domain = $5, "
        "validation = $6, personal = $7, default_level = $8, default_mask = $9, updated_at = $10, "
        "version = version + 1 WHERE id = $11 AND version = $12");
    BindChangedElement(update, e, expected_version);
    update.Run();
    return update.Changes() == 1 ? Status::Ok() : CatalogVersionConflict();
  });
}

Result<std::vector<ThemeDatabase>> PgCatalogStore::ListDatabases() {
  return SelectRows<ThemeDatabase>(
      db_,
      std::string("SELECT ") + kThemeDatabaseColumns +
          " FROM theme_databases ORDER BY kind COLLATE \"C\", code COLLATE \"C\"",
      [](Statement&) {}, ReadThemeDatabase<Statement>);
}

Status PgCatalogStore::PutDatabase(const ThemeDatabase& d) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(std::string("INSERT INTO theme_databases(") + kThemeDatabaseColumns +
                       ") VALUES ($1, $2, $3, $4, $5) ON CONFLICT(code) DO UPDATE SET name = excluded.name, "
                       "kind = excluded.kind, keeper_department_id = excluded.keeper_department_id, "
                       "description = excluded.description");
    BindThemeDatabase(s, d);
    s.Run();
    return Status::Ok();
  });
}

Status PgCatalogStore::CreateEntries(std::vector<EntryWrite>& writes) {
  // A transaction PostgreSQL runs again starts from the writes as given, not from the codes and ids a rolled-back run
  // set (a code taken from a sequence that rolled back could be another entry's by then).
  const std::vector<EntryWrite> requested = writes;
  return db_.Write([&](Connection& c) {
    writes = requested;
    for (auto& w : writes) {
      auto& e = w.entry;
      if (e.resource_code.empty()) {
        const std::string classification = w.versions.front().content.classification;
        auto seq = c.Prepare(
            "INSERT INTO catalog_sequences(classification, last_value) VALUES ($1, 1) ON CONFLICT(classification) DO "
            "UPDATE SET last_value = catalog_sequences.last_value + 1 RETURNING last_value");
        seq.Bind(1, classification);
        seq.Step();
        e.resource_code = ResourceCode(classification, seq.Int(0));
      }
      auto insert = c.Prepare(fmt::format(
          "INSERT INTO catalog_entries({}, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1) "
          "RETURNING id",
          kNewEntryColumns));
      BindNewEntry(insert, w);
      insert.Step();
      e.id = insert.Int(0);
      e.version = 1;
      for (auto& v : w.versions) {
        v.entry_id = e.id;
        UpsertVersion(c, v);
      }
    }
    return Status::Ok();
  });
}

Status PgCatalogStore::WriteEntry(store::Transaction* tx, const EntryWrite& w) {
  return InWrite(tx, [&](Connection& c) {
    auto update = c.Prepare(
        "UPDATE catalog_entries SET name = COALESCE(NULLIF($1, ''), name), published_version = $2, "
        "working_version = $3, withdrawn = $4, on_negative_list = $5, open_case_id = $6, open_case_type = $7, "
        "updated_at = $8, version = version + 1 WHERE id = $9 AND version = $10");
    BindChangedEntry(update, w);
    update.Run();
    if (update.Changes() != 1) return CatalogVersionConflict();
    for (const auto& v : w.versions) UpsertVersion(c, v);
    for (int number : w.drop_versions) {
      c.Prepare("DELETE FROM catalog_versions WHERE entry_id = $1 AND number = $2")
          .Bind(1, w.entry.id)
          .Bind(2, number)
          .Run();
    }
    return Status::Ok();
  });
}

Result<std::optional<Entry>> PgCatalogStore::GetEntry(std::int64_t id) {
  return SelectRow<Entry>(
      db_, std::string("SELECT ") + kEntryColumns + kEntryFrom + " WHERE e.id = $1",
      [&](Statement& s) { s.Bind(1, id); }, ReadEntry<Statement>);
}

Result<std::int64_t> PgCatalogStore::NewestEntryId() {
  auto newest = SelectRow<std::int64_t>(
      db_, "SELECT COALESCE(MAX(id), 0) FROM catalog_entries", [](Statement&) {},
      [](const Statement& s) { return s.Int(0); });
  if (!newest.ok()) return newest.status();
  return newest->value_or(0);
}

Result<std::vector<Version>> PgCatalogStore::ListVersions(std::int64_t entry_id) {
  return SelectRows<Version>(
      db_, std::string("SELECT ") + kVersionColumns + " FROM catalog_versions WHERE entry_id = $1 ORDER BY number",
      [&](Statement& s) { s.Bind(1, entry_id); }, ReadStoredVersion);
}

Result<std::optional<Version>> PgCatalogStore::GetVersion(std::int64_t entry_id, int number) {
  return SelectRow<Version>(
      db_, std::string("SELECT ") + kVersionColumns + " FROM catalog_versions WHERE entry_id = $1 AND number = $2",
      [&](Statement& s) { s.Bind(1, entry_id).Bind(2, number); }, ReadStoredVersion);
}

Status PgCatalogStore::ForEachEntry(const EntryVisitor& visit) {
  return db_.Read([&](Connection& c) {
    // Both queries read one snapshot, as SQLite's read transaction does.
    c.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
      auto entries = c.Prepare(AllEntriesSql());
      auto versions = c.Prepare(CurrentVersionsSql());
      VisitEntries(entries, versions, visit, Corrupt);
    } catch (...) {
      if (c.healthy()) c.Exec("ROLLBACK");  // the connection goes back to the pool outside any transaction
      throw;
    }
    c.Exec("COMMIT");
    return Status::Ok();
  });
}

Status PgCatalogStore::PutNegativeListItem(store::Transaction* tx, NegativeListItem& n) {
  // Decided once, before the job: a serialization failure runs the job again, and n.id is set by then.
  const bool insert = n.id == 0;
  return InWrite(tx, [&](Connection& c) {
    if (insert) {
      auto s = c.Prepare(std::string("INSERT INTO negative_list(") + kNewNegativeColumns +
                         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id");
      BindNewNegative(s, n);
      s.Step();
      n.id = s.Int(0);
      return Status::Ok();
    }
    auto s = c.Prepare("UPDATE negative_list SET status = $1, case_id = $2, decided_at = $3 WHERE id = $4");
    BindDecidedNegative(s, n);
    s.Run();
    return Status::Ok();
  });
}

Result<std::vector<NegativeListItem>> PgCatalogStore::ListNegativeList(std::optional<std::int64_t> entry_id) {
  return SelectRows<NegativeListItem>(
      db_,
      std::string("SELECT ") + kNegativeColumns +
          " FROM negative_list WHERE $1::bigint IS NULL OR entry_id = $1 ORDER BY id",
      [&](Statement& s) { s.Bind(1, entry_id); }, ReadNegative<Statement>);
}

Result<std::optional<NegativeListItem>> PgCatalogStore::GetNegativeListItem(std::int64_t id) {
  return SelectRow<NegativeListItem>(
      db_, std::string("SELECT ") + kNegativeColumns + " FROM negative_list WHERE id = $1",
      [&](Statement& s) { s.Bind(1, id); }, ReadNegative<Statement>);
}

Status PgCatalogStore::PutFinding(store::Transaction* tx, Finding& f) {
  // Decided once, before the job: a serialization failure runs the job again, and f.id is set by then.
  const bool insert = f.id == 0;
  return InWrite(tx, [&](Connection& c) {
    if (insert) {
      auto known = c.Prepare("SELECT id FROM catalog_findings WHERE fingerprint = $1");
      known.Bind(1, f.fingerprint);
      if (known.Step()) {
        f.id = known.Int(0);
        return Status::Ok();
      }
      auto s = c.Prepare(std::string("INSERT INTO catalog_findings(") + kNewFindingColumns +
                         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id");
      BindNewFinding(s, f);
      s.Step();
      f.id = s.Int(0);
      return Status::Ok();
    }
    auto s = c.Prepare(
        "UPDATE catalog_findings SET status = $1, resolution = $2, case_id = $3, decided_at = $4 WHERE id = $5");
    BindDecidedFinding(s, f);
    s.Run();
    return Status::Ok();
  });
}

Result<std::vector<Finding>> PgCatalogStore::ListFindings() {
  return SelectRows<Finding>(
      db_, std::string("SELECT ") + kFindingColumns + " FROM catalog_findings ORDER BY id", [](Statement&) {},
      ReadFinding<Statement>);
}

Result<std::optional<Finding>> PgCatalogStore::GetFinding(std::int64_t id) {
  return SelectRow<Finding>(
      db_, std::string("SELECT ") + kFindingColumns + " FROM catalog_findings WHERE id = $1",
      [&](Statement& s) { s.Bind(1, id); }, ReadFinding<Statement>);
}

}  // namespace govshare::store::pg
