#include "store/sqlite/catalog_store_sqlite.hpp"

#include "store/catalog_rows.hpp"

namespace govshare::store::sqlite {

using common::Result;
using common::Status;
using namespace govshare::catalog;  // NOLINT(google-build-using-namespace): the implementation file of the store

namespace {

/// Stored data that cannot be read: Database::Read reports a storage failure.
[[noreturn]] void Corrupt(const std::string& what) { throw SqliteError(0, what); }

Version ReadStoredVersion(const Statement& s) { return ReadVersion(s, Corrupt); }

void UpsertVersion(Connection& c, const Version& v) {
  auto s = c.Prepare(std::string("INSERT INTO catalog_versions(") + kVersionColumns +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + kVersionUpsertSet);
  BindVersion(s, v);
  s.Run();
}

}  // namespace

Status SqliteCatalogStore::InWrite(store::Transaction* tx, const Database::WriteJob& job) {
  // Inside a transaction, a SqliteError propagates to the enclosing write job, which converts it and rolls back.
  if (tx != nullptr) return job(static_cast<SqliteTransaction*>(tx)->connection);
  return db_.Write(job);
}

Result<std::vector<DataElement>> SqliteCatalogStore::ListElements() {
  return SelectRows<DataElement>(
      db_, std::string("SELECT ") + kElementColumns + " FROM data_elements ORDER BY id", [](Statement&) {},
      ReadElement<Statement>);
}

Status SqliteCatalogStore::PutElement(const DataElement& e, std::int64_t expected_version) {
  return db_.Write([&](Connection& c) {
    if (expected_version == 0) {
      auto insert = c.Prepare(std::string("INSERT INTO data_elements(") + kElementColumns +
                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)");
      BindNewElement(insert, e);
      insert.Run();
      return Status::Ok();
    }
    auto update = c.Prepare(
        "UPDATE data_elements SET name = ?, definition = ?, data_type = ?, representation = ?, value_domain = ?, "
        "validation = ?, personal = ?, default_level = ?, default_mask = ?, updated_at = ?, version = version + 1 "
        "WHERE id = ? AND version = ?");
    BindChangedElement(update, e, expected_version);
    update.Run();
    return c.Changes() == 1 ? Status::Ok() : CatalogVersionConflict();
  });
}

Result<std::vector<ThemeDatabase>> SqliteCatalogStore::ListDatabases() {
  return SelectRows<ThemeDatabase>(
      db_, std::string("SELECT ") + kThemeDatabaseColumns + " FROM theme_databases ORDER BY kind, code",
      [](Statement&) {}, ReadThemeDatabase<Statement>);
}

Status SqliteCatalogStore::PutDatabase(const ThemeDatabase& d) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(std::string("INSERT INTO theme_databases(") + kThemeDatabaseColumns +
                       ") VALUES (?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET name = excluded.name, "
                       "kind = excluded.kind, keeper_department_id = excluded.keeper_department_id, "
                       "description = excluded.description");
    BindThemeDatabase(s, d);
    s.Run();
    return Status::Ok();
  });
}

Status SqliteCatalogStore::CreateEntries(std::vector<EntryWrite>& writes) {
  return db_.Write([&](Connection& c) {
    for (auto& w : writes) {
      auto& e = w.entry;
      if (e.resource_code.empty()) {
        const std::string classification = w.versions.front().content.classification;
        c.Prepare(
             "INSERT INTO catalog_sequences(classification, last_value) VALUES (?, 1) "
             "ON CONFLICT(classification) DO UPDATE SET last_value = last_value + 1")
            .Bind(1, classification)
            .Run();
        auto seq = c.Prepare("SELECT last_value FROM catalog_sequences WHERE classification = ?");
        seq.Bind(1, classification);
        seq.Step();
        e.resource_code = ResourceCode(classification, seq.Int(0));
      }
      auto insert = c.Prepare(
          fmt::format("INSERT INTO catalog_entries({}, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                      kNewEntryColumns));
      BindNewEntry(insert, w);
      insert.Run();
      e.id = c.LastInsertId();
      e.version = 1;
      for (auto& v : w.versions) {
        v.entry_id = e.id;
        UpsertVersion(c, v);
      }
    }
    return Status::Ok();
  });
}

Status SqliteCatalogStore::WriteEntry(store::Transaction* tx, const EntryWrite& w) {
  return InWrite(tx, [&](Connection& c) {
    auto update = c.Prepare(
        "UPDATE catalog_entries SET name = COALESCE(NULLIF(?, ''), name), published_version = ?, working_version = ?, "
        "withdrawn = ?, on_negative_list = ?, open_case_id = ?, open_case_type = ?, updated_at = ?, "
        "version = version + 1 WHERE id = ? AND version = ?");
    BindChangedEntry(update, w);
    update.Run();
    if (c.Changes() != 1) return CatalogVersionConflict();
    for (const auto& v : w.versions) UpsertVersion(c, v);
    for (int number : w.drop_versions) {
      c.Prepare("DELETE FROM catalog_versions WHERE entry_id = ? AND number = ?")
          .Bind(1, w.entry.id)
          .Bind(2, number)
          .Run();
    }
    return Status::Ok();
  });
}

Result<std::optional<Entry>> SqliteCatalogStore::GetEntry(std::int64_t id) {
  return SelectRow<Entry>(
      db_, std::string("SELECT ") + kEntryColumns + kEntryFrom + " WHERE e.id = ?",
      [&](Statement& s) { s.Bind(1, id); }, ReadEntry<Statement>);
}

Result<std::int64_t> SqliteCatalogStore::NewestEntryId() {
  auto newest = SelectRow<std::int64_t>(
      db_, "SELECT COALESCE(MAX(id), 0) FROM catalog_entries", [](Statement&) {},
      [](const Statement& s) { return s.Int(0); });
  if (!newest.ok()) return newest.status();
  return newest->value_or(0);
}

Result<std::vector<Version>> SqliteCatalogStore::ListVersions(std::int64_t entry_id) {
  return SelectRows<Version>(
      db_, std::string("SELECT ") + kVersionColumns + " FROM catalog_versions WHERE entry_id = ? ORDER BY number",
      [&](Statement& s) { s.Bind(1, entry_id); }, ReadStoredVersion);
}

Result<std::optional<Version>> SqliteCatalogStore::GetVersion(std::int64_t entry_id, int number) {
  return SelectRow<Version>(
      db_, std::string("SELECT ") + kVersionColumns + " FROM catalog_versions WHERE entry_id = ? AND number = ?",
      [&](Statement& s) { s.Bind(1, entry_id).Bind(2, number); }, ReadStoredVersion);
}

Status SqliteCatalogStore::ForEachEntry(const EntryVisitor& visit) {
  return db_.Read([&](Connection& c) {
    auto entries = c.Prepare(AllEntriesSql());
    auto versions = c.Prepare(CurrentVersionsSql());
    VisitEntries(entries, versions, visit, Corrupt);
    return Status::Ok();
  });
}

Status SqliteCatalogStore::PutNegativeListItem(store::Transaction* tx, NegativeListItem& n) {
  return InWrite(tx, [&](Connection& c) {
    if (n.id == 0) {
      auto s = c.Prepare(std::string("INSERT INTO negative_list(") + kNewNegativeColumns +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      BindNewNegative(s, n);
      s.Run();
      n.id = c.LastInsertId();
      return Status::Ok();
    }
    auto s = c.Prepare("UPDATE negative_list SET status = ?, case_id = ?, decided_at = ? WHERE id = ?");
    BindDecidedNegative(s, n);
    s.Run();
    return Status::Ok();
  });
}

Result<std::vector<NegativeListItem>> SqliteCatalogStore::ListNegativeList(std::optional<std::int64_t> entry_id) {
  return SelectRows<NegativeListItem>(
      db_,
      std::string("SELECT ") + kNegativeColumns + " FROM negative_list WHERE ?1 IS NULL OR entry_id = ?1 ORDER BY id",
      [&](Statement& s) { s.Bind(1, entry_id); }, ReadNegative<Statement>);
}

Result<std::optional<NegativeListItem>> SqliteCatalogStore::GetNegativeListItem(std::int64_t id) {
  return SelectRow<NegativeListItem>(
      db_, std::string("SELECT ") + kNegativeColumns + " FROM negative_list WHERE id = ?",
      [&](Statement& s) { s.Bind(1, id); }, ReadNegative<Statement>);
}

Status SqliteCatalogStore::PutFinding(store::Transaction* tx, Finding& f) {
  return InWrite(tx, [&](Connection& c) {
    if (f.id == 0) {
      auto known = c.Prepare("SELECT id FROM catalog_findings WHERE fingerprint = ?");
      known.Bind(1, f.fingerprint);
      if (known.Step()) {
        f.id = known.Int(0);
        return Status::Ok();
      }
      auto s = c.Prepare(std::string("INSERT INTO catalog_findings(") + kNewFindingColumns +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      BindNewFinding(s, f);
      s.Run();
      f.id = c.LastInsertId();
      return Status::Ok();
    }
    auto s =
        c.Prepare("UPDATE catalog_findings SET status = ?, resolution = ?, case_id = ?, decided_at = ? WHERE id = ?");
    BindDecidedFinding(s, f);
    s.Run();
    return Status::Ok();
  });
}

Result<std::vector<Finding>> SqliteCatalogStore::ListFindings() {
  return SelectRows<Finding>(
      db_, std::string("SELECT ") + kFindingColumns + " FROM catalog_findings ORDER BY id", [](Statement&) {},
      ReadFinding<Statement>);
}

Result<std::optional<Finding>> SqliteCatalogStore::GetFinding(std::int64_t id) {
  return SelectRow<Finding>(
      db_, std::string("SELECT ") + kFindingColumns + " FROM catalog_findings WHERE id = ?",
      [&](Statement& s) { s.Bind(1, id); }, ReadFinding<Statement>);
}

}  // namespace govshare::store::sqlite
