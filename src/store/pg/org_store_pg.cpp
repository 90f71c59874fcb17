#include "store/pg/org_store_pg.hpp"

#include "store/org_rows.hpp"
#include "store/pg/keyset.hpp"

namespace govshare::store::pg {

using common::Result;
using common::Status;
using namespace govshare::org;  // NOLINT(google-build-using-namespace): the implementation file of org's store

namespace {

const std::string& UserColumnList() {
  static const std::string columns = UserColumns("COALESCE(string_agg(role, ','), '')");
  return columns;
}

void WriteRoles(Connection& c, std::int64_t user_id, RoleSet roles) {
  c.Prepare("DELETE FROM user_roles WHERE user_id = $1").Bind(1, user_id).Run();
  for (const auto& name : roles.Names()) {
    c.Prepare("INSERT INTO user_roles(user_id, role) VALUES ($1, $2)").Bind(1, user_id).Bind(2, name).Run();
  }
}

}  // namespace

Result<std::vector<Region>> PgOrgStore::ListRegions() {
  std::vector<Region> out;
  auto status = db_.Read([&](Connection& c) {
    // COLLATE "C": byte order whatever the database's collation, as in SQLite.
    auto s = c.Prepare(std::string("SELECT ") + kRegionColumns +
                       " FROM regions ORDER BY "
                       "COALESCE(division_code, id) COLLATE \"C\"");
    while (s.Step()) {
      out.push_back(ReadRegion(s));
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
      auto upsert = c.Prepare(
          "INSERT INTO regions(id, division_code, name, level, parent_id, gb_parent_code, flows_back) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(id) DO UPDATE SET name = excluded.name, level = "
          "excluded.level, parent_id = excluded.parent_id, gb_parent_code = excluded.gb_parent_code, flows_back = "
          "excluded.flows_back");
      BindRegion(upsert, r);
      upsert.Run();
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
    auto s = c.Prepare(std::string("INSERT INTO departments(") + kNewDepartmentColumns +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) RETURNING id");
    BindNewDepartment(s, d);
    if (s.Step()) d.id = s.Int(0);
    return Status::Ok();
  });
}

Status PgOrgStore::UpdateDepartment(const Department& d, std::int64_t expected_version) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "UPDATE departments SET name = $1, responsible_unit = $2, contact_name = $3, contact_phone = $4, active = $5, "
        "updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8");
    BindChangedDepartment(s, d, clock_.Now(), expected_version);
    s.Run();
    return s.Changes() == 1 ? Status::Ok() : OrgVersionConflict();
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
    auto s = c.Prepare(std::string("SELECT ") + UserColumnList() + " FROM users u WHERE " + keyset.where +
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
    auto s = c.Prepare(std::string("SELECT ") + UserColumnList() + " FROM users u WHERE u.id = $1");
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
    auto s = c.Prepare(std::string("SELECT ") + UserColumnList() + " FROM users u WHERE u.username = $1");
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
    auto s = c.Prepare(std::string("INSERT INTO users(") + kNewUserColumns +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) RETURNING id");
    BindNewUser(s, u, password_hash);
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
    BindChangedUser(s, u, clock_.Now(), expected_version);
    s.Run();
    if (s.Changes() != 1) return OrgVersionConflict();
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
    out = ReadSessionPrincipal(s, token_hash);
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
    BindNewApplication(s, a);
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
    return s.Changes() == 1 ? Status::Ok() : OrgVersionConflict();
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
    BindNewApiKey(s, k);
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
    out = ReadKeyPrincipal(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace govshare::store::pg
