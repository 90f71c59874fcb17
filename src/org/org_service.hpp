#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/status.hpp"
#include "org/org_store.hpp"
#include "org/permissions.hpp"

namespace govshare::org {

struct LoginResult {
  std::string token;  // shown to the client once; only its hash is stored
  Session session;
  Principal principal;
};

struct DepartmentPatch {
  std::int64_t version = 0;
  std::optional<std::string> name;
  std::optional<std::string> responsible_unit;
  std::optional<std::string> contact_name;
  std::optional<std::string> contact_phone;
  std::optional<bool> active;
};

struct NewUser {
  std::string username;
  std::string display_name;
  std::int64_t department_id = 0;
  std::vector<std::string> roles;
  std::optional<std::string> valid_until;
};

struct UserPatch {
  std::int64_t version = 0;
  std::optional<std::string> display_name;
  std::optional<std::vector<std::string>> roles;
  std::optional<bool> active;
  std::optional<std::string> valid_until;
  bool unlock = false;
};

struct CreatedUser {
  User user;
  std::string initial_password;  // shown once
};

struct ApplicationPatch {
  std::int64_t version = 0;
  std::optional<std::string> description;
  std::optional<bool> active;
};

struct CreatedApiKey {
  ApiKey key;
  std::string api_key;  // `gsk_<prefix>_<secret>`, shown once
};

/// The rules of the organisation model (Art. 4) and of authentication. Every method that acts for a principal checks
/// its permission through the Authorizer before touching the store. Thread-safe.
class OrgService {
 public:
  OrgService(OrgStore& store, const RegionTree& regions, const Authorizer& authorizer, const common::Clock& clock,
             common::Config::Auth auth);

  // ---- authentication ----
  common::Result<LoginResult> Login(const std::string& username, const std::string& password,
                                    const std::string& client_address);
  common::Status Logout(const std::string& token);
  /// Resolves a bearer token or session cookie value: a session token or an application API key.
  common::Result<Principal> Authenticate(const std::string& token);
  common::Status ChangePassword(const Principal& p, const std::string& current, const std::string& next);

  // ---- regions and departments ----
  const RegionTree& regions() const { return regions_; }
  const Authorizer& authorizer() const { return authorizer_; }
  common::Result<std::vector<Department>> ListDepartments(const Principal& p, const DepartmentFilter& filter,
                                                          const PageRequest& page);
  common::Result<Department> GetDepartment(const Principal& p, std::int64_t id);
  common::Result<Department> CreateDepartment(const Principal& p, Department department);
  common::Result<Department> UpdateDepartment(const Principal& p, std::int64_t id, const DepartmentPatch& patch);

  // ---- users ----
  common::Result<std::vector<User>> ListUsers(const Principal& p, UserFilter filter, const PageRequest& page);
  common::Result<User> GetUser(const Principal& p, std::int64_t id);
  common::Result<CreatedUser> CreateUser(const Principal& p, const NewUser& request);
  common::Result<User> UpdateUser(const Principal& p, std::int64_t id, const UserPatch& patch);
  common::Result<std::string> ResetPassword(const Principal& p, std::int64_t id);

  // ---- applications and keys ----
  common::Result<std::vector<Application>> ListApplications(const Principal& p, ApplicationFilter filter,
                                                            const PageRequest& page);
  common::Result<Application> GetApplication(const Principal& p, std::int64_t id);
  /// The name of application `id` (nullopt if there is none), to label a record the caller may already read (a
  /// request or grant names the application it serves; its name is not withheld from the parties of the grant).
  std::optional<std::string> ApplicationName(std::int64_t id);
  common::Result<Application> CreateApplication(const Principal& p, Application application);
  common::Result<Application> UpdateApplication(const Principal& p, std::int64_t id, const ApplicationPatch& patch);
  common::Result<std::vector<ApiKey>> ListApiKeys(const Principal& p, std::int64_t application_id);
  common::Result<CreatedApiKey> CreateApiKey(const Principal& p, std::int64_t application_id, const std::string& label,
                                             std::optional<std::int64_t> expires_in_days);
  common::Status RevokeApiKey(const Principal& p, std::int64_t application_id, std::int64_t key_id);

  // ---- set-up (CLI: init, demo) — no principal, the operator is trusted ----
  common::Result<Department> BootstrapDepartment(Department department);
  common::Result<CreatedUser> BootstrapUser(const NewUser& request, const std::optional<std::string>& password);
  common::Result<CreatedApiKey> BootstrapApiKey(std::int64_t application_id, const std::string& label);

  /// Today's date in Asia/Shanghai as YYYY-MM-DD.
  std::string Today() const;
  /// The password policy: at least 12 characters with upper, lower case letters and digits, not the username.
  static common::Status CheckPasswordPolicy(const std::string& password, const std::string& username);

 private:
  common::Status ValidateDepartment(const Department& d) const;
  common::Result<User> ValidateNewUser(const Principal* p, const NewUser& request) const;
  common::Result<Department> LoadDepartment(std::int64_t id);
  common::Result<Application> LoadApplicationFor(const Principal& p, std::int64_t id, Permission perm);
  common::Status CheckRolesAssignable(const Principal* p, const RoleSet& roles, const Department& department,
                                      const std::optional<std::string>& valid_until) const;
  common::Result<RoleSet> ParseRoles(const std::vector<std::string>& names) const;
  std::optional<std::vector<std::string>> SubtreeOf(const std::string& region_id) const;
  bool AllowLoginAttempt(const std::string& client_address);
  std::string HashPasswordOrDie(const std::string& password) const;
  common::Result<CreatedApiKey> IssueApiKey(std::int64_t application_id, const std::string& label,
                                            std::int64_t ttl_days, std::int64_t created_by);

  OrgStore& store_;
  const RegionTree& regions_;
  const Authorizer& authorizer_;
  const common::Clock& clock_;
  common::Config::Auth auth_;

  /// Application names by id: a name never changes (UpdateApplication changes the description and the state) and ids
  /// are not reused, so a name once read stays true; a list of requests or grants names each application with one
  /// read at most, not one per row.
  std::mutex application_names_mutex_;
  std::unordered_map<std::int64_t, std::string> application_names_;  // application_names_mutex_

  /// Principals of recently seen credentials, so that the hot path (every authenticated request) does not read the
  /// database. An entry lives at most kPrincipalCacheTtl; logout erases it and every change to users, departments,
  /// applications or keys bumps `generation_`, which invalidates all entries at once. Expiry (session, key, contractor
  /// validity) is checked on every use. With several nodes, a change made on another node is seen within the TTL.
  struct CachedPrincipal {
    Principal principal;
    UnixSeconds expires_at = 0;
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point cached_at;
  };
  std::optional<Principal> FromCache(const std::string& key);

 public:
  /// Drops every cached principal (another node changed users, roles, sessions, applications or keys).
  void ForgetCachedPrincipals() { InvalidateCache(); }

 private:
  void ToCache(const std::string& key, const Principal& p, UnixSeconds expires_at, std::uint64_t generation);
  void InvalidateCache() { generation_.fetch_add(1); }
  common::Result<Principal> CheckCachedOrLoad(const std::string& token);

  std::shared_mutex cache_mutex_;
  std::unordered_map<std::string, CachedPrincipal> cache_;
  std::atomic<std::uint64_t> generation_{0};

  std::mutex throttle_mutex_;
  std::unordered_map<std::string, std::pair<UnixSeconds, int>> attempts_;  // client -> (minute, count)
};

}  // namespace govshare::org
