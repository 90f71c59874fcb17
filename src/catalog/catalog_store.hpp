#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/model.hpp"
#include "common/status.hpp"
#include "store/transaction.hpp"

namespace govshare::catalog {

/// An entry row and the versions to insert or replace, written together. Published versions are immutable: the store
/// refuses to change their content.
struct EntryWrite {
  Entry entry;                        // the row as it must be after the write
  std::int64_t expected_version = 0;  // the row version read before (ignored when creating)
  std::vector<Version> versions;
  std::vector<int> drop_versions;  // unpublished versions to delete (a discarded draft)
};

/// Storage of the catalog. Writes are durable on return; those taking a transaction run inside another store write (a
/// case transition) and commit with it. Thread-safe.
class CatalogStore {
 public:
  virtual ~CatalogStore() = default;

  virtual common::Result<std::vector<DataElement>> ListElements() = 0;
  /// Inserts (expected_version 0) or updates an element; version_conflict if it changed meanwhile.
  virtual common::Status PutElement(const DataElement& e, std::int64_t expected_version) = 0;
  virtual common::Result<std::vector<ThemeDatabase>> ListDatabases() = 0;
  virtual common::Status PutDatabase(const ThemeDatabase& d) = 0;

  /// Creates entries with their first versions in one write: all or none. An entry without a resource code gets
  /// `classification/NNNNN` with the next sequence number of its classification. Sets ids and codes.
  virtual common::Status CreateEntries(std::vector<EntryWrite>& writes) = 0;
  /// Updates an entry row (version-checked, version_conflict otherwise) and inserts or replaces versions.
  virtual common::Status WriteEntry(store::Transaction* tx, const EntryWrite& write) = 0;
  virtual common::Result<std::optional<Entry>> GetEntry(std::int64_t id) = 0;
  /// The highest entry id stored, 0 if there is none: no entry with a higher id was committed before the read began.
  virtual common::Result<std::int64_t> NewestEntryId() = 0;
  virtual common::Result<std::vector<Version>> ListVersions(std::int64_t entry_id) = 0;
  virtual common::Result<std::optional<Version>> GetVersion(std::int64_t entry_id, int number) = 0;
  /// Every entry with its published and working versions, in id order (start-up: the search index).
  using EntryVisitor =
      std::function<void(const Entry&, const std::optional<Version>& published, const std::optional<Version>& working)>;
  virtual common::Status ForEachEntry(const EntryVisitor& visit) = 0;

  /// Inserts (id 0, sets the id) or updates a negative-list item.
  virtual common::Status PutNegativeListItem(store::Transaction* tx, NegativeListItem& item) = 0;
  virtual common::Result<std::vector<NegativeListItem>> ListNegativeList(std::optional<std::int64_t> entry_id) = 0;
  virtual common::Result<std::optional<NegativeListItem>> GetNegativeListItem(std::int64_t id) = 0;

  /// Inserts a finding (id 0; nothing happens if its fingerprint is known, and the known id is set) or updates one.
  virtual common::Status PutFinding(store::Transaction* tx, Finding& f) = 0;
  virtual common::Result<std::vector<Finding>> ListFindings() = 0;
  virtual common::Result<std::optional<Finding>> GetFinding(std::int64_t id) = 0;
};

}  // namespace govshare::catalog
