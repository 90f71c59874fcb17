#pragma once

#include <optional>
#include <shared_mutex>
#include <unordered_map>

#include "catalog/catalog_service.hpp"
#include "common/versioned_cache.hpp"
#include "exchange/logical.hpp"
#include "org/org_store.hpp"
#include "org/permissions.hpp"

namespace govshare::exchange {

/// Registration of providers' service interfaces for logical access (Art. 12, 16), and the client that calls them.
/// The provider department (its data stewards and catalog managers) registers the interface of one of its published
/// entries; the authority over it and the platform administrator may read it. Secrets are never returned.
class EndpointService {
 public:
  EndpointService(EndpointStore& store, catalog::CatalogService& catalog, org::OrgStore& org,
                  const org::RegionTree& regions, const common::Clock& clock)
      : store_(store), catalog_(catalog), org_(org), regions_(regions), clock_(clock), client_(clock) {}

  /// Registers or replaces the interface of entry `e.entry_id`. An empty secret keeps the one registered before.
  common::Result<Endpoint> Register(const org::Principal& p, Endpoint e);
  common::Result<Endpoint> Get(const org::Principal& p, std::int64_t entry_id);
  /// Calls the health URL now.
  common::Result<std::int64_t> CheckHealth(const org::Principal& p, std::int64_t entry_id);
  /// The registered interface, for the data path (no access check: the caller has checked the grant). From memory:
  /// every registered interface is loaded at the first call and kept up to date by Register.
  common::Result<std::optional<Endpoint>> Find(std::int64_t entry_id);
  LogicalClient& client() { return client_; }
  /// Drops the interfaces held in memory (another node registered one); the next Find loads them again.
  void Forget();

 private:
  bool IsProviderStaff(const org::Principal& p, std::int64_t provider_department_id) const;
  bool Sees(const org::Principal& p, std::int64_t provider_department_id) const;

  EndpointStore& store_;
  catalog::CatalogService& catalog_;
  org::OrgStore& org_;
  const org::RegionTree& regions_;
  const common::Clock& clock_;
  LogicalClient client_;
  using EndpointCache = common::VersionedCache<std::int64_t, Endpoint>;
  EndpointCache cache_;  // every endpoint once loaded (complete): a miss then means none
};

}  // namespace govshare::exchange
