#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/json.hpp"
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

/// One filter of a query or export as the API states it (docs/API.md): `eq.<item>=v` on any granted item, `gte.`/`lte.`
/// on a granted, unmasked date or number item, `prefix.` on the granted, unmasked division-code item.
struct ItemFilter {
  std::string item;
  Filter::Op op = Filter::Op::kEq;
  std::string value;
};

/// What a filtered query or an export asks for.
struct QueryCall {
  std::vector<ItemFilter> filters;  // all must hold
  std::string cursor;               // a query's next_cursor (opaque); empty: from the first row
  int limit = kDefaultPageRows;     // a query's page size, 1..kMaxQueryLimit (an export has none)
  static constexpr int kDefaultPageRows = 100;
};

/// The streamed formats of an export: CSV (UTF-8, RFC 4180, a header row of the granted items) or JSON Lines.
enum class ExportFormat { kCsv, kJsonLines };

class DataAccess;
struct Access;

/// An export that has passed every check (DataAccess::Export) and may now be streamed: its rows are read from one
/// snapshot when Run is called, on any thread. Holds the compiled access; its DataAccess must outlive it (the
/// platform's does: the server drains the blocking pool before the platform goes).
class ExportPlan {
 public:
  /// Writes the rows (masked, in the row scope, in key order) to `write`, which returns false to stop early; `rows`
  /// counts the rows written.
  common::Status Run(ExportFormat format, const std::function<bool(std::string_view)>& write, std::int64_t& rows) const;

 private:
  friend class DataAccess;
  const DataAccess* data_ = nullptr;
  std::shared_ptr<const Access> access_;
  QuerySpec spec_;
  std::shared_ptr<void> slot_;  // one of DataAccess's export slots, given back when the plan goes
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
             EndpointService& endpoints, org::OrgStore& org, const common::Clock& clock, std::string hash_key,
             int max_concurrent_exports = 4);

  /// GET /data/{dataset}/records/{key} (manner lookup): the record's granted items, masked. `key`: the key item's
  /// value, or the values of a composite key joined by '|'. Returns the JSON body.
  common::Result<std::string> Lookup(const org::Principal& p, const DataCall& call, const std::string& key,
                                     Served& served);
  /// POST /data/{dataset}/verify (manner verify, 核验): compares the given values (granted items, the key among them)
  /// with the record; answers per field true/false and never a value.
  common::Result<std::string> Verify(const org::Principal& p, const DataCall& call,
                                     const std::vector<std::pair<std::string, std::string>>& fields, Served& served);
  /// GET /data/{dataset}/records (manner bulk): one page of the records matching the filters in the row scope, in key
  /// order, with only the granted items, masked; `next_cursor` continues. One use of the quota per page.
  common::Result<std::string> Query(const org::Principal& p, const DataCall& call, const QueryCall& query,
                                    Served& served);
  /// GET /data/{dataset}/export (manner bulk): checks the call (as Query, without cursor and limit), takes one of
  /// the export slots (503 exports_busy when all are running: nothing is taken from the quota) and one use of the
  /// quota; the rows are streamed afterwards by the plan, which holds its slot until it is destroyed.
  common::Result<ExportPlan> Export(const org::Principal& p, const DataCall& call, const QueryCall& query,
                                    Served& served);
  /// GET /data/{dataset}/changes (manner subscribe): change-feed entries after `since` in the row scope, oldest first,
  /// at most `limit`; an upsert carries the granted items of the row as it is now, masked; a delete only its key.
  common::Result<std::string> Changes(const org::Principal& p, const DataCall& call, std::int64_t since, int limit,
                                      Served& served);
  /// True if the dataset's reads call a provider (logical access: run them on the blocking pool).
  bool IsLogical(std::int64_t dataset_id);
  /// Today's use of a grant (for the grant's page).
  Usage UsageOf(const std::string& grant_id) const { return meter_.Get(grant_id, clock_.Now()); }
  /// The grants' usage counters (the platform saves and restores them).
  UsageMeter& meter() { return meter_; }

 private:
  friend class ExportPlan;
  /// Checks the call against its grant (who, business reference, grant, dataset, validity, manner) and compiles the
  /// access it may have, or names the denial. Takes nothing from the quota: Meter does, once the call is valid.
  common::Result<std::shared_ptr<const Access>> Authorize(const org::Principal& p, const DataCall& call,
                                                          std::string_view manner, Served& served);
  /// Admits one call against the grant's per-minute rate (rate_limited, 429) and takes `records` of its daily volume
  /// (quota_exceeded, 403; with 0, at least one record must be left). Art. 14.
  common::Status Meter(const Access& a, std::int64_t records = 1);
  /// Takes `records` more of the day's volume, for a call that knew them only once it had run (quota_exceeded, 403).
  common::Status Charge(const Access& a, std::int64_t records);
  common::Status QuotaExceeded(const Access& a, std::int64_t records) const;
  /// A query's or export's filters, cursor and row scope as a store QuerySpec: item_not_granted and item_masked (403),
  /// invalid_filter and invalid_cursor (400), manner_not_supported_for_logical (409).
  common::Result<QuerySpec> Spec(const Access& a, const QueryCall& query) const;
  /// Writes a physical row's granted items as a JSON object, each masked per grant (unmasked numbers stay numbers).
  void WriteRecord(common::JsonWriter& w, const Access& a, const Row& row) const;
  /// The row's granted items as masked text ("" for null), for CSV.
  std::vector<std::string> RecordTexts(const Access& a, const Row& row) const;
  /// True if a physical row with this division code lies in the grant's row scope (Art. 14).
  bool InScope(const Access& a, const std::string& region) const;
  /// The opaque next_cursor after `key`: encrypted (it holds the key unmasked) and bound to the grant.
  std::string SealCursor(const Access& a, const std::vector<std::string>& key) const;
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
  const int max_exports_;
  std::atomic<int> exports_running_{0};
  mutable std::shared_mutex cache_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Access>> cache_;  // grant id → compiled access
};

}  // namespace govshare::exchange
