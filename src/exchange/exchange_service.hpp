#pragma once

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog_service.hpp"
#include "common/clock.hpp"
#include "common/csv.hpp"
#include "exchange/dataset_store.hpp"
#include "org/org_store.hpp"
#include "org/permissions.hpp"

namespace govshare::exchange {

/// A dataset's value of a sort field of the dataset lists (see org::SortValueOf): name, resource_code, row_count,
/// last_load_at (never loaded: the largest integer, last when ascending); the id for any other.
inline org::SortValue SortValueOf(const Dataset& d, org::SortField f) {
  switch (f) {
    case org::SortField::kName:
      return d.name;
    case org::SortField::kResourceCode:
      return d.resource_code;
    case org::SortField::kRowCount:
      return d.row_count;
    case org::SortField::kLastLoadAt:
      return d.last_load_at.value_or(std::numeric_limits<std::int64_t>::max());
    default:
      return d.id;
  }
}

/// Datasets and aggregation as a capability (Art. 12): keeps one physical dataset per published catalog entry with a
/// key item (created and evolved from the catalog), and lets only the provider department load it — its data stewards
/// and catalog managers (`data.load`, own department) or one of its applications (API key). Reads for the data access
/// path go straight to store() (DatasetStore: Lookup, Query, Scan, Changes). Thread-safe.
class ExchangeService {
 public:
  ExchangeService(DatasetStore& store, const catalog::CatalogService& catalog, const org::RegionTree& regions,
                  const org::Authorizer& authorizer, const common::Clock& clock);

  /// Creates or evolves the dataset of every published, non-withdrawn catalog entry that has a key item (start-up,
  /// and before lists so that a newly published version shows). Entries whose new version cannot be applied (a changed
  /// key) keep their dataset at the old version and are logged.
  common::Status Sync();
  /// The dataset of one entry, brought up to its published version. 404 when the entry has none.
  common::Result<std::shared_ptr<const Dataset>> Ensure(std::int64_t entry_id);

  /// A page of the datasets whose name or resource code contains `query` (ASCII letters in any case; empty: every
  /// dataset), in the page's order (SortValueOf; invalid_sort is the caller's check). Metadata only: names, columns,
  /// counts, freshness are visible to every user, `dataset.read`.
  std::vector<std::shared_ptr<const Dataset>> List(std::string_view query, const org::PageRequest& page);
  /// A page of the stale datasets (not loaded within their update frequency), as List.
  std::vector<StaleDataset> Stale(std::string_view query, const org::PageRequest& page) const;

  /// OK if `p` may load dataset `d`: a user with data.load of the provider department, or an application of it.
  common::Status CheckProvider(const org::Principal& p, const Dataset& d) const;
  /// The dataset `p` may load: 403 for users without data.load at all, 404 for no such dataset, 403 for another
  /// department's dataset. Handlers call it before looking at the body, so that a stranger learns nothing else.
  common::Result<std::shared_ptr<const Dataset>> Loadable(const org::Principal& p, std::int64_t id);
  common::Result<LoadReport> Load(const org::Principal& p, std::int64_t id, const common::ByteSource& source,
                                  DatasetStore::LoadOptions options);
  common::Result<LoadReport> ApplyBatch(const org::Principal& p, std::int64_t id, const Batch& batch, LoadMode mode,
                                        const std::string& idempotency_key, const std::string& body_sha256);

  /// The validation rules of today (data elements of the catalog, the region table's division codes).
  ValidationRules Rules() const;
  DatasetStore& store() { return store_; }

 private:
  DatasetStore& store_;
  const catalog::CatalogService& catalog_;
  const org::RegionTree& regions_;
  const org::Authorizer& authorizer_;
  const common::Clock& clock_;
};

/// "who" for the load history: user:<name> or application:<name>.
std::string ActorOf(const org::Principal& p);

}  // namespace govshare::exchange
