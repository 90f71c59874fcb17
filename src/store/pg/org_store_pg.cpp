#include "store/pg/org_store_pg.hpp"

#include "store/pg/keyset.hpp"

#include <sstream>

namespace govshare::store::pg {

using common::Result;
using common::Status;
using namespace govshare::org;  // NOLINT(google-build-using-namespace): the implementation file of org's store

namespace {

Status VersionConflict() {
  return Status::Conflict("version_conflict", "the resource was changed by someone else; reload and try again",
                          "/version");
}

RoleSet ParseRoles(const std::string& csv) {
  RoleSet roles;
  std::stringstream in(csv);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (auto r = ParseRole(name)) roles.Add(*r);
  }
  return roles;
}

RegionLevel ParseLevel(const std::string& s) {
  if (s == "province") return RegionLevel::kProvince;
  if (s == "city") return RegionLevel::kCity;
  return RegionLevel::kCounty;
}

constexpr const char* kDepartmentColumns =
    "id, name, credit_code, region_id, kind, responsible_unit, contact_name, contact_phone, active, created_at, "
    "updated_at, version";

Department ReadDepartment(const Statement& s) {
  Department d;
  d.id = s.Int(0);
  d.name = s.Text(1);
  d.credit_code = s.Text(2);
  d.region_id = s.Text(3);
  d.kind = ParseDepartmentKind(s.Text(4)).value_or(DepartmentKind::kDepartment);
  d.responsible_unit = s.Text(5);
  d.contact_name = s.Text(6);
  d.contact_phone = s.Text(7);
  d.active = s.Bool(8);
  d.created_at = s.Int(9);
  d.updated_at = s.Int(10);
  d.version = s.Int(11);
  return d;
}

constexpr const char* kUserColumns =
    "u.id, u.username, u.display_name, u.department_id, u.active, u.failed_logins, u.locked_until, "
    "u.must_change_password, u.valid_until, u.approved_by, u.created_at, u.updated_at, u.version, "
    "(SELECT COALESCE(string_agg(role, ','), '') FROM user_roles r WHERE r.user_id = u.id), u.password_hash";

User ReadUser(const Statement& s) {
  User u;
  u.id = s.Int(0);
  u.username = s.Text(1);
  u.display_name = s.Text(2);
  u.department_id = s.Int(3);
  u.active = s.Bool(4);
  u.failed_logins = static_cast<int>(s.Int(5));
  u.locked_until = s.OptInt(6);
  u.must_change_password = s.Bool(7);
  u.valid_until = s.OptText(8);
  u.approved_by = s.OptInt(9);
  u.created_at = s.Int(10);
  u.updated_at = s.Int(11);
  u.version = s.Int(12);
  u.roles = ParseRoles(s.Text(13));
  return u;
}

void WriteRoles(Connection& c, std::int64_t user_id, RoleSet roles) {
  c.Prepare("DELETE FROM user_roles WHERE user_id = $1").Bind(1, user_id).Run();
  for (const auto& name : roles.Names()) {
    c.Prepare("INSERT INTO user_roles(user_id, role) VALUES ($1, $2)").Bind(1, user_id).Bind(2, name).Run();
  }
}

constexpr const char* kApplicationColumns =
    "id, department_id, name, description, active, created_at, updated_at, version";

Application ReadApplication(const Statement& s) {
  Application a;
  a.id = s.Int(0);
  a.department_id = s.Int(1);
  a.name = s.Text(2);
  a.description = s.Text(3);
  a.active = s.Bool(4);
  a.created_at = s.Int(5);
  a.updated_at = s.Int(6);
  a.version = s.Int(7);
  return a;
}

constexpr const char* kApiKeyColumns =
    "k.id, k.application_id, k.prefix, k.secret_hash, k.label, k.created_at, k.expires_at, k.revoked_at, k.created_by";

ApiKey ReadApiKey(const Statement& s) {
  ApiKey k;
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

/// ILIKE pattern for a substring search, with the user's % and _ escaped so they match literally. ILIKE, not LIKE:
/// SQLite's LIKE ignores ASCII case, and both backends must find the same rows.
std::string LikePattern(const std::string& q) {
  std::string out = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

}  // namespace

Result<std::vector<Region>> PgOrgStore::ListRegions() {
  std::vector<Region> out;
  auto status = db_.Read([&](Connection& c) {
    // COLLATE "C": byte order whatever the database's collation, as in SQLite.
    auto s = c.Prepare(
        "SELECT id, division_code, name, level, parent_id, gb_parent_code, flows_back FROM regions ORDER BY "
        "COALESCE(division_code, id) COLLATE \"C\"");
    while (s.Step()) {
      out.push_back({s.Text(0), s.OptText(1), s.Text(2), ParseLevel(s.Text(3)), s.OptText(4), s.OptText(5), s.Bool(6)});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status PgOrgStore::UpsertRegions(const std::vector<Region>& regions) {
  return db_.Write([&](Connection& c) {
    // Parents first: the file lists them in any order, the foreign key is checked at commit.
    c.Exec("SET CONSTRAINTS regions_parent DEFERRED");
    for (const auto& r : regions) {
      c.Prepare(
           "INSERT INTO regions(id, division_code, name, level, parent_id, gb_parent_code, flows_back) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(id) DO UPDATE SET name = excluded.name, level = "
           "excluded.level, parent_id = excluded.parent_id, gb_parent_code = excluded.gb_parent_code, flows_back = "
           "excluded.flows_back")
          .Bind(1, r.id)
          .Bind(2, r.division_code)
          .Bind(3, r.name)
          .Bind(4, RegionLevelName(r.level))
          .Bind(5, r.parent_id)
          .Bind(6, r.gb_parent_code)
          .Bind(7, r.flows_back)
          .Run();
    }
    return Status::Ok();
  });
}

Result<std::vector<Department>> PgOrgStore::ListDepartments(const DepartmentFilter& filter, const PageRequest& page) {
  auto column = SortColumn({{SortField::kId, "id"},
                            {SortField::kName, "name"},
                            {SortField::kRegion, "region_id"},
                            {SortField::kKind, "kind"},
                            {SortField::kCreatedAt, "created_at"},
                            {SortField::kUpdatedAt, "updated_at"}},
                           page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 6, 1);
  std::vector<Department> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kDepartmentColumns + " FROM departments WHERE " + keyset.where +
                       " AND ($2::text IS NULL OR region_id = $2) AND ($3::text IS NULL "
                       "OR kind = $3) AND ($4::text IS NULL OR name ILIKE $4 ESCAPE '\\' OR credit_code ILIKE $4 "
                       "ESCAPE '\\') ORDER BY " +
                       keyset.order_by + " LIMIT $5");
    BindKeyset(s, page, 6, 1);
    s.Bind(2, filter.region_id);
    if (filter.kind) {
      s.Bind(3, DepartmentKindName(*filter.kind));
    } else {
      s.BindNull(3);
    }
    if (filter.query) {
      s.Bind(4, LikePattern(*filter.query));
    } else {
      s.BindNull(4);
    }
    s.Bind(5, page.limit);
    while (s.Step()) out.push_back(ReadDepartment(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::optional<Department>> PgOrgStore::GetDepartment(std::int64_t id) {
  std::optional<Department> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kDepartmentColumns + " FROM departments WHERE id = $1");
    s.Bind(1, id);
    if (s.Step()) out = ReadDepartment(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status PgOrgStore::CreateDepartment(Department& d) {
  d.created_at = d.updated_at = clock_.Now();
  d.version = 1;
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "INSERT INTO departments(name, credit_code, region_id, kind, responsible_unit, contact_name, contact_phone, "
        "active, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) RETURNING id");
    s.Bind(1, d.name)
        .Bind(2, d.credit_code)
        .Bind(3, d.region_id)
        .Bind(4, DepartmentKindName(d.kind))
        .Bind(5, d.responsible_unit)
        .Bind(6, d.contact_name)
        .Bind(7, d.contact_phone)
        .Bind(8, d.active)
        .Bind(9, d.created_at)
        .Bind(10, d.updated_at);
    if (s.Step()) d.id = s.Int(0);
    return Status::Ok();
  });
}

Status PgOrgStore::UpdateDepartment(const Department& d, std::int64_t expected_version) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "UPDATE departments SET name = $1, responsible_unit = $2, contact_name = $3, contact_phone = $4, active = $5, "
        "updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8");
    s.Bind(1, d.name)
        .Bind(2, d.responsible_unit)
        .Bind(3, d.contact_name)
        .Bind(4, d.contact_phone)
        .Bind(5, d.active)
        .Bind(6, clock_.Now())
        .Bind(7, d.id)
        .Bind(8, expected_version)
        .Run();
    return s.Changes() == 1 ? Status::Ok() : VersionConflict();
  });
}

Result<std::vector<User>> PgOrgStore::ListUsers(const UserFilter& filter, const PageRequest& page) {
  auto column = SortColumn({{SortField::kId, "u.id"},
                            {SortField::kUsername, "u.username"},
                            {SortField::kDisplayName, "u.display_name"},
                            {SortField::kCreatedAt, "u.created_at"},
                            {SortField::kUpdatedAt, "u.updated_at"}},
                           page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "u.id", 6, 1);
  std::vector<User> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kUserColumns + " FROM users u WHERE " + keyset.where +
                       " AND ($2::bigint IS NULL OR u.department_id = $2) AND ($3::text "
                       "IS NULL OR u.username ILIKE $3 ESCAPE '\\' OR u.display_name ILIKE $3 ESCAPE '\\') AND "
                       "($5::text[] IS NULL OR u.department_id IN (SELECT id FROM departments WHERE region_id = "
                       "ANY($5))) ORDER BY " +
                       keyset.order_by + " LIMIT $4");
    BindKeyset(s, page, 6, 1);
    s.Bind(2, filter.department_id).Bind(5, filter.region_ids);
    if (filter.query) {
      s.Bind(3, LikePattern(*filter.query));
    } else {
      s.BindNull(3);
    }
    s.Bind(4, page.limit);
    while (s.Step()) out.push_back(ReadUser(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::optional<User>> PgOrgStore::GetUser(std::int64_t id) {
  std::optional<User> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.id = $1");
    s.Bind(1, id);
    if (s.Step()) out = ReadUser(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::optional<UserCredentials>> PgOrgStore::GetUserByUsername(const std::string& username) {
  std::optional<UserCredentials> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.username = $1");
    s.Bind(1, username);
    if (s.Step()) out = UserCredentials{ReadUser(s), s.Text(14)};
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status PgOrgStore::CreateUser(User& u, const std::string& password_hash) {
  u.created_at = u.updated_at = clock_.Now();
  u.version = 1;
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "INSERT INTO users(username, display_name, department_id, password_hash, active, must_change_password, "
        "valid_until, approved_by, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "1) RETURNING id");
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
    if (s.Step()) u.id = s.Int(0);
    WriteRoles(c, u.id, u.roles);
    return Status::Ok();
  });
}

Status PgOrgStore::UpdateUser(const User& u, std::int64_t expected_version) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "UPDATE users SET display_name = $1, active = $2, valid_until = $3, approved_by = $4, locked_until = $5, "
        "failed_logins = $6, updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9");
    s.Bind(1, u.display_name)
        .Bind(2, u.active)
        .Bind(3, u.valid_until)
        .Bind(4, u.approved_by)
        .Bind(5, u.locked_until)
        .Bind(6, u.failed_logins)
        .Bind(7, clock_.Now())
        .Bind(8, u.id)
        .Bind(9, expected_version)
        .Run();
    if (s.Changes() != 1) return VersionConflict();
    WriteRoles(c, u.id, u.roles);
    if (!u.active) c.Prepare("UPDATE sessions SET revoked = true WHERE user_id = $1").Bind(1, u.id).Run();
    return Status::Ok();
  });
}

Status PgOrgStore::SetPassword(std::int64_t user_id, const std::string& password_hash, bool must_change) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, locked_until = NULL, "
        "updated_at = $3, version = version + 1 WHERE id = $4");
    s.Bind(1, password_hash).Bind(2, must_change).Bind(3, clock_.Now()).Bind(4, user_id).Run();
    return s.Changes() == 1 ? Status::Ok() : Status::NotFound("no such user");
  });
}

Status PgOrgStore::RecordLogin(std::int64_t user_id, int failed_logins, std::optional<UnixSeconds> locked_until) {
  return db_.Write([&](Connection& c) {
    c.Prepare("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
        .Bind(1, failed_logins)
        .Bind(2, locked_until)
        .Bind(3, user_id)
        .Run();
    return Status::Ok();
  });
}

Status PgOrgStore::CreateSession(const Session& s) {
  return db_.Write([&](Connection& c) {
    c.Prepare(
         "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, expires_at, client_address) VALUES ($1, "
         "$2, $3, $4, $5, $6)")
        .Bind(1, s.token_hash)
        .Bind(2, s.user_id)
        .Bind(3, s.csrf_token)
        .Bind(4, s.created_at)
        .Bind(5, s.expires_at)
        .Bind(6, s.client_address)
        .Run();
    return Status::Ok();
  });
}

Result<std::optional<std::pair<Session, Principal>>> PgOrgStore::FindSession(const std::string& token_hash) {
  std::optional<std::pair<Session, Principal>> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(
        "SELECT s.user_id, s.csrf_token, s.created_at, s.expires_at, s.client_address, u.username, u.display_name, "
        "u.department_id, d.name, d.region_id, d.kind, u.must_change_password, u.valid_until, "
        "(SELECT COALESCE(string_agg(role, ','), '') FROM user_roles r WHERE r.user_id = u.id) "
        "FROM sessions s JOIN users u ON u.id = s.user_id JOIN departments d ON d.id = u.department_id "
        "WHERE s.token_hash = $1 AND NOT s.revoked AND u.active AND d.active");
    s.Bind(1, token_hash);
    if (!s.Step()) return Status::Ok();
    Session session{token_hash, s.Int(0), s.Text(1), s.Int(2), s.Int(3), s.Text(4)};
    Principal p;
    p.kind = Principal::Kind::kUser;
    p.id = session.user_id;
    p.name = s.Text(5);
    p.display_name = s.Text(6);
    p.department_id = s.Int(7);
    p.department_name = s.Text(8);
    p.region_id = s.Text(9);
    p.at_authority = s.Text(10) == "authority";
    p.must_change_password = s.Bool(11);
    p.valid_until = s.OptText(12);
    p.roles = ParseRoles(s.Text(13));
    p.csrf_token = session.csrf_token;
    p.expires_at = session.expires_at;
    out.emplace(std::move(session), std::move(p));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status PgOrgStore::RevokeSession(const std::string& token_hash) {
  return db_.Write([&](Connection& c) {
    c.Prepare("UPDATE sessions SET revoked = true WHERE token_hash = $1").Bind(1, token_hash).Run();
    return Status::Ok();
  });
}

Status PgOrgStore::RevokeUserSessions(std::int64_t user_id) {
  return db_.Write([&](Connection& c) {
    c.Prepare("UPDATE sessions SET revoked = true WHERE user_id = $1").Bind(1, user_id).Run();
    return Status::Ok();
  });
}

Result<std::vector<Application>> PgOrgStore::ListApplications(const ApplicationFilter& filter,
                                                              const PageRequest& page) {
  auto column = SortColumn({{SortField::kId, "id"},
                            {SortField::kName, "name"},
                            {SortField::kCreatedAt, "created_at"},
                            {SortField::kUpdatedAt, "updated_at"}},
                           page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 5, 1);
  std::vector<Application> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kApplicationColumns + " FROM applications WHERE " + keyset.where +
                       " AND ($2::bigint IS NULL OR department_id = $2) AND "
                       "($3::text[] IS NULL OR department_id IN (SELECT id FROM departments WHERE region_id = "
                       "ANY($3))) ORDER BY " +
                       keyset.order_by + " LIMIT $4");
    BindKeyset(s, page, 5, 1);
    s.Bind(2, filter.department_id).Bind(3, filter.region_ids).Bind(4, page.limit);
    while (s.Step()) out.push_back(ReadApplication(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::optional<Application>> PgOrgStore::GetApplication(std::int64_t id) {
  std::optional<Application> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kApplicationColumns + " FROM applications WHERE id = $1");
    s.Bind(1, id);
    if (s.Step()) out = ReadApplication(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status PgOrgStore::CreateApplication(Application& a) {
  a.created_at = a.updated_at = clock_.Now();
  a.version = 1;
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "INSERT INTO applications(department_id, name, description, active, created_at, updated_at, version) VALUES "
        "($1, $2, $3, $4, $5, $6, 1) RETURNING id");
    s.Bind(1, a.department_id)
        .Bind(2, a.name)
        .Bind(3, a.description)
        .Bind(4, a.active)
        .Bind(5, a.created_at)
        .Bind(6, a.updated_at);
    if (s.Step()) a.id = s.Int(0);
    return Status::Ok();
  });
}

Status PgOrgStore::UpdateApplication(const Application& a, std::int64_t expected_version) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "UPDATE applications SET description = $1, active = $2, updated_at = $3, version = version + 1 WHERE id = $4 "
        "AND version = $5");
    s.Bind(1, a.description).Bind(2, a.active).Bind(3, clock_.Now()).Bind(4, a.id).Bind(5, expected_version).Run();
    return s.Changes() == 1 ? Status::Ok() : VersionConflict();
  });
}

Result<std::vector<ApiKey>> PgOrgStore::ListApiKeys(std::int64_t application_id) {
  std::vector<ApiKey> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kApiKeyColumns +
                       " FROM api_keys k WHERE k.application_id = $1 ORDER BY k.id");
    s.Bind(1, application_id);
    while (s.Step()) out.push_back(ReadApiKey(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status PgOrgStore::CreateApiKey(ApiKey& k) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "INSERT INTO api_keys(application_id, prefix, secret_hash, label, created_at, expires_at, created_by) VALUES "
        "($1, $2, $3, $4, $5, $6, $7) RETURNING id");
    s.Bind(1, k.application_id)
        .Bind(2, k.prefix)
        .Bind(3, k.secret_hash)
        .Bind(4, k.label)
        .Bind(5, k.created_at)
        .Bind(6, k.expires_at)
        .Bind(7, k.created_by);
    if (s.Step()) k.id = s.Int(0);
    return Status::Ok();
  });
}

Status PgOrgStore::RevokeApiKey(std::int64_t application_id, std::int64_t key_id, UnixSeconds at) {
  return db_.Write([&](Connection& c) {
    auto s =
        c.Prepare("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND application_id = $3");
    s.Bind(1, at).Bind(2, key_id).Bind(3, application_id).Run();
    return s.Changes() == 1 ? Status::Ok() : Status::NotFound("no such key for this application");
  });
}

Result<std::optional<std::pair<ApiKey, Principal>>> PgOrgStore::FindApiKey(const std::string& prefix) {
  std::optional<std::pair<ApiKey, Principal>> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kApiKeyColumns +
                       ", a.name, a.department_id, d.name, d.region_id FROM api_keys k JOIN applications a ON a.id = "
                       "k.application_id JOIN departments d ON d.id = a.department_id WHERE k.prefix = $1 AND "
                       "a.active AND d.active");
    s.Bind(1, prefix);
    if (!s.Step()) return Status::Ok();
    ApiKey key = ReadApiKey(s);
    Principal p;
    p.kind = Principal::Kind::kApplication;
    p.id = key.application_id;
    p.name = s.Text(9);
    p.display_name = p.name;
    p.department_id = s.Int(10);
    p.department_name = s.Text(11);
    p.region_id = s.Text(12);
    p.expires_at = key.expires_at;
    out.emplace(std::move(key), std::move(p));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace govshare::store::pg
