#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "org/org_store.hpp"
#include "store/rows.hpp"

namespace govshare::store {

// The rows of the organisation store as every backend selects, reads and binds them: one column list, one reader and
// one binder per row type, function templates over the backend's statement type (see store/case_rows.hpp), so that
// the SQLite and PostgreSQL org stores cannot drift apart in what they store and return. Only the SQL around the
// columns (placeholders, flag tests, list parameters, the roles' aggregate) is each backend's own.

inline common::Status OrgVersionConflict() {
  return common::Status::Conflict("version_conflict", "the resource was changed by someone else; reload and try again",
                                  "/version");
}

/// The roles of a user from their comma-separated names (unknown names are skipped).
inline org::RoleSet ParseRoles(const std::string& csv) {
  org::RoleSet roles;
  std::stringstream in(csv);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (auto r = org::ParseRole(name)) roles.Add(*r);
  }
  return roles;
}

/// LIKE/ILIKE pattern for a substring search (ESCAPE '\'), with the user's % and _ escaped so they match literally.
inline std::string LikePattern(std::string_view q) {
  std::string out = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

// ---- regions
// ---------------------------------------------------------------------------------------------------------

inline constexpr const char* kRegionColumns = "id, division_code, name, level, parent_id, gb_parent_code, flows_back";

template <typename Row>
org::Region ReadRegion(const Row& s) {
  const std::string level = s.Text(3);
  return {s.Text(0),
          s.OptText(1),
          s.Text(2),
          level == "province" ? org::RegionLevel::kProvince
          : level == "city"   ? org::RegionLevel::kCity
                              : org::RegionLevel::kCounty,
          s.OptText(4),
          s.OptText(5),
          ReadFlag(s, 6)};
}

/// The seven kRegionColumns, in order.
template <typename Stmt>
void BindRegion(Stmt& s, const org::Region& r) {
  s.Bind(1, r.id)
      .Bind(2, r.division_code)
      .Bind(3, r.name)
      .Bind(4, org::RegionLevelName(r.level))
      .Bind(5, r.parent_id)
      .Bind(6, r.gb_parent_code)
      .Bind(7, r.flows_back);
}

// ---- departments
// -----------------------------------------------------------------------------------------------------

inline constexpr const char* kDepartmentColumns =
    "id, name, credit_code, region_id, kind, responsible_unit, contact_name, contact_phone, active, created_at, "
    "updated_at, version";

template <typename Row>
org::Department ReadDepartment(const Row& s) {
  org::Department d;
  d.id = s.Int(0);
  d.name = s.Text(1);
  d.credit_code = s.Text(2);
  d.region_id = s.Text(3);
  d.kind = org::ParseDepartmentKind(s.Text(4)).value_or(org::DepartmentKind::kDepartment);
  d.responsible_unit = s.Text(5);
  d.contact_name = s.Text(6);
  d.contact_phone = s.Text(7);
  d.active = ReadFlag(s, 8);
  d.created_at = s.Int(9);
  d.updated_at = s.Int(10);
  d.version = s.Int(11);
  return d;
}

/// INSERT INTO departments(kNewDepartmentColumns) VALUES (1..10, version 1).
inline constexpr const char* kNewDepartmentColumns =
    "name, credit_code, region_id, kind, responsible_unit, contact_name, contact_phone, active, created_at, "
    "updated_at, version";

template <typename Stmt>
void BindNewDepartment(Stmt& s, const org::Department& d) {
  s.Bind(1, d.name)
      .Bind(2, d.credit_code)
      .Bind(3, d.region_id)
      .Bind(4, org::DepartmentKindName(d.kind))
      .Bind(5, d.responsible_unit)
      .Bind(6, d.contact_name)
      .Bind(7, d.contact_phone)
      .Bind(8, d.active)
      .Bind(9, d.created_at)
      .Bind(10, d.updated_at);
}

/// UPDATE departments SET name = 1, responsible_unit = 2, contact_name = 3, contact_phone = 4, active = 5,
/// updated_at = 6, version = version + 1 WHERE id = 7 AND version = 8.
template <typename Stmt>
void BindChangedDepartment(Stmt& s, const org::Department& d, std::int64_t now, std::int64_t expected_version) {
  s.Bind(1, d.name)
      .Bind(2, d.responsible_unit)
      .Bind(3, d.contact_name)
      .Bind(4, d.contact_phone)
      .Bind(5, d.active)
      .Bind(6, now)
      .Bind(7, d.id)
      .Bind(8, expected_version);
}

// ---- users
// -----------------------------------------------------------------------------------------------------------

/// The user columns of `users u`, the roles given by the backend's aggregate of user_roles (comma-separated names).
inline std::string UserColumns(std::string_view roles_aggregate) {
  return "u.id, u.username, u.display_name, u.department_id, u.active, u.failed_logins, u.locked_until, "
         "u.must_change_password, u.valid_until, u.approved_by, u.created_at, u.updated_at, u.version, (SELECT " +
         std::string(roles_aggregate) + " FROM user_roles r WHERE r.user_id = u.id), u.password_hash";
}

template <typename Row>
org::User ReadUser(const Row& s) {
  org::User u;
  u.id = s.Int(0);
  u.username = s.Text(1);
  u.display_name = s.Text(2);
  u.department_id = s.Int(3);
  u.active = ReadFlag(s, 4);
  u.failed_logins = static_cast<int>(s.Int(5));
  u.locked_until = s.OptInt(6);
  u.must_change_password = ReadFlag(s, 7);
  u.valid_until = s.OptText(8);
  u.approved_by = s.OptInt(9);
  u.created_at = s.Int(10);
  u.updated_at = s.Int(11);
  u.version = s.Int(12);
  u.roles = ParseRoles(s.OptText(13).value_or(""));
  return u;
}

/// INSERT INTO users(kNewUserColumns) VALUES (1..10, version 1).
inline constexpr const char* kNewUserColumns =
    "username, display_name, department_id, password_hash, active, must_change_password, valid_until, approved_by, "
    "created_at, updated_at, version";

template <typename Stmt>
void BindNewUser(Stmt& s, const org::User& u, const std::string& password_hash) {
  s.Bind(1, u.username)
      .Bind(2, u.display_name)
      .Bind(3, u.department_id)
      .Bind(4, password_hash)
      .Bind(5, u.active)
      .Bind(6, u.must_change_password)
      .Bind(7, u.valid_until)
      .Bind(8, u.approved_by)
      .Bind(9, u.created_at)
      .Bind(10, u.updated_at);
}

/// UPDATE users SET display_name = 1, active = 2, valid_until = 3, approved_by = 4, locked_until = 5,
/// failed_logins = 6, updated_at = 7, version = version + 1 WHERE id = 8 AND version = 9.
template <typename Stmt>
void BindChangedUser(Stmt& s, const org::User& u, std::int64_t now, std::int64_t expected_version) {
  s.Bind(1, u.display_name)
      .Bind(2, u.active)
      .Bind(3, u.valid_until)
      .Bind(4, u.approved_by)
      .Bind(5, u.locked_until)
      .Bind(6, u.failed_logins)
      .Bind(7, now)
      .Bind(8, u.id)
      .Bind(9, expected_version);
}

/// The session and its user's principal from a row of "s.user_id, s.csrf_token, s.created_at, s.expires_at,
/// s.client_address, u.username, u.display_name, u.department_id, d.name, d.region_id, d.kind,
/// u.must_change_password, u.valid_until, <roles>" (sessions s, users u, departments d).
template <typename Row>
std::pair<org::Session, org::Principal> ReadSessionPrincipal(const Row& s, const std::string& token_hash) {
  org::Session session{token_hash, s.Int(0), s.Text(1), s.Int(2), s.Int(3), s.Text(4)};
  org::Principal p;
  p.kind = org::Principal::Kind::kUser;
  p.id = session.user_id;
  p.name = s.Text(5);
  p.display_name = s.Text(6);
  p.department_id = s.Int(7);
  p.department_name = s.Text(8);
  p.region_id = s.Text(9);
  p.at_authority = s.Text(10) == "authority";
  p.must_change_password = ReadFlag(s, 11);
  p.valid_until = s.OptText(12);
  p.roles = ParseRoles(s.OptText(13).value_or(""));
  p.csrf_token = session.csrf_token;
  p.expires_at = session.expires_at;
  return {std::move(session), std::move(p)};
}

// ---- applications and API keys
// ---------------------------------------------------------------------------------------

inline constexpr const char* kApplicationColumns =
    "id, department_id, name, description, active, created_at, updated_at, version";

template <typename Row>
org::Application ReadApplication(const Row& s) {
  org::Application a;
  a.id = s.Int(0);
  a.department_id = s.Int(1);
  a.name = s.Text(2);
  a.description = s.Text(3);
  a.active = ReadFlag(s, 4);
  a.created_at = s.Int(5);
  a.updated_at = s.Int(6);
  a.version = s.Int(7);
  return a;
}

/// INSERT INTO applications(department_id, name, description, active, created_at, updated_at, version) VALUES
/// (1..6, 1).
template <typename Stmt>
void BindNewApplication(Stmt& s, const org::Application& a) {
  s.Bind(1, a.department_id)
      .Bind(2, a.name)
      .Bind(3, a.description)
      .Bind(4, a.active)
      .Bind(5, a.created_at)
      .Bind(6, a.updated_at);
}

inline constexpr const char* kApiKeyColumns =
    "k.id, k.application_id, k.prefix, k.secret_hash, k.label, k.created_at, k.expires_at, k.revoked_at, k.created_by";

template <typename Row>
org::ApiKey ReadApiKey(const Row& s) {
  org::ApiKey k;
  k.id = s.Int(0);
  k.application_id = s.Int(1);
  k.prefix = s.Text(2);
  k.secret_hash = s.Text(3);
  k.label = s.Text(4);
  k.created_at = s.Int(5);
  k.expires_at = s.Int(6);
  k.revoked_at = s.OptInt(7);
  k.created_by = s.Int(8);
  return k;
}

/// INSERT INTO api_keys(application_id, prefix, secret_hash, label, created_at, expires_at, created_by) VALUES (1..7).
template <typename Stmt>
void BindNewApiKey(Stmt& s, const org::ApiKey& k) {
  s.Bind(1, k.application_id)
      .Bind(2, k.prefix)
      .Bind(3, k.secret_hash)
      .Bind(4, k.label)
      .Bind(5, k.created_at)
      .Bind(6, k.expires_at)
      .Bind(7, k.created_by);
}

/// The key and its application's principal from a row of kApiKeyColumns, a.name, a.department_id, d.name,
/// d.region_id (api_keys k, applications a, departments d).
template <typename Row>
std::pair<org::ApiKey, org::Principal> ReadKeyPrincipal(const Row& s) {
  org::ApiKey key = ReadApiKey(s);
  org::Principal p;
  p.kind = org::Principal::Kind::kApplication;
  p.id = key.application_id;
  p.name = s.Text(9);
  p.display_name = p.name;
  p.department_id = s.Int(10);
  p.department_name = s.Text(11);
  p.region_id = s.Text(12);
  p.expires_at = key.expires_at;
  return {std::move(key), std::move(p)};
}

}  // namespace govshare::store
