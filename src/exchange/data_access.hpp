#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "exchange/dataset_store.hpp"
#include "exchange/endpoint_service.hpp"
#include "exchange/exchange_service.hpp"
#include "exchange/usage_meter.hpp"
#include "org/org_store.hpp"
#include "sharing/sharing_service.hpp"

namespace govshare::exchange {

/// What an application says of a data call (Art. 14, 30): the grant it uses and the business it serves.
struct DataCall {
  std::string grant_id;      // X-Grant-Id
  std::string business_ref;  // X-Business-Ref: the service matter or case number the call serves (required)
  std::int64_t dataset_id = 0;
};

/// What the audit record of a data call carries besides who and what (docs/AUDIT.md): filled as far as the call got,
/// denials included.
struct Served {
  std::string grant_id;
  std::string scenario;  // the grant's declared purpose
  std::string business_ref;
  std::string fields;  // the items returned (or compared), comma-separated
  std::int64_t rows = 0;
};

/// A grant compiled against its dataset: the granted items as a projection (View) with their masks. Immutable.
struct Access {
  std::shared_ptr<const sharing::CompiledGrant> grant;
  std::shared_ptr<const Dataset> dataset;  // physical; null for a logical dataset
  std::shared_ptr<const View> view;        // physical: the granted items, in the grant's order
  std::vector<std::string> items;          // the granted items, in the grant's order (= view columns)
  std::vector<std::string> masks;          // per item: its mask rule, or "" (unmasked)
  std::vector<std::string> keys;           // the key items, in key order (logical: the entry's first key item)
  std::optional<Endpoint> endpoint;        // logical: the provider's registered interface
  std::string region_item;                 // logical: the item holding the division code (row scope), if any
  std::vector<std::string> fetch_items;    // logical: the granted items and the region item, asked of the provider
  std::string provider_name;
  std::string consumer_name;
};

/// The data access path (ARCHITECTURE-GUIDE §5; Art. 12, 14, 16, 21, 30): every call is checked against its grant
/// (validity, manner, items, row scope, quota and rate), answered with only the granted items, masked per grant, and
/// described for its audit record. Physical datasets are read from the exchange store; logical ones from the provider's
/// registered interface, with the same checks. Fails closed: anything not granted is denied with its reason code.
/// Thread-safe.
class DataAccess {
 public:
  DataAccess(sharing::SharingService& sharing, const catalog::CatalogService& catalog, ExchangeService& exchange,
             EndpointService& endpoints, org::OrgStore& org, const common::Clock& clock, std::string hash_key);

  /// GET /data/{dataset}/records/{key} (manner lookup): the record's granted items, masked. `key`: the key item's
  /// value, or the values of a composite key joined by '|'. Returns the JSON body.
  common::Result<std::string> Lookup(const org::Principal& p, const DataCall& call, const std::string& key,
                                     Served& served);
  /// POST /data/{dataset}/verify (manner verify, 核验): compares the given values (granted items, the key among them)
  /// with the record; answers per field true/false and never a value.
  common::Result<std::string> Verify(const org::Principal& p, const DataCall& call,
                                     const std::vector<std::pair<std::string, std::string>>& fields, Served& served);
  /// True if the dataset's reads call a provider (logical access: run them on the blocking pool).
  bool IsLogical(std::int64_t dataset_id);
  /// Today's use of a grant (for the grant's page).
  Usage UsageOf(const std::string& grant_id) const { return meter_.Get(grant_id, clock_.Now()); }
  /// The grants' usage counters (the platform saves and restores them).
  UsageMeter& meter() { return meter_; }

 private:
  /// Checks the call and takes `uses` from the grant's quota; the access it may have, or the denial.
  common::Result<std::shared_ptr<const Access>> Authorize(const org::Principal& p, const DataCall& call,
                                                          std::string_view manner, Served& served);
  common::Result<std::shared_ptr<const Access>> Compile(const std::shared_ptr<const sharing::CompiledGrant>& grant);
  std::optional<std::string> MaskValue(const Access& a, std::size_t i, std::string_view value) const;
  common::Result<std::vector<std::string>> SplitKey(const Access& a, const std::string& key) const;

  sharing::SharingService& sharing_;
  const catalog::CatalogService& catalog_;
  ExchangeService& exchange_;
  EndpointService& endpoints_;
  org::OrgStore& org_;
  const common::Clock& clock_;
  std::string hash_key_;  // the key of the `hash` mask, per consumer department (DATA_DIR/mask.key)
  UsageMeter meter_;
  mutable std::shared_mutex cache_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Access>> cache_;  // grant id → compiled access
};

}  // namespace govshare::exchange
