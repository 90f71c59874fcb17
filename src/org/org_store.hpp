#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.hpp"
#include "org/model.hpp"

namespace govshare::org {

/// What a list may be sorted by. Each list route accepts some of these (its whitelist, docs/API.md §Pagination); a
/// store answers invalid_sort for a field its list cannot sort by.
enum class SortField {
  kId,
  kName,
  kUsername,
  kDisplayName,
  kRegion,
  kKind,
  kType,
  kSubject,
  kState,
  kDueAt,
  kCreatedAt,
  kUpdatedAt,
  kStatus,
  kValidTo,
  kResourceCode,
  kRowCount,
  kLastLoadAt
};

/// Whether the field's values are integers (ids, times, counts); else they are text.
constexpr bool IsIntegerSort(SortField f) {
  return f == SortField::kId || f == SortField::kDueAt || f == SortField::kCreatedAt || f == SortField::kUpdatedAt ||
         f == SortField::kValidTo || f == SortField::kRowCount || f == SortField::kLastLoadAt;
}

/// One row's value of the sort field: an integer (IsIntegerSort) or text. A missing time (due, last load) sorts as the
/// largest integer (last when ascending).
using SortValue = std::variant<std::int64_t, std::string>;

/// A page of a list: `limit` items in (`sort`, id) order, ascending or `descending`, after the row the previous page
/// ended with (keyset paging). In the default order (id ascending) that row is `after_id` alone; under any other sort
/// it is `after_value` and `after_id` together, and a first page has no `after_value`. Ties on the sort value are
/// broken by id in the same direction, so paging visits every row once. A list whose rows are keyed by text (grants)
/// is never in the default order: its page starts after (`after_value`, `after_key`), and `after_id` is unused.
struct PageRequest {
  PageRequest(std::int64_t after = 0, int page_limit = 50) : after_id(after), limit(page_limit) {}  // NOLINT: {0, 200}

  std::int64_t after_id = 0;
  int limit = 50;
  SortField sort = SortField::kId;
  bool descending = false;
  std::optional<SortValue> after_value;
  std::string after_key;  // the last row's key, in lists keyed by text

  /// Moves the page past `row` (for a service that pages through a store): its id and its value of the sort field.
  template <typename Row>
  void After(const Row& row) {
    if constexpr (std::is_integral_v<decltype(row.id)>) {
      after_id = row.id;
    } else {
      after_key = row.id;
    }
    if (!DefaultOrder()) after_value = SortValueOf(row, sort);
  }

  /// Whether this is the default order (id ascending), paged by after_id alone.
  bool DefaultOrder() const { return sort == SortField::kId && !descending; }
};

/// The page `page` of rows held in memory, in the order a store would give: by (sort value, id) in the page's
/// direction (id alone in the default order), after the cursor's row, at most `limit`. `item(row)` is the row's
/// object, which has an integer `id` and a SortValueOf.
template <typename Row, typename Item>
std::vector<Row> PageInMemory(std::vector<Row> rows, const PageRequest& page, Item item) {
  using Key = std::pair<SortValue, std::int64_t>;
  const auto key = [&](const Row& r) {
    const auto& x = item(r);
    return Key{page.DefaultOrder() ? SortValue(x.id) : SortValueOf(x, page.sort), x.id};
  };
  std::vector<std::pair<Key, std::size_t>> order;
  order.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) order.emplace_back(key(rows[i]), i);
  std::sort(order.begin(), order.end(),
            [&](const auto& a, const auto& b) { return page.descending ? b.first < a.first : a.first < b.first; });
  std::optional<Key> after;
  if (page.DefaultOrder()) {
    after = Key{SortValue(page.after_id), page.after_id};
  } else if (page.after_value) {
    after = Key{*page.after_value, page.after_id};
  }
  std::vector<Row> out;
  for (const auto& [k, i] : order) {
    if (static_cast<int>(out.size()) == page.limit) break;
    if (after && !(page.descending ? k < *after : *after < k)) continue;
    out.push_back(std::move(rows[i]));
  }
  return out;
}

/// A row's value of the sort field `f` (for the next page's cursor, and for services that page through a store); the id
/// for a field the row's list cannot sort by.
inline SortValue SortValueOf(const Department& d, SortField f) {
  switch (f) {
    case SortField::kName:
      return d.name;
    case SortField::kRegion:
      return d.region_id;
    case SortField::kKind:
      return std::string(DepartmentKindName(d.kind));
    case SortField::kCreatedAt:
      return d.created_at;
    case SortField::kUpdatedAt:
      return d.updated_at;
    default:
      return d.id;
  }
}

inline SortValue SortValueOf(const User& u, SortField f) {
  switch (f) {
    case SortField::kUsername:
      return u.username;
    case SortField::kDisplayName:
      return u.display_name;
    case SortField::kCreatedAt:
      return u.created_at;
    case SortField::kUpdatedAt:
      return u.updated_at;
    default:
      return u.id;
  }
}

inline SortValue SortValueOf(const Application& a, SortField f) {
  switch (f) {
    case SortField::kName:
      return a.name;
    case SortField::kCreatedAt:
      return a.created_at;
    case SortField::kUpdatedAt:
      return a.updated_at;
    default:
      return a.id;
  }
}

struct DepartmentFilter {
  std::optional<std::string> region_id;
  std::optional<DepartmentKind> kind;
  std::optional<std::string> query;  // substring of the name or the credit code
};

struct UserFilter {
  std::optional<std::int64_t> department_id;
  std::optional<std::vector<std::string>> region_ids;  // only users of departments in these regions
  std::optional<std::string> query;                    // substring of username or display name
};

struct ApplicationFilter {
  std::optional<std::int64_t> department_id;
  std::optional<std::vector<std::string>> region_ids;  // only applications of departments in these regions
};

/// A user with the secrets the store keeps for authentication.
struct UserCredentials {
  User user;
  std::string password_hash;
};

/// Storage of the organisation model. Implementations are thread-safe; every write is durable when the call returns.
/// Writes that carry `expected_version` fail with kConflict/version_conflict when the stored version differs.
class OrgStore {
 public:
  virtual ~OrgStore() = default;

  virtual common::Result<std::vector<Region>> ListRegions() = 0;
  /// Replaces nothing: inserts regions that are missing (reference data from data/regions).
  virtual common::Status UpsertRegions(const std::vector<Region>& regions) = 0;

  virtual common::Result<std::vector<Department>> ListDepartments(const DepartmentFilter& filter,
                                                                  const PageRequest& page) = 0;
  virtual common::Result<std::optional<Department>> GetDepartment(std::int64_t id) = 0;
  virtual common::Status CreateDepartment(Department& department) = 0;  // sets id
  virtual common::Status UpdateDepartment(const Department& department, std::int64_t expected_version) = 0;

  virtual common::Result<std::vector<User>> ListUsers(const UserFilter& filter, const PageRequest& page) = 0;
  virtual common::Result<std::optional<User>> GetUser(std::int64_t id) = 0;
  virtual common::Result<std::optional<UserCredentials>> GetUserByUsername(const std::string& username) = 0;
  virtual common::Status CreateUser(User& user, const std::string& password_hash) = 0;  // sets id
  virtual common::Status UpdateUser(const User& user, std::int64_t expected_version) = 0;
  virtual common::Status SetPassword(std::int64_t user_id, const std::string& password_hash, bool must_change) = 0;
  /// Records the outcome of a login attempt: failure count and lock, or a reset on success.
  virtual common::Status RecordLogin(std::int64_t user_id, int failed_logins,
                                     std::optional<UnixSeconds> locked_until) = 0;

  virtual common::Status CreateSession(const Session& session) = 0;
  /// The session and its principal, if the token hash is known and not revoked (expiry is the caller's check).
  virtual common::Result<std::optional<std::pair<Session, Principal>>> FindSession(const std::string& token_hash) = 0;
  virtual common::Status RevokeSession(const std::string& token_hash) = 0;
  virtual common::Status RevokeUserSessions(std::int64_t user_id) = 0;

  virtual common::Result<std::vector<Application>> ListApplications(const ApplicationFilter& filter,
                                                                    const PageRequest& page) = 0;
  virtual common::Result<std::optional<Application>> GetApplication(std::int64_t id) = 0;
  virtual common::Status CreateApplication(Application& application) = 0;  // sets id
  virtual common::Status UpdateApplication(const Application& application, std::int64_t expected_version) = 0;

  virtual common::Result<std::vector<ApiKey>> ListApiKeys(std::int64_t application_id) = 0;
  virtual common::Status CreateApiKey(ApiKey& key) = 0;  // sets id
  virtual common::Status RevokeApiKey(std::int64_t application_id, std::int64_t key_id, UnixSeconds at) = 0;
  /// The key with this prefix and the principal of its application.
  virtual common::Result<std::optional<std::pair<ApiKey, Principal>>> FindApiKey(const std::string& prefix) = 0;
};

}  // namespace govshare::org
