#include "org/org_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/crypto.hpp"
#include "common/json.hpp"
#include "common/validate.hpp"

namespace govshare::org {

using common::Result;
using common::Status;

namespace {

constexpr std::size_t kMaxNameChars = 100;
constexpr std::size_t kMaxUnitChars = 100;
constexpr std::size_t kMaxPersonChars = 50;
constexpr std::size_t kMaxDescriptionChars = 500;
constexpr std::int64_t kMaxContractorDays = 180;  // Art. 27: contractor access is time-boxed
constexpr std::int64_t kMaxApiKeyDays = 730;
constexpr std::size_t kApiKeyPrefixChars = 12;
constexpr std::size_t kMinPasswordChars = 12;
constexpr auto kPrincipalCacheTtl = std::chrono::seconds(5);
constexpr std::size_t kPrincipalCacheMax = 100000;

Status CheckText(const std::string& value, std::string_view field, std::size_t max_chars) {
  const std::string pointer = "/" + std::string(field);
  if (value.find_first_not_of(" \t") == std::string::npos) {
    return Status::Invalid("empty_field", fmt::format("{} must not be empty", field), pointer);
  }
  if (common::Utf8Length(value) > max_chars) {
    return Status::Invalid("too_long", fmt::format("{} is longer than {} characters", field, max_chars), pointer);
  }
  if (!common::IsCleanText(value) || value.find('\n') != std::string::npos) {
    return Status::Invalid("invalid_text", fmt::format("{} contains control characters", field), pointer);
  }
  return Status::Ok();
}

Status NotFound(std::string_view what, std::int64_t id) {
  return Status::NotFound(fmt::format("{} {} does not exist", what, id));
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/// ^[a-z0-9][a-z0-9._-]{2,63}$
bool IsUsername(const std::string& s) {
  if (s.size() < 3 || s.size() > 64 || !IsLowerAlnum(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsLowerAlnum(c) || c == '.' || c == '_' || c == '-'; });
}

/// A landline: ^0\d{2,3}-?\d{7,8}$ (area code with its leading 0, optional dash, local number).
bool IsLandline(const std::string& s) {
  const auto dash = s.find('-');
  const std::string digits = dash == std::string::npos ? s : s.substr(0, dash) + s.substr(dash + 1);
  if (digits.empty() || digits[0] != '0' || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return false;
  if (dash != std::string::npos) {
    const std::size_t local = s.size() - dash - 1;
    return (dash == 3 || dash == 4) && (local == 7 || local == 8) && s.find('-', dash + 1) == std::string::npos;
  }
  return digits.size() >= 10 && digits.size() <= 12;
}

/// A dummy argon2id hash so that a login for an unknown user costs as much as one for a known user.
const std::string& DummyHash() {
  static const std::string hash = common::HashPassword("govshare-timing-equaliser").value();
  return hash;
}

}  // namespace

OrgService::OrgService(OrgStore& store, const RegionTree& regions, const Authorizer& authorizer,
                       const common::Clock& clock, common::Config::Auth auth)
    : store_(store), regions_(regions), authorizer_(authorizer), clock_(clock), auth_(auth) {}

std::string OrgService::Today() const { return common::FormatDate(clock_.Now()); }

Status OrgService::CheckPasswordPolicy(const std::string& password, const std::string& username) {
  const auto has = [&](auto pred) { return std::any_of(password.begin(), password.end(), pred); };
  if (password.size() < kMinPasswordChars || password.size() > 128 || !has(::isupper) || !has(::islower) ||
      !has(::isdigit)) {
    return Status::Unprocessable(
        "weak_password", "the password needs 12 to 128 characters with upper- and lower-case letters and digits",
        "/new_password");
  }
  if (password.find(username) != std::string::npos) {
    return Status::Unprocessable("weak_password", "the password must not contain the username", "/new_password");
  }
  return Status::Ok();
}

std::string OrgService::HashPasswordOrDie(const std::string& password) const {
  auto hash = common::HashPassword(
      password, auth_.fast_password_hash ? common::PasswordCost::kMinimum : common::PasswordCost::kInteractive);
  if (!hash.ok()) throw std::runtime_error(hash.status().message());
  return hash.value();
}

// ---- authentication ---------------------------------------------------------------------------------------------

bool OrgService::AllowLoginAttempt(const std::string& client_address) {
  const UnixSeconds minute = clock_.Now() / 60;
  std::lock_guard lock(throttle_mutex_);
  if (attempts_.size() > 100000) attempts_.clear();  // bound memory under a spray of addresses
  auto& [window, count] = attempts_[client_address];
  if (window != minute) {
    window = minute;
    count = 0;
  }
  return ++count <= auth_.login_attempts_per_minute_per_ip;
}

Result<LoginResult> OrgService::Login(const std::string& username, const std::string& password,
                                      const std::string& client_address) {
  if (!AllowLoginAttempt(client_address)) {
    return Status(common::ErrorKind::kTooManyRequests, "too_many_attempts",
                  "too many login attempts from this address; wait a minute");
  }
  auto found = store_.GetUserByUsername(username);
  if (!found.ok()) return found.status();
  const Status invalid = Status::Unauthenticated("invalid_credentials", "wrong username or password");
  if (!found.value()) {
    common::VerifyPassword(password, DummyHash());
    return invalid;
  }
  auto& [user, hash] = *found.value();
  const UnixSeconds now = clock_.Now();
  if (user.locked_until && *user.locked_until > now) {
    return Status(common::ErrorKind::kLocked, "account_locked",
                  fmt::format("the account is locked after repeated failures until {}",
                              common::FormatRfc3339(*user.locked_until)));
  }
  if (!common::VerifyPassword(password, hash)) {
    const int failures = user.failed_logins + 1;
    std::optional<UnixSeconds> lock;
    if (failures >= auth_.max_failed_logins) lock = now + auth_.lockout_s;
    GOVSHARE_RETURN_IF_ERROR(store_.RecordLogin(user.id, lock ? 0 : failures, lock));
    if (lock) {
      spdlog::warn("account {} locked after {} failed logins from {}", user.username, failures, client_address);
      return Status(
          common::ErrorKind::kLocked, "account_locked",
          fmt::format("the account is locked after {} failures until {}", failures, common::FormatRfc3339(*lock)));
    }
    return invalid;
  }
  if (!user.active) return Status(common::ErrorKind::kForbidden, "account_disabled", "the account is disabled");
  if (user.valid_until && Today() > *user.valid_until) {
    return Status(common::ErrorKind::kForbidden, "account_expired", "the account's validity period has ended");
  }
  if (user.failed_logins != 0 || user.locked_until) GOVSHARE_RETURN_IF_ERROR(store_.RecordLogin(user.id, 0, {}));

  LoginResult result;
  result.token = common::RandomToken(32);
  result.session = {common::Sha256Hex(result.token), user.id,       common::RandomToken(16), now,
                    now + auth_.session_ttl_s,       client_address};
  GOVSHARE_RETURN_IF_ERROR(store_.CreateSession(result.session));
  auto session = store_.FindSession(result.session.token_hash);
  if (!session.ok()) return session.status();
  if (!session.value()) return Status::Forbidden("the account's department is disabled");
  result.principal = session.value()->second;
  return result;
}

Status OrgService::Logout(const std::string& token) {
  const std::string hash = common::Sha256Hex(token);
  GOVSHARE_RETURN_IF_ERROR(store_.RevokeSession(hash));
  std::unique_lock lock(cache_mutex_);
  cache_.erase(hash);
  return Status::Ok();
}

std::optional<Principal> OrgService::FromCache(const std::string& key) {
  std::shared_lock lock(cache_mutex_);
  const auto it = cache_.find(key);
  if (it == cache_.end() || it->second.generation != generation_.load() ||
      std::chrono::steady_clock::now() - it->second.cached_at > kPrincipalCacheTtl) {
    return std::nullopt;
  }
  if (it->second.expires_at <= clock_.Now()) return std::nullopt;  // let the full path report why
  const auto& p = it->second.principal;
  if (p.valid_until && Today() > *p.valid_until) return std::nullopt;
  return p;
}

void OrgService::ToCache(const std::string& key, const Principal& p, UnixSeconds expires_at, std::uint64_t generation) {
  std::unique_lock lock(cache_mutex_);
  if (cache_.size() >= kPrincipalCacheMax) cache_.clear();
  cache_[key] = {p, expires_at, generation, std::chrono::steady_clock::now()};
}

Result<Principal> OrgService::Authenticate(const std::string& token) {
  // The cache is keyed by the credential's hash, never by the credential itself.
  const std::string key = common::Sha256Hex(token);
  if (auto cached = FromCache(key)) return *std::move(cached);
  const std::uint64_t generation = generation_.load();  // read before loading: a concurrent change wins
  auto loaded = CheckCachedOrLoad(token);
  if (loaded.ok()) ToCache(key, loaded.value(), loaded->expires_at, generation);
  return loaded;
}

Result<Principal> OrgService::CheckCachedOrLoad(const std::string& token) {
  const Status invalid = Status::Unauthenticated("unauthenticated", "missing or invalid credentials");
  const UnixSeconds now = clock_.Now();
  if (token.rfind("gsk_", 0) == 0) {
    if (token.size() < 4 + kApiKeyPrefixChars + 2 || token[4 + kApiKeyPrefixChars] != '_') return invalid;
    auto found = store_.FindApiKey(token.substr(4, kApiKeyPrefixChars));
    if (!found.ok()) return found.status();
    if (!found.value()) return invalid;
    const auto& [key, principal] = *found.value();
    if (!common::ConstantTimeEquals(common::Sha256Hex(token.substr(5 + kApiKeyPrefixChars)), key.secret_hash)) {
      return invalid;
    }
    if (key.revoked_at) return Status::Unauthenticated("api_key_revoked", "the API key has been revoked");
    if (key.expires_at <= now) return Status::Unauthenticated("api_key_expired", "the API key has expired");
    return principal;
  }
  if (token.empty() || token.size() > 256) return invalid;
  auto found = store_.FindSession(common::Sha256Hex(token));
  if (!found.ok()) return found.status();
  if (!found.value()) return invalid;
  const auto& [session, principal] = *found.value();
  if (session.expires_at <= now) return Status::Unauthenticated("session_expired", "the session has expired");
  if (principal.valid_until && Today() > *principal.valid_until) {
    return Status::Unauthenticated("account_expired", "the account's validity period has ended");
  }
  return principal;
}

Status OrgService::ChangePassword(const Principal& p, const std::string& current, const std::string& next) {
  if (p.kind != Principal::Kind::kUser) return Status::Forbidden("only users have passwords");
  auto found = store_.GetUserByUsername(p.name);
  if (!found.ok()) return found.status();
  if (!found.value() || !common::VerifyPassword(current, found.value()->password_hash)) {
    Status s(common::ErrorKind::kUnauthenticated, "invalid_credentials", "the current password is wrong",
             "/current_password");
    return s;
  }
  GOVSHARE_RETURN_IF_ERROR(CheckPasswordPolicy(next, p.name));
  if (next == current) {
    return Status::Unprocessable("weak_password", "the new password must differ from the current one", "/new_password");
  }
  GOVSHARE_RETURN_IF_ERROR(store_.SetPassword(p.id, HashPasswordOrDie(next), /*must_change=*/false));
  InvalidateCache();
  return Status::Ok();
}

// ---- departments ------------------------------------------------------------------------------------------------

Status OrgService::ValidateDepartment(const Department& d) const {
  GOVSHARE_RETURN_IF_ERROR(CheckText(d.name, "name", kMaxNameChars));
  if (!common::IsValidCreditCode(d.credit_code)) {
    return Status::Unprocessable("invalid_credit_code",
                                 "credit_code is not a valid GB 32100 unified social credit code", "/credit_code");
  }
  if (regions_.Find(d.region_id) == nullptr) {
    return Status::Unprocessable("unknown_region", fmt::format("region {} does not exist", d.region_id), "/region_id");
  }
  GOVSHARE_RETURN_IF_ERROR(CheckText(d.responsible_unit, "responsible_unit", kMaxUnitChars));
  GOVSHARE_RETURN_IF_ERROR(CheckText(d.contact_name, "contact_name", kMaxPersonChars));
  if (!common::IsValidMobile(d.contact_phone) && !IsLandline(d.contact_phone)) {
    return Status::Unprocessable("invalid_phone", "contact_phone must be a mobile or landline number",
                                 "/contact_phone");
  }
  return Status::Ok();
}

Result<Department> OrgService::LoadDepartment(std::int64_t id) {
  auto found = store_.GetDepartment(id);
  if (!found.ok()) return found.status();
  if (!found.value()) return NotFound("department", id);
  return *found.value();
}

Result<std::vector<Department>> OrgService::ListDepartments(const Principal& p, const DepartmentFilter& filter,
                                                            const PageRequest& page) {
  if (!authorizer_.HasPermission(p, Permission::kDepartmentRead)) return Status::Forbidden("not allowed");
  return store_.ListDepartments(filter, page);
}

Result<Department> OrgService::GetDepartment(const Principal& p, std::int64_t id) {
  if (!authorizer_.HasPermission(p, Permission::kDepartmentRead)) return Status::Forbidden("not allowed");
  return LoadDepartment(id);
}

Result<Department> OrgService::CreateDepartment(const Principal& p, Department d) {
  d.credit_code = common::AsciiUpper(d.credit_code);
  GOVSHARE_RETURN_IF_ERROR(ValidateDepartment(d));
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kDepartmentCreate, {d.region_id, std::nullopt}));
  // An authority head creates departments below; the authority of a region is created by the level above or an admin.
  if (d.kind == DepartmentKind::kAuthority && !p.roles.Has(Role::kPlatformAdmin) && d.region_id == p.region_id) {
    return Status::Forbidden("an authority cannot create another authority for its own region");
  }
  return BootstrapDepartment(std::move(d));
}

Result<Department> OrgService::BootstrapDepartment(Department d) {
  d.credit_code = common::AsciiUpper(d.credit_code);
  GOVSHARE_RETURN_IF_ERROR(ValidateDepartment(d));
  Status s = store_.CreateDepartment(d);
  if (s.code() == "constraint_violation") {
    return Status::Conflict("duplicate_department",
                            "a department with this credit code or name exists, or the region already has an authority",
                            "/credit_code");
  }
  GOVSHARE_RETURN_IF_ERROR(s);
  return d;
}

Result<Department> OrgService::UpdateDepartment(const Principal& p, std::int64_t id, const DepartmentPatch& patch) {
  auto loaded = LoadDepartment(id);
  if (!loaded.ok()) return loaded.status();
  Department d = loaded.value();
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kDepartmentUpdate, {d.region_id, d.id}));
  if (patch.name) d.name = *patch.name;
  if (patch.responsible_unit) d.responsible_unit = *patch.responsible_unit;
  if (patch.contact_name) d.contact_name = *patch.contact_name;
  if (patch.contact_phone) d.contact_phone = *patch.contact_phone;
  if (patch.active) d.active = *patch.active;
  GOVSHARE_RETURN_IF_ERROR(ValidateDepartment(d));
  Status s = store_.UpdateDepartment(d, patch.version);
  InvalidateCache();
  if (s.code() == "constraint_violation") {
    return Status::Conflict("duplicate_department", "another department of the region has this name", "/name");
  }
  GOVSHARE_RETURN_IF_ERROR(s);
  return LoadDepartment(id);
}

// ---- users ------------------------------------------------------------------------------------------------------

std::optional<std::vector<std::string>> OrgService::SubtreeOf(const std::string& region_id) const {
  std::vector<std::string> out;
  for (const auto& r : regions_.all()) {
    if (regions_.IsWithin(r.id, region_id)) out.push_back(r.id);
  }
  return out;
}

Result<RoleSet> OrgService::ParseRoles(const std::vector<std::string>& names) const {
  RoleSet roles;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto r = ParseRole(names[i]);
    if (!r) {
      return Status::Invalid("unknown_role", fmt::format("unknown role '{}'", names[i]), fmt::format("/roles/{}", i));
    }
    roles.Add(*r);
  }
  if (roles.empty()) return Status::Unprocessable("no_roles", "a user needs at least one role", "/roles");
  return roles;
}

Status OrgService::CheckRolesAssignable(const Principal* p, const RoleSet& roles, const Department& department,
                                        const std::optional<std::string>& valid_until) const {
  const bool at_authority = department.kind == DepartmentKind::kAuthority;
  // Art. 4: authority work is done by the authority; a department's staff cannot hold its roles.
  if ((roles.Has(Role::kAuthorityReviewer) || roles.Has(Role::kAuthorityHead)) && !at_authority) {
    return Status::Unprocessable("role_needs_authority",
                                 "authority_reviewer and authority_head belong to a data-sharing authority", "/roles");
  }
  // Only platform administrators hand out platform-wide roles.
  if (p != nullptr && !p->roles.Has(Role::kPlatformAdmin) &&
      (roles.Has(Role::kPlatformAdmin) || roles.Has(Role::kAuditor))) {
    return Status::Forbidden("only a platform administrator can grant platform_admin or auditor");
  }
  // Art. 27: third-party (contractor) accounts are approved, scoped and time-boxed.
  if (roles.Has(Role::kContractor)) {
    if (!valid_until) {
      return Status::Unprocessable("contractor_needs_validity", "a contractor account needs valid_until",
                                   "/valid_until");
    }
    if (roles.Names().size() > 1) {
      return Status::Unprocessable("contractor_role_exclusive", "a contractor account holds no other role", "/roles");
    }
  }
  if (valid_until) {
    const auto until = common::ParseDate(*valid_until);
    const auto today = common::ParseDate(Today());
    if (!until) return Status::Invalid("invalid_date", "valid_until must be a date YYYY-MM-DD", "/valid_until");
    if (*until < *today) return Status::Unprocessable("date_in_past", "valid_until is in the past", "/valid_until");
    if (roles.Has(Role::kContractor) && *until - *today > kMaxContractorDays) {
      return Status::Unprocessable("validity_too_long",
                                   fmt::format("a contractor account is valid for at most {} days", kMaxContractorDays),
                                   "/valid_until");
    }
  }
  return Status::Ok();
}

Result<User> OrgService::ValidateNewUser(const Principal* p, const NewUser& request) const {
  if (!IsUsername(request.username)) {
    return Status::Invalid("invalid_username",
                           "username must be 3-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or "
                           "digit",
                           "/username");
  }
  GOVSHARE_RETURN_IF_ERROR(CheckText(request.display_name, "display_name", kMaxPersonChars));
  auto roles = ParseRoles(request.roles);
  if (!roles.ok()) return roles.status();
  User u;
  u.username = request.username;
  u.display_name = request.display_name;
  u.department_id = request.department_id;
  u.roles = roles.value();
  u.valid_until = request.valid_until;
  u.must_change_password = true;
  if (p != nullptr && u.roles.Has(Role::kContractor)) u.approved_by = p->id;
  return u;
}

Result<std::vector<User>> OrgService::ListUsers(const Principal& p, UserFilter filter, const PageRequest& page) {
  const auto reach = authorizer_.WidestReach(p, Permission::kUserRead);
  if (!reach) return Status::Forbidden("not allowed: user.read");
  if (*reach == Reach::kRegionSubtree) filter.region_ids = SubtreeOf(p.region_id);
  if (*reach == Reach::kOwnDepartment) filter.department_id = p.department_id;
  return store_.ListUsers(filter, page);
}

Result<User> OrgService::GetUser(const Principal& p, std::int64_t id) {
  auto found = store_.GetUser(id);
  if (!found.ok()) return found.status();
  if (!found.value()) return NotFound("user", id);
  auto dept = LoadDepartment(found.value()->department_id);
  if (!dept.ok()) return dept.status();
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kUserRead, {dept->region_id, dept->id}));
  return *found.value();
}

Result<CreatedUser> OrgService::CreateUser(const Principal& p, const NewUser& request) {
  auto user = ValidateNewUser(&p, request);
  if (!user.ok()) return user.status();
  auto dept = LoadDepartment(request.department_id);
  if (!dept.ok()) {
    return Status::Unprocessable("unknown_department", dept.status().message(), "/department_id");
  }
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kUserCreate, {dept->region_id, dept->id}));
  GOVSHARE_RETURN_IF_ERROR(CheckRolesAssignable(&p, user->roles, dept.value(), user->valid_until));
  CreatedUser out{user.value(), common::GeneratePassword()};
  Status s = store_.CreateUser(out.user, HashPasswordOrDie(out.initial_password));
  if (s.code() == "constraint_violation") return Status::Conflict("duplicate_username", "username taken", "/username");
  GOVSHARE_RETURN_IF_ERROR(s);
  return out;
}

Result<CreatedUser> OrgService::BootstrapUser(const NewUser& request, const std::optional<std::string>& password) {
  auto user = ValidateNewUser(nullptr, request);
  if (!user.ok()) return user.status();
  auto dept = LoadDepartment(request.department_id);
  if (!dept.ok()) return dept.status();
  GOVSHARE_RETURN_IF_ERROR(CheckRolesAssignable(nullptr, user->roles, dept.value(), user->valid_until));
  CreatedUser out{user.value(), password.value_or(common::GeneratePassword())};
  out.user.must_change_password = !password.has_value();
  Status s = store_.CreateUser(out.user, HashPasswordOrDie(out.initial_password));
  if (s.code() == "constraint_violation") return Status::Conflict("duplicate_username", "username taken", "/username");
  GOVSHARE_RETURN_IF_ERROR(s);
  return out;
}

Result<User> OrgService::UpdateUser(const Principal& p, std::int64_t id, const UserPatch& patch) {
  auto found = store_.GetUser(id);
  if (!found.ok()) return found.status();
  if (!found.value()) return NotFound("user", id);
  User u = *found.value();
  auto dept = LoadDepartment(u.department_id);
  if (!dept.ok()) return dept.status();
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kUserUpdate, {dept->region_id, dept->id}));
  if (patch.display_name) {
    GOVSHARE_RETURN_IF_ERROR(CheckText(*patch.display_name, "display_name", kMaxPersonChars));
    u.display_name = *patch.display_name;
  }
  if (patch.roles) {
    auto roles = ParseRoles(*patch.roles);
    if (!roles.ok()) return roles.status();
    u.roles = roles.value();
  }
  if (patch.valid_until) u.valid_until = *patch.valid_until;
  if (patch.active) {
    if (!*patch.active && id == p.id) {
      return Status::Unprocessable("cannot_disable_self", "you cannot disable your own account", "/status");
    }
    u.active = *patch.active;
  }
  if (patch.unlock) {
    u.locked_until.reset();
    u.failed_logins = 0;
  }
  if (patch.roles || patch.valid_until) {
    GOVSHARE_RETURN_IF_ERROR(CheckRolesAssignable(&p, u.roles, dept.value(), u.valid_until));
    if (u.roles.Has(Role::kContractor)) u.approved_by = p.id;
  }
  GOVSHARE_RETURN_IF_ERROR(store_.UpdateUser(u, patch.version));
  InvalidateCache();
  auto reloaded = store_.GetUser(id);
  if (!reloaded.ok()) return reloaded.status();
  return *reloaded.value();
}

Result<std::string> OrgService::ResetPassword(const Principal& p, std::int64_t id) {
  auto user = GetUser(p, id);
  if (!user.ok()) return user.status();
  auto dept = LoadDepartment(user->department_id);
  if (!dept.ok()) return dept.status();
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kUserUpdate, {dept->region_id, dept->id}));
  std::string password = common::GeneratePassword();
  GOVSHARE_RETURN_IF_ERROR(store_.SetPassword(id, HashPasswordOrDie(password), /*must_change=*/true));
  GOVSHARE_RETURN_IF_ERROR(store_.RevokeUserSessions(id));
  InvalidateCache();
  return password;
}

// ---- applications and keys --------------------------------------------------------------------------------------

Result<Application> OrgService::LoadApplicationFor(const Principal& p, std::int64_t id, Permission perm) {
  auto found = store_.GetApplication(id);
  if (!found.ok()) return found.status();
  if (!found.value()) return NotFound("application", id);
  auto dept = LoadDepartment(found.value()->department_id);
  if (!dept.ok()) return dept.status();
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, perm, {dept->region_id, dept->id}));
  return *found.value();
}

Result<std::vector<Application>> OrgService::ListApplications(const Principal& p, ApplicationFilter filter,
                                                              const PageRequest& page) {
  const auto reach = authorizer_.WidestReach(p, Permission::kApplicationRead);
  if (!reach) return Status::Forbidden("not allowed: application.read");
  if (*reach == Reach::kRegionSubtree) filter.region_ids = SubtreeOf(p.region_id);
  if (*reach == Reach::kOwnDepartment) filter.department_id = p.department_id;
  return store_.ListApplications(filter, page);
}

Result<Application> OrgService::GetApplication(const Principal& p, std::int64_t id) {
  return LoadApplicationFor(p, id, Permission::kApplicationRead);
}

std::optional<std::string> OrgService::ApplicationName(std::int64_t id) {
  {
    std::lock_guard lock(application_names_mutex_);
    if (auto it = application_names_.find(id); it != application_names_.end()) return it->second;
  }
  auto a = store_.GetApplication(id);
  if (!a.ok() || !a.value()) return std::nullopt;
  std::lock_guard lock(application_names_mutex_);
  application_names_.emplace(id, a.value()->name);
  return a.value()->name;
}

Result<Application> OrgService::CreateApplication(const Principal& p, Application a) {
  GOVSHARE_RETURN_IF_ERROR(CheckText(a.name, "name", kMaxNameChars));
  if (common::Utf8Length(a.description) > kMaxDescriptionChars || !common::IsCleanText(a.description)) {
    return Status::Invalid("invalid_text", "description is too long or contains control characters", "/description");
  }
  auto dept = LoadDepartment(a.department_id);
  if (!dept.ok()) return Status::Unprocessable("unknown_department", dept.status().message(), "/department_id");
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kApplicationCreate, {dept->region_id, dept->id}));
  Status s = store_.CreateApplication(a);
  if (s.code() == "constraint_violation") {
    return Status::Conflict("duplicate_application", "the department already has an application of this name", "/name");
  }
  GOVSHARE_RETURN_IF_ERROR(s);
  return a;
}

Result<Application> OrgService::UpdateApplication(const Principal& p, std::int64_t id, const ApplicationPatch& patch) {
  auto loaded = LoadApplicationFor(p, id, Permission::kApplicationUpdate);
  if (!loaded.ok()) return loaded.status();
  Application a = loaded.value();
  if (patch.description) {
    if (common::Utf8Length(*patch.description) > kMaxDescriptionChars || !common::IsCleanText(*patch.description)) {
      return Status::Invalid("invalid_text", "description is too long or contains control characters", "/description");
    }
    a.description = *patch.description;
  }
  if (patch.active) a.active = *patch.active;
  GOVSHARE_RETURN_IF_ERROR(store_.UpdateApplication(a, patch.version));
  InvalidateCache();
  return LoadApplicationFor(p, id, Permission::kApplicationRead);
}

Result<std::vector<ApiKey>> OrgService::ListApiKeys(const Principal& p, std::int64_t application_id) {
  auto app = LoadApplicationFor(p, application_id, Permission::kApplicationRead);
  if (!app.ok()) return app.status();
  return store_.ListApiKeys(application_id);
}

Result<CreatedApiKey> OrgService::IssueApiKey(std::int64_t application_id, const std::string& label,
                                              std::int64_t ttl_days, std::int64_t created_by) {
  std::string prefix = common::Sha256Hex(common::RandomToken(16)).substr(0, kApiKeyPrefixChars);
  std::string secret = common::RandomToken(32);
  CreatedApiKey out;
  out.key.application_id = application_id;
  out.key.prefix = prefix;
  out.key.secret_hash = common::Sha256Hex(secret);
  out.key.label = label;
  out.key.created_at = clock_.Now();
  out.key.expires_at = out.key.created_at + ttl_days * 86400;
  out.key.created_by = created_by;
  out.api_key = "gsk_" + prefix + "_" + secret;
  GOVSHARE_RETURN_IF_ERROR(store_.CreateApiKey(out.key));
  return out;
}

Result<CreatedApiKey> OrgService::CreateApiKey(const Principal& p, std::int64_t application_id,
                                               const std::string& label, std::optional<std::int64_t> expires_in_days) {
  auto app = LoadApplicationFor(p, application_id, Permission::kApiKeyCreate);
  if (!app.ok()) return app.status();
  if (!app->active) return Status::Unprocessable("application_disabled", "the application is disabled");
  GOVSHARE_RETURN_IF_ERROR(CheckText(label, "label", kMaxPersonChars));
  const std::int64_t days = expires_in_days.value_or(auth_.api_key_default_ttl_days);
  if (days < 1 || days > kMaxApiKeyDays) {
    return Status::Unprocessable("invalid_validity", fmt::format("expires_in_days must be 1 to {}", kMaxApiKeyDays),
                                 "/expires_in_days");
  }
  return IssueApiKey(application_id, label, days, p.id);
}

Result<CreatedApiKey> OrgService::BootstrapApiKey(std::int64_t application_id, const std::string& label) {
  return IssueApiKey(application_id, label, auth_.api_key_default_ttl_days, 0);
}

Status OrgService::RevokeApiKey(const Principal& p, std::int64_t application_id, std::int64_t key_id) {
  auto app = LoadApplicationFor(p, application_id, Permission::kApiKeyRevoke);
  if (!app.ok()) return app.status();
  GOVSHARE_RETURN_IF_ERROR(store_.RevokeApiKey(application_id, key_id, clock_.Now()));
  InvalidateCache();
  return Status::Ok();
}

}  // namespace govshare::org
