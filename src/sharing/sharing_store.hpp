#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "org/org_store.hpp"
#include "sharing/model.hpp"
#include "store/transaction.hpp"

namespace govshare::sharing {

struct RequestFilter {
  std::optional<std::int64_t> requester_department_id;
  std::optional<std::int64_t> provider_department_id;
  std::optional<std::string> state;
  std::optional<std::int64_t> entry_id;
};

struct OutwardFilter {
  std::optional<std::int64_t> requester_department_id;
  std::optional<std::string> state;
};

struct GrantFilter {
  std::optional<std::int64_t> consumer_department_id;
  std::optional<std::int64_t> provider_department_id;
  std::optional<std::int64_t> application_id;
  std::optional<std::string> status;
  std::optional<std::int64_t> entry_id;  // the grants of one catalog entry
};

/// A request's value of the sort field (see org::SortValueOf).
template <typename Request>
org::SortValue SortValueOf(const Request& r, org::SortField f) {
  switch (f) {
    case org::SortField::kState:
      return r.state;
    case org::SortField::kCreatedAt:
      return r.created_at;
    case org::SortField::kUpdatedAt:
      return r.updated_at;
    default:
      return r.id;
  }
}

/// A grant's value of the sort field (see org::SortValueOf): created_at, valid_to, status; created_at for any other.
inline org::SortValue SortValueOf(const Grant& g, org::SortField f) {
  switch (f) {
    case org::SortField::kValidTo:
      return g.valid_to;
    case org::SortField::kStatus:
      return g.status;
    default:
      return g.created_at;
  }
}

/// Storage of sharing requests and grants. Grants are immutable but for their status (the store refuses any other
/// change). Writes taking a transaction run inside a case write and commit with it. Thread-safe.
class SharingStore {
 public:
  virtual ~SharingStore() = default;
  /// Inserts (id 0, sets it) or updates a request.
  virtual common::Status PutRequest(store::Transaction* tx, ShareRequest& r) = 0;
  virtual common::Result<std::optional<ShareRequest>> GetRequest(std::int64_t id) = 0;
  /// A page of requests in the page's order (invalid_sort for a field other than id, state, created_at, updated_at).
  virtual common::Result<std::vector<ShareRequest>> ListRequests(const RequestFilter& filter,
                                                                 const org::PageRequest& page) = 0;
  /// Inserts (id 0, sets it) or updates a request for data held outside the province.
  virtual common::Status PutOutward(store::Transaction* tx, OutwardRequest& r) = 0;
  virtual common::Result<std::optional<OutwardRequest>> GetOutward(std::int64_t id) = 0;
  virtual common::Result<std::vector<OutwardRequest>> ListOutward(const OutwardFilter& filter,
                                                                  const org::PageRequest& page) = 0;
  virtual common::Status InsertGrant(store::Transaction* tx, const Grant& g) = 0;
  virtual common::Status SetGrantStatus(const std::string& id, const std::string& status, const std::string& reason,
                                        std::int64_t by, UnixSeconds at) = 0;
  virtual common::Result<std::optional<Grant>> GetGrant(const std::string& id) = 0;
  /// A page of grants in the page's order (invalid_sort for a field other than created_at, valid_to, status): grants
  /// are keyed by text, so the page starts after (after_value, after_key).
  virtual common::Result<std::vector<Grant>> ListGrants(const GrantFilter& filter, const org::PageRequest& page) = 0;
};

}  // namespace govshare::sharing
