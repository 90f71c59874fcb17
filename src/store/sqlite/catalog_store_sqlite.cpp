#include "store/sqlite/catalog_store_sqlite.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "catalog/content.hpp"

namespace govshare::store::sqlite {

using common::Result;
using common::Status;
using namespace govshare::catalog;  // NOLINT(google-build-using-namespace): the implementation file of the store

namespace {

Status VersionConflict() {
  return Status::Conflict("version_conflict", "the entry was changed by someone else; reload and try again",
                          "/entry_version");
}

std::optional<std::int64_t> Wide(const std::optional<int>& v) {
  if (!v) return std::nullopt;
  return *v;
}
std::optional<int> Narrow(const std::optional<std::int64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

constexpr const char* kElementColumns =
    "id, name, definition, data_type, representation, value_domain, validation, personal, default_level, "
    "default_mask, version, updated_at";

DataElement ReadElement(const Statement& s) {
  DataElement e;
  e.id = s.Text(0);
  e.name = s.Text(1);
  e.definition = s.Text(2);
  e.data_type = s.Text(3);
  e.representation = s.Text(4);
  e.value_domain = s.Text(5);
  e.validation = s.Text(6);
  e.personal = s.Int(7) != 0;
  e.default_level = ParseLevel(s.Text(8)).value_or(Level::kGeneral2);
  e.default_mask = s.Text(9);
  e.version = s.Int(10);
  e.updated_at = s.Int(11);
  return e;
}

constexpr const char* kEntryColumns =
    "e.id, e.resource_code, e.provider_department_id, d.name, d.credit_code, e.region_id, e.published_version, "
    "e.working_version, e.withdrawn, e.on_negative_list, e.open_case_id, e.open_case_type, e.created_by, "
    "e.created_at, e.updated_at, e.version";
constexpr const char* kEntryFrom = " FROM catalog_entries e JOIN departments d ON d.id = e.provider_department_id";

Entry ReadEntry(const Statement& s) {
  Entry e;
  e.id = s.Int(0);
  e.resource_code = s.Text(1);
  e.provider_department_id = s.Int(2);
  e.provider_name = s.Text(3);
  e.provider_code = s.Text(4);
  e.region_id = s.Text(5);
  e.published_version = Narrow(s.OptInt(6));
  e.working_version = Narrow(s.OptInt(7));
  e.withdrawn = s.Int(8) != 0;
  e.on_negative_list = s.Int(9) != 0;
  e.open_case_id = s.OptInt(10);
  e.open_case_type = s.OptText(11);
  e.created_by = s.Int(12);
  e.created_at = s.Int(13);
  e.updated_at = s.Int(14);
  e.version = s.Int(15);
  return e;
}

constexpr const char* kVersionColumns =
    "entry_id, number, state, document, created_by, created_at, updated_at, submitted_at, published_at, case_id, "
    "change_reason";

Version ReadVersion(const Statement& s) {
  Version v;
  v.entry_id = s.Int(0);
  v.number = static_cast<int>(s.Int(1));
  v.state = ParseVersionState(s.Text(2)).value_or(VersionState::kDraft);
  // Stored documents were written by ContentToJson; a document that no longer parses is storage corruption.
  auto doc = nlohmann::json::parse(s.Text(3), nullptr, false);
  if (doc.is_discarded() || !ParseContent(doc, v.content).empty()) {
    throw SqliteError(0, fmt::format("catalog version {}/{} has an unreadable document", v.entry_id, v.number));
  }
  v.created_by = s.Int(4);
  v.created_at = s.Int(5);
  v.updated_at = s.Int(6);
  v.submitted_at = s.OptInt(7);
  v.published_at = s.OptInt(8);
  v.case_id = s.OptInt(9);
  v.change_reason = s.Text(10);
  return v;
}

void UpsertVersion(Connection& c, const Version& v) {
  c.Prepare(
       "INSERT INTO catalog_versions(entry_id, number, state, document, created_by, created_at, updated_at, "
       "submitted_at, published_at, case_id, change_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
       "ON CONFLICT(entry_id, number) DO UPDATE SET state = excluded.state, document = excluded.document, "
       "updated_at = excluded.updated_at, submitted_at = excluded.submitted_at, published_at = excluded.published_at, "
       "case_id = excluded.case_id, change_reason = excluded.change_reason")
      .Bind(1, v.entry_id)
      .Bind(2, v.number)
      .Bind(3, VersionStateName(v.state))
      .Bind(4, ContentToJson(v.content).dump())
      .Bind(5, v.created_by)
      .Bind(6, v.created_at)
      .Bind(7, v.updated_at)
      .Bind(8, v.submitted_at)
      .Bind(9, v.published_at)
      .Bind(10, v.case_id)
      .Bind(11, v.change_reason)
      .Run();
}

std::string EntryName(const EntryWrite& w) {
  for (const auto& v : w.versions) {
    if (w.entry.working_version && v.number == *w.entry.working_version) return v.content.name;
  }
  for (const auto& v : w.versions) {
    if (w.entry.published_version && v.number == *w.entry.published_version) return v.content.name;
  }
  return w.versions.empty() ? std::string() : w.versions.back().content.name;
}

std::string IdsJson(const std::vector<std::int64_t>& ids) { return nlohmann::json(ids).dump(); }
std::vector<std::int64_t> IdsFrom(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::int64_t> out;
  if (j.is_array()) {
    for (const auto& v : j) {
      if (v.is_number_integer()) out.push_back(v.get<std::int64_t>());
    }
  }
  return out;
}

constexpr const char* kNegativeColumns =
    "id, entry_id, department_id, kind, status, legal_basis, reason, case_id, created_by, created_at, decided_at";

NegativeListItem ReadNegative(const Statement& s) {
  NegativeListItem n;
  n.id = s.Int(0);
  n.entry_id = s.Int(1);
  n.department_id = s.Int(2);
  n.kind = s.Text(3);
  n.status = s.Text(4);
  n.legal_basis = s.Text(5);
  n.reason = s.Text(6);
  n.case_id = s.OptInt(7);
  n.created_by = s.Int(8);
  n.created_at = s.Int(9);
  n.decided_at = s.OptInt(10);
  return n;
}

constexpr const char* kFindingColumns =
    "id, fingerprint, subject, elements, entry_ids, department_ids, source_entry_id, status, resolution, case_id, "
    "detected_at, decided_at";

Finding ReadFinding(const Statement& s) {
  Finding f;
  f.id = s.Int(0);
  f.fingerprint = s.Text(1);
  f.subject = s.Text(2);
  auto elements = nlohmann::json::parse(s.Text(3), nullptr, false);
  if (elements.is_array()) {
    for (const auto& e : elements) {
      if (e.is_string()) f.elements.push_back(e.get<std::string>());
    }
  }
  f.entry_ids = IdsFrom(s.Text(4));
  f.department_ids = IdsFrom(s.Text(5));
  f.source_entry_id = s.OptInt(6);
  f.status = s.Text(7);
  f.resolution = s.Text(8);
  f.case_id = s.OptInt(9);
  f.detected_at = s.Int(10);
  f.decided_at = s.OptInt(11);
  return f;
}

}  // namespace

Status SqliteCatalogStore::InWrite(store::Transaction* tx, const Database::WriteJob& job) {
  // Inside a transaction, a SqliteError propagates to the enclosing write job, which converts it and rolls back.
  if (tx != nullptr) return job(static_cast<SqliteTransaction*>(tx)->connection);
  return db_.Write(job);
}

Result<std::vector<DataElement>> SqliteCatalogStore::ListElements() {
  std::vector<DataElement> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kElementColumns + " FROM data_elements ORDER BY id");
    while (s.Step()) out.push_back(ReadElement(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteCatalogStore::PutElement(const DataElement& e, std::int64_t expected_version) {
  return db_.Write([&](Connection& c) {
    if (expected_version == 0) {
      c.Prepare(std::string("INSERT INTO data_elements(") + kElementColumns +
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)")
          .Bind(1, e.id)
          .Bind(2, e.name)
          .Bind(3, e.definition)
          .Bind(4, e.data_type)
          .Bind(5, e.representation)
          .Bind(6, e.value_domain)
          .Bind(7, e.validation)
          .Bind(8, e.personal ? 1 : 0)
          .Bind(9, LevelName(e.default_level))
          .Bind(10, e.default_mask)
          .Bind(11, e.updated_at)
          .Run();
      return Status::Ok();
    }
    c.Prepare(
         "UPDATE data_elements SET name = ?, definition = ?, data_type = ?, representation = ?, value_domain = ?, "
         "validation = ?, personal = ?, default_level = ?, default_mask = ?, updated_at = ?, version = version + 1 "
         "WHERE id = ? AND version = ?")
        .Bind(1, e.name)
        .Bind(2, e.definition)
        .Bind(3, e.data_type)
        .Bind(4, e.representation)
        .Bind(5, e.value_domain)
        .Bind(6, e.validation)
        .Bind(7, e.personal ? 1 : 0)
        .Bind(8, LevelName(e.default_level))
        .Bind(9, e.default_mask)
        .Bind(10, e.updated_at)
        .Bind(11, e.id)
        .Bind(12, expected_version)
        .Run();
    return c.Changes() == 1 ? Status::Ok() : VersionConflict();
  });
}

Result<std::vector<ThemeDatabase>> SqliteCatalogStore::ListDatabases() {
  std::vector<ThemeDatabase> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(
        "SELECT code, name, kind, keeper_department_id, description FROM theme_databases ORDER BY kind, code");
    while (s.Step()) out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Text(4)});
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteCatalogStore::PutDatabase(const ThemeDatabase& d) {
  return db_.Write([&](Connection& c) {
    c.Prepare(
         "INSERT INTO theme_databases(code, name, kind, keeper_department_id, description) VALUES (?, ?, ?, ?, ?) "
         "ON CONFLICT(code) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
         "keeper_department_id = excluded.keeper_department_id, description = excluded.description")
        .Bind(1, d.code)
        .Bind(2, d.name)
        .Bind(3, d.kind)
        .Bind(4, d.keeper_department_id)
        .Bind(5, d.description)
        .Run();
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
        e.resource_code = fmt::format("{}/{:05d}", classification, seq.Int(0));
      }
      c.Prepare(
           "INSERT INTO catalog_entries(resource_code, provider_department_id, region_id, name, published_version, "
           "working_version, withdrawn, on_negative_list, open_case_id, open_case_type, created_by, created_at, "
           "updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)")
          .Bind(1, e.resource_code)
          .Bind(2, e.provider_department_id)
          .Bind(3, e.region_id)
          .Bind(4, EntryName(w))
          .Bind(5, Wide(e.published_version))
          .Bind(6, Wide(e.working_version))
          .Bind(7, e.withdrawn ? 1 : 0)
          .Bind(8, e.on_negative_list ? 1 : 0)
          .Bind(9, e.open_case_id)
          .Bind(10, e.open_case_type)
          .Bind(11, e.created_by)
          .Bind(12, e.created_at)
          .Bind(13, e.updated_at)
          .Run();
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
    const auto& e = w.entry;
    c.Prepare(
         "UPDATE catalog_entries SET name = COALESCE(NULLIF(?, ''), name), published_version = ?, working_version = ?, "
         "withdrawn = ?, "
         "on_negative_list = ?, open_case_id = ?, open_case_type = ?, updated_at = ?, version = version + 1 "
         "WHERE id = ? AND version = ?")
        .Bind(1, EntryName(w))
        .Bind(2, Wide(e.published_version))
        .Bind(3, Wide(e.working_version))
        .Bind(4, e.withdrawn ? 1 : 0)
        .Bind(5, e.on_negative_list ? 1 : 0)
        .Bind(6, e.open_case_id)
        .Bind(7, e.open_case_type)
        .Bind(8, e.updated_at)
        .Bind(9, e.id)
        .Bind(10, w.expected_version)
        .Run();
    if (c.Changes() != 1) return VersionConflict();
    for (const auto& v : w.versions) UpsertVersion(c, v);
    for (int number : w.drop_versions) {
      c.Prepare("DELETE FROM catalog_versions WHERE entry_id = ? AND number = ?").Bind(1, e.id).Bind(2, number).Run();
    }
    return Status::Ok();
  });
}

Result<std::optional<Entry>> SqliteCatalogStore::GetEntry(std::int64_t id) {
  std::optional<Entry> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kEntryColumns + kEntryFrom + " WHERE e.id = ?");
    s.Bind(1, id);
    if (s.Step()) out = ReadEntry(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<Version>> SqliteCatalogStore::ListVersions(std::int64_t entry_id) {
  std::vector<Version> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kVersionColumns +
                       " FROM catalog_versions WHERE entry_id = ? ORDER BY number");
    s.Bind(1, entry_id);
    while (s.Step()) out.push_back(ReadVersion(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::optional<Version>> SqliteCatalogStore::GetVersion(std::int64_t entry_id, int number) {
  std::optional<Version> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kVersionColumns +
                       " FROM catalog_versions WHERE entry_id = ? AND number = ?");
    s.Bind(1, entry_id).Bind(2, number);
    if (s.Step()) out = ReadVersion(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteCatalogStore::ForEachEntry(const EntryVisitor& visit) {
  return db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kEntryColumns + kEntryFrom + " ORDER BY e.id");
    auto versions = c.Prepare(std::string("SELECT ") + kVersionColumns +
                              " FROM catalog_versions v WHERE EXISTS (SELECT 1 FROM catalog_entries e WHERE "
                              "e.id = v.entry_id AND (v.number = e.published_version OR v.number = e.working_version))"
                              " ORDER BY entry_id, number");
    bool more = versions.Step();
    while (s.Step()) {
      Entry e = ReadEntry(s);
      std::optional<Version> published;
      std::optional<Version> working;
      while (more && versions.Int(0) < e.id) more = versions.Step();
      while (more && versions.Int(0) == e.id) {
        Version v = ReadVersion(versions);
        if (e.published_version && v.number == *e.published_version) published = v;
        if (e.working_version && v.number == *e.working_version) working = std::move(v);
        more = versions.Step();
      }
      visit(e, published, working);
    }
    return Status::Ok();
  });
}

Status SqliteCatalogStore::PutNegativeListItem(store::Transaction* tx, NegativeListItem& n) {
  return InWrite(tx, [&](Connection& c) {
    if (n.id == 0) {
      c.Prepare(std::string("INSERT INTO negative_list(") + kNegativeColumns +
                ") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .Bind(1, n.entry_id)
          .Bind(2, n.department_id)
          .Bind(3, n.kind)
          .Bind(4, n.status)
          .Bind(5, n.legal_basis)
          .Bind(6, n.reason)
          .Bind(7, n.case_id)
          .Bind(8, n.created_by)
          .Bind(9, n.created_at)
          .Bind(10, n.decided_at)
          .Run();
      n.id = c.LastInsertId();
      return Status::Ok();
    }
    c.Prepare("UPDATE negative_list SET status = ?, case_id = ?, decided_at = ? WHERE id = ?")
        .Bind(1, n.status)
        .Bind(2, n.case_id)
        .Bind(3, n.decided_at)
        .Bind(4, n.id)
        .Run();
    return Status::Ok();
  });
}

Result<std::vector<NegativeListItem>> SqliteCatalogStore::ListNegativeList(std::optional<std::int64_t> entry_id) {
  std::vector<NegativeListItem> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kNegativeColumns +
                       " FROM negative_list WHERE ?1 IS NULL OR entry_id = ?1 ORDER BY id");
    s.Bind(1, entry_id);
    while (s.Step()) out.push_back(ReadNegative(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::optional<NegativeListItem>> SqliteCatalogStore::GetNegativeListItem(std::int64_t id) {
  std::optional<NegativeListItem> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kNegativeColumns + " FROM negative_list WHERE id = ?");
    s.Bind(1, id);
    if (s.Step()) out = ReadNegative(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
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
      c.Prepare(std::string("INSERT INTO catalog_findings(") + kFindingColumns +
                ") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .Bind(1, f.fingerprint)
          .Bind(2, f.subject)
          .Bind(3, nlohmann::json(f.elements).dump())
          .Bind(4, IdsJson(f.entry_ids))
          .Bind(5, IdsJson(f.department_ids))
          .Bind(6, f.source_entry_id)
          .Bind(7, f.status)
          .Bind(8, f.resolution)
          .Bind(9, f.case_id)
          .Bind(10, f.detected_at)
          .Bind(11, f.decided_at)
          .Run();
      f.id = c.LastInsertId();
      return Status::Ok();
    }
    c.Prepare("UPDATE catalog_findings SET status = ?, resolution = ?, case_id = ?, decided_at = ? WHERE id = ?")
        .Bind(1, f.status)
        .Bind(2, f.resolution)
        .Bind(3, f.case_id)
        .Bind(4, f.decided_at)
        .Bind(5, f.id)
        .Run();
    return Status::Ok();
  });
}

Result<std::vector<Finding>> SqliteCatalogStore::ListFindings() {
  std::vector<Finding> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kFindingColumns + " FROM catalog_findings ORDER BY id");
    while (s.Step()) out.push_back(ReadFinding(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::optional<Finding>> SqliteCatalogStore::GetFinding(std::int64_t id) {
  std::optional<Finding> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kFindingColumns + " FROM catalog_findings WHERE id = ?");
    s.Bind(1, id);
    if (s.Step()) out = ReadFinding(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace govshare::store::sqlite
