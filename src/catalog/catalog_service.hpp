#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "catalog/catalog_store.hpp"
#include "catalog/content.hpp"
#include "catalog/search_index.hpp"
#include "common/clock.hpp"
#include "common/coalesced_read.hpp"
#include "org/org_store.hpp"
#include "org/permissions.hpp"
#include "workflow/case_service.hpp"

namespace govshare::catalog {

/// The case types of the catalog (Art. 8, 9, 10, 11).
inline constexpr const char* kReviewCase = "catalog_review";          // a new or edited entry, reviewed in 10 WD
inline constexpr const char* kUpdateCase = "catalog_update";          // a change trigger: update in 10 WD (+10)
inline constexpr const char* kWithdrawalCase = "catalog_withdrawal";  // withdrawing a published entry
inline constexpr const char* kNegativeListCase = "negative_list";     // listing or revoking "not shared"
inline constexpr const char* kRectificationCase = "rectification";    // correcting a duplicate collection

/// An entry as one viewer may see it.
struct EntryView {
  Entry entry;
  std::optional<Version> published;
  std::optional<Version> working;  // only for those who may see drafts
};

/// One line of the collection responsibility list (Art. 10): who collects a data element about a subject.
struct Responsibility {
  std::string element;
  std::string element_name;
  std::string subject;
  std::int64_t department_id = 0;
  std::string department_name;
  std::vector<std::string> resource_codes;
};

/// The report of a bulk import: all rows valid and imported, or nothing imported and every error listed.
struct ImportReport {
  int rows = 0;
  std::vector<std::int64_t> entry_ids;
  struct RowError {
    int row = 0;  // 1-based row (JSON: the array index + 1; CSV: the line number)
    Violation violation;
  };
  std::vector<RowError> errors;
};

/// Catalog management (Art. 7-11, 13): data elements, entries and their versions, the review, update, withdrawal and
/// negative-list processes as cases, search, the responsibility list and duplicate-collection findings.
/// Thread-safe after Start().
class CatalogService {
 public:
  CatalogService(CatalogStore& store, workflow::CaseService& cases, org::OrgStore& org, const org::RegionTree& regions,
                 const org::Authorizer& authorizer, const common::Clock& clock);

  /// Registers the case types and loads elements, databases and the index. Call once at start-up.
  common::Status Start();

  // ---- reference data (Art. 5, 13) ----
  std::vector<DataElement> Elements() const;
  std::optional<DataElement> Element(const std::string& id) const;
  /// Creates (expected_version 0) or updates a data element; provincial standard, catalog.manage at the province.
  common::Result<DataElement> PutElement(const org::Principal& p, DataElement e, std::int64_t expected_version);
  std::vector<ThemeDatabase> Databases() const;
  common::Status PutDatabase(const org::Principal& p, const ThemeDatabase& d);

  // ---- entries (Art. 7-9) ----
  /// Creates a draft entry of the principal's department. Structural problems: invalid_entry with `violations`.
  common::Result<Entry> Create(const org::Principal& p, const EntryContent& content,
                               std::vector<Violation>* violations);
  /// Saves the working draft (a new version when the entry is published and has none).
  common::Result<Entry> SaveDraft(const org::Principal& p, std::int64_t id, const EntryContent& content,
                                  std::int64_t expected_entry_version, const std::string& change_reason,
                                  std::vector<Violation>* violations);
  /// Drops an unsubmitted draft (and the entry itself if it was never published).
  common::Status DiscardDraft(const org::Principal& p, std::int64_t id, std::int64_t expected_entry_version);
  /// The compilation rules for `content` as if submitted now (for forms that check as the user types).
  std::vector<Violation> Check(const org::Principal& p, std::optional<std::int64_t> entry_id,
                               const EntryContent& content) const;
  /// Submits the working version for review (Art. 8) or, inside an update case, as the update (Art. 9).
  common::Result<Entry> Submit(const org::Principal& p, std::int64_t id, std::int64_t expected_entry_version,
                               std::vector<Violation>* violations);
  /// The authority decides on the entry's open review: "approve" publishes, "return" sends it back with reasons.
  common::Result<Entry> Review(const org::Principal& p, std::int64_t id, const std::string& decision,
                               const std::string& comment);
  /// Art. 9: a change in law or duties opens an update case, due in 10 working days.
  common::Result<workflow::Case> RecordChange(const org::Principal& p, std::int64_t id, const std::string& date,
                                              const std::string& reason, const std::string& description);
  common::Result<workflow::Case> Withdraw(const org::Principal& p, std::int64_t id, const std::string& reason);

  /// An entry as `p` may see it. One the index does not hold yet (created a moment ago through another node whose
  /// notification has not arrived) is read from the store and indexed, unless its id is above the highest id the store
  /// held when a read that began after this call looked (MayBeStored): unknown ids cost no entry read, and concurrent
  /// requests for them share one read of the highest id.
  common::Result<EntryView> Get(const org::Principal& p, std::int64_t id);
  common::Result<std::vector<Version>> Versions(const org::Principal& p, std::int64_t id) const;
  common::Result<Version> GetVersion(const org::Principal& p, std::int64_t id, int number) const;
  common::Result<std::vector<FieldChange>> Diff(const org::Principal& p, std::int64_t id, int from, int to) const;
  SearchResult Search(const org::Principal& p, const SearchQuery& query) const;
  bool CanSeeWorking(const org::Principal& p, const Entry& e) const;

  // ---- negative list (Art. 11) ----
  common::Result<NegativeListItem> ApplyNegativeList(const org::Principal& p, std::int64_t entry_id,
                                                     const std::string& kind, const std::string& legal_basis,
                                                     const std::string& reason);
  /// The applications the principal may see; `listed_only`: the published negative list (approved, not revoked).
  common::Result<std::vector<NegativeListItem>> NegativeList(const org::Principal& p, bool listed_only) const;

  // ---- responsibility list and duplicate collection (Art. 10, 30) ----
  std::vector<Responsibility> Responsibilities() const;
  /// Looks for duplicate collection among published entries and records new findings; returns how many are new.
  /// With `only_entry`, only pairs involving that entry (linear: run after each publication); without, every pair
  /// sharing a key data element (quadratic in the size of such a group: run on demand).
  common::Result<int> ScanDuplicates(std::optional<std::int64_t> only_entry = std::nullopt);
  common::Result<std::vector<Finding>> Findings(const org::Principal& p) const;
  common::Result<Finding> DismissFinding(const org::Principal& p, std::int64_t id, const std::string& reason);
  /// Opens a rectification case for the department that collects what the other already provides.
  common::Result<Finding> RectifyFinding(const org::Principal& p, std::int64_t id, const std::string& note);

  // ---- import (Art. 23) ----
  /// Creates drafts for the principal's department from `contents` (all or nothing; every row's problems listed).
  /// With `submit`, each is also submitted for review.
  /// `row_numbers[i]` is the row reported for contents[i] (its CSV line); empty: i + 1.
  common::Result<ImportReport> Import(const org::Principal& p, const std::vector<EntryContent>& contents,
                                      const std::vector<int>& row_numbers,
                                      const std::vector<ImportReport::RowError>& parse_errors, bool submit);

  const CatalogIndex& index() const { return index_; }

  /// Reloads data elements, theme databases and every entry into memory (start-up; another node changed them).
  common::Status Reload();
  /// Reloads one entry into the index (after a change of this node or of another one).
  common::Status Refresh(std::int64_t entry_id);

 private:
  common::Status RegisterCaseTypes();
  RuleContext Rules(const Entry* entry) const;
  bool Sees(const org::Principal& p, const Entry& e) const;  // published or working visible
  /// Whether the store may hold entry `id`, which the index does not: read-your-writes across nodes, without an entry
  /// read for an id that cannot exist.
  bool MayBeStored(std::int64_t id);
  common::Result<Entry> LoadEntry(std::int64_t id) const;
  common::Result<Version> LoadWorking(const Entry& e) const;
  common::Result<workflow::Case> OpenCase(
      const org::Principal& p, const Entry& e, const char* type, const std::string& subject, const std::string& comment,
      std::function<common::Status(store::Transaction&, const workflow::Case&)> change);
  common::Result<workflow::DomainChange> OnReviewTransition(const workflow::Case& c, const workflow::Transition& t);
  common::Result<workflow::DomainChange> OnWithdrawalTransition(const workflow::Case& c, const workflow::Transition& t);
  common::Result<workflow::DomainChange> OnNegativeListTransition(const workflow::Case& c,
                                                                  const workflow::Transition& t);
  common::Result<workflow::DomainChange> OnRectificationTransition(const workflow::Case& c,
                                                                   const workflow::Transition& t,
                                                                   const std::string& comment);
  void AfterCommit(const workflow::Case& c);
  common::Result<std::vector<Violation>> CheckNameUnique(const Entry* entry, const EntryContent& content,
                                                         std::int64_t department_id) const;

  CatalogStore& store_;
  workflow::CaseService& cases_;
  org::OrgStore& org_;
  const org::RegionTree& regions_;
  const org::Authorizer& authorizer_;
  const common::Clock& clock_;
  mutable std::shared_mutex reference_mutex_;
  std::map<std::string, DataElement, std::less<>> elements_;
  std::map<std::string, ThemeDatabase, std::less<>> databases_;
  CatalogIndex index_;
  /// The highest entry id in the store, fresh for each caller (another node may have created entries a moment ago).
  common::CoalescedRead<std::int64_t> newest_entry_id_{[this] { return store_.NewestEntryId(); }};
};

}  // namespace govshare::catalog
