#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "catalog/catalog_store.hpp"
#include "catalog/content.hpp"
#include "catalog/model.hpp"
#include "common/status.hpp"
#include "store/rows.hpp"

namespace govshare::store {

// The rows of the catalog store as every backend selects, reads and writes them: one column list, one reader and one
// writer per row type, function templates over the backend's statement type (see store/case_rows.hpp). Readers that
// find stored data they cannot read call `corrupt(message)`, which throws the backend's own error so that its
// Database::Read reports a storage failure.

inline common::Status CatalogVersionConflict() {
  return common::Status::Conflict("version_conflict", "the entry was changed by someone else; reload and try again",
                                  "/entry_version");
}

inline std::optional<std::int64_t> WideNumber(const std::optional<int>& v) {
  if (!v) return std::nullopt;
  return *v;
}

inline std::optional<int> NarrowNumber(const std::optional<std::int64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

// ---- data elements ------------------------------------------------------------------------------------------------

inline constexpr const char* kElementColumns =
    "id, name, definition, data_type, representation, value_domain, validation, personal, default_level, "
    "default_mask, version, updated_at";

template <typename Row>
catalog::DataElement ReadElement(const Row& s) {
  catalog::DataElement e;
  e.id = s.Text(0);
  e.name = s.Text(1);
  e.definition = s.Text(2);
  e.data_type = s.Text(3);
  e.representation = s.Text(4);
  e.value_domain = s.Text(5);
  e.validation = s.Text(6);
  e.personal = ReadFlag(s, 7);
  e.default_level = catalog::ParseLevel(s.Text(8)).value_or(catalog::Level::kGeneral2);
  e.default_mask = s.Text(9);
  e.version = s.Int(10);
  e.updated_at = s.Int(11);
  return e;
}

/// A new element: the columns of kElementColumns but version (1-10), then updated_at (11).
template <typename Stmt>
void BindNewElement(Stmt& s, const catalog::DataElement& e) {
  s.Bind(1, e.id)
      .Bind(2, e.name)
      .Bind(3, e.definition)
      .Bind(4, e.data_type)
      .Bind(5, e.representation)
      .Bind(6, e.value_domain)
      .Bind(7, e.validation)
      .Bind(8, e.personal)
      .Bind(9, catalog::LevelName(e.default_level))
      .Bind(10, e.default_mask)
      .Bind(11, e.updated_at);
}

/// A changed element: name .. default_mask, updated_at (1-10), then the id (11) and the expected version (12).
template <typename Stmt>
void BindChangedElement(Stmt& s, const catalog::DataElement& e, std::int64_t expected_version) {
  s.Bind(1, e.name)
      .Bind(2, e.definition)
      .Bind(3, e.data_type)
      .Bind(4, e.representation)
      .Bind(5, e.value_domain)
      .Bind(6, e.validation)
      .Bind(7, e.personal)
      .Bind(8, catalog::LevelName(e.default_level))
      .Bind(9, e.default_mask)
      .Bind(10, e.updated_at)
      .Bind(11, e.id)
      .Bind(12, expected_version);
}

// ---- theme databases ----------------------------------------------------------------------------------------------

inline constexpr const char* kThemeDatabaseColumns = "code, name, kind, keeper_department_id, description";

template <typename Row>
catalog::ThemeDatabase ReadThemeDatabase(const Row& s) {
  return {s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Text(4)};
}

template <typename Stmt>
void BindThemeDatabase(Stmt& s, const catalog::ThemeDatabase& d) {
  s.Bind(1, d.code).Bind(2, d.name).Bind(3, d.kind).Bind(4, d.keeper_department_id).Bind(5, d.description);
}

// ---- entries and versions -----------------------------------------------------------------------------------------

/// An entry with its provider's name and code (kEntryFrom).
inline constexpr const char* kEntryColumns =
    "e.id, e.resource_code, e.provider_department_id, d.name, d.credit_code, e.region_id, e.published_version, "
    "e.working_version, e.withdrawn, e.on_negative_list, e.open_case_id, e.open_case_type, e.created_by, "
    "e.created_at, e.updated_at, e.version";
inline constexpr const char* kEntryFrom =
    " FROM catalog_entries e JOIN departments d ON d.id = e.provider_department_id";

template <typename Row>
catalog::Entry ReadEntry(const Row& s) {
  catalog::Entry e;
  e.id = s.Int(0);
  e.resource_code = s.Text(1);
  e.provider_department_id = s.Int(2);
  e.provider_name = s.Text(3);
  e.provider_code = s.Text(4);
  e.region_id = s.Text(5);
  e.published_version = NarrowNumber(s.OptInt(6));
  e.working_version = NarrowNumber(s.OptInt(7));
  e.withdrawn = ReadFlag(s, 8);
  e.on_negative_list = ReadFlag(s, 9);
  e.open_case_id = s.OptInt(10);
  e.open_case_type = s.OptText(11);
  e.created_by = s.Int(12);
  e.created_at = s.Int(13);
  e.updated_at = s.Int(14);
  e.version = s.Int(15);
  return e;
}

/// The name an entry row keeps for its uniqueness per provider: its working version's, else its published one's, else
/// its last version's.
inline std::string EntryName(const catalog::EntryWrite& w) {
  for (const auto& v : w.versions) {
    if (w.entry.working_version && v.number == *w.entry.working_version) return v.content.name;
  }
  for (const auto& v : w.versions) {
    if (w.entry.published_version && v.number == *w.entry.published_version) return v.content.name;
  }
  return w.versions.empty() ? std::string() : w.versions.back().content.name;
}

/// `classification/NNNNN`: the resource code of the `sequence`th entry of a classification.
inline std::string ResourceCode(const std::string& classification, std::int64_t sequence) {
  return fmt::format("{}/{:05d}", classification, sequence);
}

/// The columns a new entry sets; version is 1.
inline constexpr const char* kNewEntryColumns =
    "resource_code, provider_department_id, region_id, name, published_version, working_version, withdrawn, "
    "on_negative_list, open_case_id, open_case_type, created_by, created_at, updated_at";

template <typename Stmt>
void BindNewEntry(Stmt& s, const catalog::EntryWrite& w) {
  const catalog::Entry& e = w.entry;
  s.Bind(1, e.resource_code)
      .Bind(2, e.provider_department_id)
      .Bind(3, e.region_id)
      .Bind(4, EntryName(w))
      .Bind(5, WideNumber(e.published_version))
      .Bind(6, WideNumber(e.working_version))
      .Bind(7, e.withdrawn)
      .Bind(8, e.on_negative_list)
      .Bind(9, e.open_case_id)
      .Bind(10, e.open_case_type)
      .Bind(11, e.created_by)
      .Bind(12, e.created_at)
      .Bind(13, e.updated_at);
}

/// A changed entry: the name (1, empty keeps the stored one), published_version, working_version, withdrawn,
/// on_negative_list, open_case_id, open_case_type, updated_at (2-8), then the id (9) and the expected version (10).
template <typename Stmt>
void BindChangedEntry(Stmt& s, const catalog::EntryWrite& w) {
  const catalog::Entry& e = w.entry;
  s.Bind(1, EntryName(w))
      .Bind(2, WideNumber(e.published_version))
      .Bind(3, WideNumber(e.working_version))
      .Bind(4, e.withdrawn)
      .Bind(5, e.on_negative_list)
      .Bind(6, e.open_case_id)
      .Bind(7, e.open_case_type)
      .Bind(8, e.updated_at)
      .Bind(9, e.id)
      .Bind(10, w.expected_version);
}

inline constexpr const char* kVersionColumns =
    "entry_id, number, state, document, created_by, created_at, updated_at, submitted_at, published_at, case_id, "
    "change_reason";

template <typename Row, typename Corrupt>
catalog::Version ReadVersion(const Row& s, Corrupt&& corrupt) {
  catalog::Version v;
  v.entry_id = s.Int(0);
  v.number = static_cast<int>(s.Int(1));
  v.state = catalog::ParseVersionState(s.Text(2)).value_or(catalog::VersionState::kDraft);
  // Stored documents were written by ContentToJson; a document that no longer parses is storage corruption.
  const nlohmann::json doc = nlohmann::json::parse(s.Text(3), nullptr, false);
  if (doc.is_discarded() || !catalog::ParseContent(doc, v.content).empty()) {
    corrupt(fmt::format("catalog version {}/{} has an unreadable document", v.entry_id, v.number));
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

/// A version, in the order of kVersionColumns.
template <typename Stmt>
void BindVersion(Stmt& s, const catalog::Version& v) {
  s.Bind(1, v.entry_id)
      .Bind(2, v.number)
      .Bind(3, catalog::VersionStateName(v.state))
      .Bind(4, catalog::ContentToJson(v.content).dump())
      .Bind(5, v.created_by)
      .Bind(6, v.created_at)
      .Bind(7, v.updated_at)
      .Bind(8, v.submitted_at)
      .Bind(9, v.published_at)
      .Bind(10, v.case_id)
      .Bind(11, v.change_reason);
}

/// What an upsert of a version (ON CONFLICT (entry_id, number)) changes of a stored one.
inline constexpr const char* kVersionUpsertSet =
    " ON CONFLICT(entry_id, number) DO UPDATE SET state = excluded.state, document = excluded.document, "
    "updated_at = excluded.updated_at, submitted_at = excluded.submitted_at, published_at = excluded.published_at, "
    "case_id = excluded.case_id, change_reason = excluded.change_reason";

/// Every entry in id order, and the published and working versions of all entries in (entry, number) order: the two
/// queries of CatalogStore::ForEachEntry (no parameters, the same text on every backend).
inline const std::string& AllEntriesSql() {
  static const std::string sql = std::string("SELECT ") + kEntryColumns + kEntryFrom + " ORDER BY e.id";
  return sql;
}
inline const std::string& CurrentVersionsSql() {
  static const std::string sql = std::string("SELECT ") + kVersionColumns +
                                 " FROM catalog_versions v WHERE EXISTS (SELECT 1 FROM catalog_entries e WHERE "
                                 "e.id = v.entry_id AND (v.number = e.published_version OR v.number = "
                                 "e.working_version)) ORDER BY entry_id, number";
  return sql;
}

/// Walks the rows of AllEntriesSql (`entries`) and CurrentVersionsSql (`versions`) together, calling `visit` once per
/// entry with its published and working versions.
template <typename Stmt, typename Corrupt>
void VisitEntries(Stmt& entries, Stmt& versions, const catalog::CatalogStore::EntryVisitor& visit, Corrupt&& corrupt) {
  bool more = versions.Step();
  while (entries.Step()) {
    catalog::Entry e = ReadEntry(entries);
    std::optional<catalog::Version> published;
    std::optional<catalog::Version> working;
    while (more && versions.Int(0) < e.id) more = versions.Step();
    while (more && versions.Int(0) == e.id) {
      catalog::Version v = ReadVersion(versions, corrupt);
      if (e.published_version && v.number == *e.published_version) published = v;
      if (e.working_version && v.number == *e.working_version) working = std::move(v);
      more = versions.Step();
    }
    visit(e, published, working);
  }
}

// ---- the negative list and duplicate-collection findings ----------------------------------------------------------

inline constexpr const char* kNegativeColumns =
    "id, entry_id, department_id, kind, status, legal_basis, reason, case_id, created_by, created_at, decided_at";
/// The columns a new negative-list item sets (all but the id).
inline constexpr const char* kNewNegativeColumns =
    "entry_id, department_id, kind, status, legal_basis, reason, case_id, created_by, created_at, decided_at";

template <typename Row>
catalog::NegativeListItem ReadNegative(const Row& s) {
  catalog::NegativeListItem n;
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

template <typename Stmt>
void BindNewNegative(Stmt& s, const catalog::NegativeListItem& n) {
  s.Bind(1, n.entry_id)
      .Bind(2, n.department_id)
      .Bind(3, n.kind)
      .Bind(4, n.status)
      .Bind(5, n.legal_basis)
      .Bind(6, n.reason)
      .Bind(7, n.case_id)
      .Bind(8, n.created_by)
      .Bind(9, n.created_at)
      .Bind(10, n.decided_at);
}

/// A decided item: status, case_id, decided_at (1-3), then the id (4).
template <typename Stmt>
void BindDecidedNegative(Stmt& s, const catalog::NegativeListItem& n) {
  s.Bind(1, n.status).Bind(2, n.case_id).Bind(3, n.decided_at).Bind(4, n.id);
}

inline std::string IdsJson(const std::vector<std::int64_t>& ids) { return nlohmann::json(ids).dump(); }

/// The ids of a JSON array; anything else in the text is skipped.
inline std::vector<std::int64_t> IdsFromJson(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::int64_t> out;
  if (j.is_array()) {
    for (const auto& v : j) {
      if (v.is_number_integer()) out.push_back(v.get<std::int64_t>());
    }
  }
  return out;
}

inline constexpr const char* kFindingColumns =
    "id, fingerprint, subject, elements, entry_ids, department_ids, source_entry_id, status, resolution, case_id, "
    "detected_at, decided_at";
/// The columns a new finding sets (all but the id).
inline constexpr const char* kNewFindingColumns =
    "fingerprint, subject, elements, entry_ids, department_ids, source_entry_id, status, resolution, case_id, "
    "detected_at, decided_at";

template <typename Row>
catalog::Finding ReadFinding(const Row& s) {
  catalog::Finding f;
  f.id = s.Int(0);
  f.fingerprint = s.Text(1);
  f.subject = s.Text(2);
  const nlohmann::json elements = nlohmann::json::parse(s.Text(3), nullptr, false);
  if (elements.is_array()) {
    for (const auto& e : elements) {
      if (e.is_string()) f.elements.push_back(e.get<std::string>());
    }
  }
  f.entry_ids = IdsFromJson(s.Text(4));
  f.department_ids = IdsFromJson(s.Text(5));
  f.source_entry_id = s.OptInt(6);
  f.status = s.Text(7);
  f.resolution = s.Text(8);
  f.case_id = s.OptInt(9);
  f.detected_at = s.Int(10);
  f.decided_at = s.OptInt(11);
  return f;
}

template <typename Stmt>
void BindNewFinding(Stmt& s, const catalog::Finding& f) {
  s.Bind(1, f.fingerprint)
      .Bind(2, f.subject)
      .Bind(3, nlohmann::json(f.elements).dump())
      .Bind(4, IdsJson(f.entry_ids))
      .Bind(5, IdsJson(f.department_ids))
      .Bind(6, f.source_entry_id)
      .Bind(7, f.status)
      .Bind(8, f.resolution)
      .Bind(9, f.case_id)
      .Bind(10, f.detected_at)
      .Bind(11, f.decided_at);
}

/// A decided finding: status, resolution, case_id, decided_at (1-4), then the id (5).
template <typename Stmt>
void BindDecidedFinding(Stmt& s, const catalog::Finding& f) {
  s.Bind(1, f.status).Bind(2, f.resolution).Bind(3, f.case_id).Bind(4, f.decided_at).Bind(5, f.id);
}

}  // namespace govshare::store
