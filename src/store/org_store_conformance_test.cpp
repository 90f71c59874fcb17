// The OrgStore conformance suite: every test runs once per storage backend (instances .../Sqlite and .../Postgres),
// so both implementations keep the same semantics. The Postgres instances need the throwaway cluster of CTest fixture
// `postgres` (scripts/pg-cluster.sh) and fail when it is missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "common/clock.hpp"
#include "org/org_store.hpp"
#include "store/pg/migrations.hpp"
#include "store/pg/org_store_pg.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/org_store_sqlite.hpp"
#include "support/pg_test_database.hpp"

namespace govshare::org {
namespace {

using common::ErrorKind;

enum class Backend { kSqlite, kPostgres };

void PrintTo(Backend backend, std::ostream* os) { *os << (backend == Backend::kSqlite ? "SQLite" : "PostgreSQL"); }

constexpr common::UnixSeconds kStart = 1'800'000'000;

// Filters and pages built field by field, so that fields added to them later keep their defaults here.
DepartmentFilter DepartmentsWhere(std::optional<std::string> region_id, std::optional<DepartmentKind> kind,
                                  std::optional<std::string> query) {
  DepartmentFilter f;
  f.region_id = std::move(region_id);
  f.kind = kind;
  f.query = std::move(query);
  return f;
}

UserFilter UsersWhere(std::optional<std::int64_t> department_id, std::optional<std::vector<std::string>> region_ids,
                      std::optional<std::string> query) {
  UserFilter f;
  f.department_id = department_id;
  f.region_ids = std::move(region_ids);
  f.query = std::move(query);
  return f;
}

ApplicationFilter ApplicationsWhere(std::optional<std::int64_t> department_id,
                                    std::optional<std::vector<std::string>> region_ids) {
  ApplicationFilter f;
  f.department_id = department_id;
  f.region_ids = std::move(region_ids);
  return f;
}

PageRequest Page(std::int64_t after_id, int limit) {
  PageRequest p;
  p.after_id = after_id;
  p.limit = limit;
  return p;
}

class OrgStoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      std::string name = "govshare-org-" + std::to_string(::getpid()) + "-" +
                         ::testing::UnitTest::GetInstance()->current_test_info()->name();
      std::replace(name.begin(), name.end(), '/', '_');  // parameterised test names hold a '/'
      dir_ = std::filesystem::temp_directory_path() / name;
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      store::sqlite::Database::Options options;
      options.path = (dir_ / "govshare.db").string();
      auto db = store::sqlite::Database::Open(options, store::sqlite::MainMigrations());
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      sqlite_ = std::move(db.value());
      store_ = std::make_unique<store::sqlite::SqliteOrgStore>(*sqlite_, clock_);
    } else {
      scratch_ = std::make_unique<testing::ScratchPgDatabase>();
      ASSERT_TRUE(scratch_->status().ok()) << scratch_->status().ToString();
      store::pg::Database::Options options;
      options.conninfo = scratch_->conninfo();
      auto db = store::pg::Database::Open(options, store::pg::MainMigrations());
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      pg_ = std::move(db.value());
      store_ = std::make_unique<store::pg::PgOrgStore>(*pg_, clock_);
    }
    ASSERT_TRUE(store_->UpsertRegions(Regions()).ok());
  }
  void TearDown() override {
    store_.reset();
    sqlite_.reset();
    pg_.reset();
    scratch_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  /// A province, one city and one county, listed child first (the store must not need parents first).
  static std::vector<Region> Regions() {
    return {
        {"130102", "130102", "长安区", RegionLevel::kCounty, "130100", std::nullopt, false},
        {"130100", "130100", "石家庄市", RegionLevel::kCity, "130000", std::nullopt, true},
        {"130000", "130000", "河北省", RegionLevel::kProvince, std::nullopt, std::nullopt, false},
        {"xiongan", std::nullopt, "雄安新区", RegionLevel::kCity, "130000", "130600", false},
    };
  }

  Department MakeDepartment(const std::string& name, const std::string& credit_code, const std::string& region,
                            DepartmentKind kind = DepartmentKind::kDepartment) {
    Department d;
    d.name = name;
    d.credit_code = credit_code;
    d.region_id = region;
    d.kind = kind;
    d.responsible_unit = name + " data office";
    d.contact_name = "Li";
    d.contact_phone = "0311-1234567";
    EXPECT_TRUE(store_->CreateDepartment(d).ok());
    return d;
  }

  User MakeUser(const std::string& username, std::int64_t department_id, RoleSet roles = RoleSet()) {
    User u;
    u.username = username;
    u.display_name = "User " + username;
    u.department_id = department_id;
    u.roles = roles;
    EXPECT_TRUE(store_->CreateUser(u, "hash-of-" + username).ok());
    return u;
  }

  Application MakeApplication(const std::string& name, std::int64_t department_id) {
    Application a;
    a.department_id = department_id;
    a.name = name;
    a.description = "system " + name;
    EXPECT_TRUE(store_->CreateApplication(a).ok());
    return a;
  }

  ApiKey MakeKey(const std::string& prefix, std::int64_t application_id, std::int64_t created_by) {
    ApiKey k;
    k.application_id = application_id;
    k.prefix = prefix;
    k.secret_hash = "sha256-" + prefix;
    k.label = "key " + prefix;
    k.created_at = clock_.Now();
    k.expires_at = clock_.Now() + 86400;
    k.created_by = created_by;
    EXPECT_TRUE(store_->CreateApiKey(k).ok());
    return k;
  }

  static std::vector<std::int64_t> Ids(const auto& items) {
    std::vector<std::int64_t> ids;
    ids.reserve(items.size());
    for (const auto& i : items) ids.push_back(i.id);
    return ids;
  }

  common::FakeClock clock_{kStart};
  std::filesystem::path dir_;
  std::unique_ptr<store::sqlite::Database> sqlite_;
  std::unique_ptr<testing::ScratchPgDatabase> scratch_;
  std::unique_ptr<store::pg::Database> pg_;
  std::unique_ptr<OrgStore> store_;
};

// ---- regions ------------------------------------------------------------------------------------------------------

TEST_P(OrgStoreConformance, RegionsAreListedInDivisionCodeOrderWithAllFields) {
  auto regions = store_->ListRegions();
  ASSERT_TRUE(regions.ok()) << regions.status().ToString();
  ASSERT_EQ(regions->size(), 4u);
  EXPECT_EQ((*regions)[0].id, "130000");
  EXPECT_EQ((*regions)[1].id, "130100");
  EXPECT_EQ((*regions)[2].id, "130102");
  EXPECT_EQ((*regions)[3].id, "xiongan");  // no division code: ordered by its id
  EXPECT_EQ((*regions)[3].division_code, std::nullopt);
  EXPECT_EQ((*regions)[3].gb_parent_code, "130600");
  EXPECT_EQ((*regions)[3].parent_id, "130000");
  EXPECT_EQ((*regions)[0].level, RegionLevel::kProvince);
  EXPECT_EQ((*regions)[0].parent_id, std::nullopt);
  EXPECT_TRUE((*regions)[1].flows_back);
  EXPECT_FALSE((*regions)[2].flows_back);
  EXPECT_EQ((*regions)[1].name, "石家庄市");
}

TEST_P(OrgStoreConformance, UpsertRegionsUpdatesKnownRegionsAndRejectsUnknownParents) {
  auto changed = Regions();
  changed[2].name = "Hebei";
  ASSERT_TRUE(store_->UpsertRegions(changed).ok());
  auto regions = store_->ListRegions();
  ASSERT_TRUE(regions.ok());
  ASSERT_EQ(regions->size(), 4u);
  EXPECT_EQ((*regions)[0].name, "Hebei");

  auto orphan = store_->UpsertRegions({{"999999", "999999", "nowhere", RegionLevel::kCounty, "888888", {}, false}});
  // Refused alone and nothing kept, on both: 409 constraint_violation (SQLite checks the parents inside the job, so a
  // bad file does not fail the other jobs of its group commit).
  EXPECT_EQ(orphan.code(), "constraint_violation");
  EXPECT_EQ(orphan.kind(), common::ErrorKind::kConflict);
  EXPECT_EQ(store_->ListRegions()->size(), 4u);
  // The store is healthy afterwards, and a write with a broken reference is refused at once, not deferred.
  auto d = MakeDepartment("After the orphan", "11130000MB0000002X", "130000");
  EXPECT_GT(d.id, 0);
}

// ---- departments --------------------------------------------------------------------------------------------------

TEST_P(OrgStoreConformance, CreateDepartmentSetsIdVersionAndTimesAndGetReadsItBack) {
  auto d = MakeDepartment("Civil Affairs", "11130000MB0000001X", "130000");
  EXPECT_GT(d.id, 0);
  auto got = store_->GetDepartment(d.id);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const Department& g = **got;
  EXPECT_EQ(g.name, "Civil Affairs");
  EXPECT_EQ(g.credit_code, "11130000MB0000001X");
  EXPECT_EQ(g.region_id, "130000");
  EXPECT_EQ(g.kind, DepartmentKind::kDepartment);
  EXPECT_EQ(g.responsible_unit, "Civil Affairs data office");
  EXPECT_EQ(g.contact_name, "Li");
  EXPECT_EQ(g.contact_phone, "0311-1234567");
  EXPECT_TRUE(g.active);
  EXPECT_EQ(g.created_at, kStart);
  EXPECT_EQ(g.updated_at, kStart);
  EXPECT_EQ(g.version, 1);
  auto missing = store_->GetDepartment(d.id + 1000);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(OrgStoreConformance, DuplicateDepartmentsAreConflicts) {
  MakeDepartment("Civil Affairs", "CC1", "130000");
  MakeDepartment("Authority", "CC2", "130000", DepartmentKind::kAuthority);

  Department same_code;
  same_code.name = "Other";
  same_code.credit_code = "CC1";
  same_code.region_id = "130100";
  EXPECT_EQ(store_->CreateDepartment(same_code).kind(), ErrorKind::kConflict);

  Department same_name = same_code;
  same_name.name = "Civil Affairs";
  same_name.credit_code = "CC3";
  same_name.region_id = "130000";
  EXPECT_EQ(store_->CreateDepartment(same_name).kind(), ErrorKind::kConflict);

  Department second_authority = same_code;
  second_authority.name = "Second authority";
  second_authority.credit_code = "CC4";
  second_authority.region_id = "130000";
  second_authority.kind = DepartmentKind::kAuthority;
  EXPECT_EQ(store_->CreateDepartment(second_authority).kind(), ErrorKind::kConflict);

  Department unknown_region = same_code;
  unknown_region.credit_code = "CC5";
  unknown_region.region_id = "000000";
  EXPECT_EQ(store_->CreateDepartment(unknown_region).kind(), ErrorKind::kConflict);

  // Same name in another region is fine.
  Department elsewhere = same_code;
  elsewhere.name = "Civil Affairs";
  elsewhere.credit_code = "CC6";
  EXPECT_TRUE(store_->CreateDepartment(elsewhere).ok());
  EXPECT_EQ(store_->ListDepartments({}, {})->size(), 3u);
}

TEST_P(OrgStoreConformance, UpdateDepartmentBumpsTheVersionAndRejectsAStaleOne) {
  auto d = MakeDepartment("Civil Affairs", "CC1", "130000");
  clock_.Advance(60);
  d.name = "Civil Affairs Bureau";
  d.responsible_unit = "IT centre";
  d.contact_name = "Wang";
  d.contact_phone = "110";
  d.active = false;
  ASSERT_TRUE(store_->UpdateDepartment(d, 1).ok());
  auto got = **store_->GetDepartment(d.id);
  EXPECT_EQ(got.name, "Civil Affairs Bureau");
  EXPECT_EQ(got.responsible_unit, "IT centre");
  EXPECT_EQ(got.contact_name, "Wang");
  EXPECT_EQ(got.contact_phone, "110");
  EXPECT_FALSE(got.active);
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.created_at, kStart);
  EXPECT_EQ(got.updated_at, kStart + 60);

  d.name = "Stale";
  auto stale = store_->UpdateDepartment(d, 1);
  EXPECT_EQ(stale.kind(), ErrorKind::kConflict);
  EXPECT_EQ(stale.code(), "version_conflict");
  EXPECT_EQ((**store_->GetDepartment(d.id)).name, "Civil Affairs Bureau");

  d.id += 1000;  // no such department: also a version conflict, as on SQLite
  EXPECT_EQ(store_->UpdateDepartment(d, 2).code(), "version_conflict");
}

TEST_P(OrgStoreConformance, ListDepartmentsFiltersAndPages) {
  auto a = MakeDepartment("Authority", "AUTH1", "130000", DepartmentKind::kAuthority);
  auto b = MakeDepartment("Public Security", "PS001", "130000");
  auto c = MakeDepartment("Statistics 100%_done", "ST001", "130100");
  auto d = MakeDepartment("Health", "HE001", "130100");

  EXPECT_EQ(Ids(*store_->ListDepartments({}, {})), (std::vector<std::int64_t>{a.id, b.id, c.id, d.id}));
  EXPECT_EQ(Ids(*store_->ListDepartments(DepartmentsWhere("130100", std::nullopt, std::nullopt), {})),
            (std::vector<std::int64_t>{c.id, d.id}));
  EXPECT_EQ(Ids(*store_->ListDepartments(DepartmentsWhere(std::nullopt, DepartmentKind::kAuthority, std::nullopt), {})),
            (std::vector<std::int64_t>{a.id}));
  EXPECT_EQ(
      Ids(*store_->ListDepartments(DepartmentsWhere(std::nullopt, DepartmentKind::kDepartment, std::nullopt), {})),
      (std::vector<std::int64_t>{b.id, c.id, d.id}));
  // Substring of the name or the credit code, ASCII case ignored.
  EXPECT_EQ(Ids(*store_->ListDepartments(DepartmentsWhere(std::nullopt, std::nullopt, "security"), {})),
            (std::vector<std::int64_t>{b.id}));
  EXPECT_EQ(Ids(*store_->ListDepartments(DepartmentsWhere(std::nullopt, std::nullopt, "he00"), {})),
            (std::vector<std::int64_t>{d.id}));
  // % and _ match only themselves.
  EXPECT_EQ(Ids(*store_->ListDepartments(DepartmentsWhere(std::nullopt, std::nullopt, "100%_"), {})),
            (std::vector<std::int64_t>{c.id}));
  EXPECT_EQ(Ids(*store_->ListDepartments(DepartmentsWhere(std::nullopt, std::nullopt, "%"), {})),
            (std::vector<std::int64_t>{c.id}));
  EXPECT_TRUE(store_->ListDepartments(DepartmentsWhere(std::nullopt, std::nullopt, "_ealth"), {})->empty());
  EXPECT_TRUE(store_->ListDepartments(DepartmentsWhere(std::nullopt, std::nullopt, "\\"), {})->empty());
  EXPECT_EQ(Ids(*store_->ListDepartments(DepartmentsWhere("130100", std::nullopt, "health"), {})),
            (std::vector<std::int64_t>{d.id}));
  // Pages: after_id and limit.
  EXPECT_EQ(Ids(*store_->ListDepartments({}, Page(0, 2))), (std::vector<std::int64_t>{a.id, b.id}));
  EXPECT_EQ(Ids(*store_->ListDepartments({}, Page(b.id, 2))), (std::vector<std::int64_t>{c.id, d.id}));
  EXPECT_TRUE(store_->ListDepartments({}, Page(d.id, 2))->empty());
}

TEST_P(OrgStoreConformance, ListsSortByAFieldBothWaysAndPageByKeysetInCodePointOrder) {
  // Names chosen so that code-point order differs from case-insensitive and locale orders: "Zoo" < "apple",
  // ties on a name break by id, and Chinese sorts by code point (河 U+6CB3 < 石 U+77F3 < 统 U+7EDF).
  auto zoo = MakeDepartment("Zoo", "Z0001", "130000");
  auto apple = MakeDepartment("apple", "A0001", "130000");
  auto shi = MakeDepartment("石家庄", "S0001", "130100");
  auto he = MakeDepartment("河北", "H0001", "130100");
  auto tong = MakeDepartment("统计", "T0001", "130000");
  const std::vector<std::int64_t> ascending = {zoo.id, apple.id, he.id, shi.id, tong.id};
  const auto walk = [&](bool descending) {
    std::vector<std::int64_t> seen;
    PageRequest page;
    page.sort = SortField::kName;
    page.descending = descending;
    page.limit = 2;
    for (int guard = 0; guard < 10; ++guard) {
      auto rows = store_->ListDepartments({}, page);
      EXPECT_TRUE(rows.ok()) << rows.status().ToString();
      if (!rows.ok() || rows->empty()) break;
      for (const auto& d : *rows) seen.push_back(d.id);
      page.after_id = rows->back().id;
      page.after_value = SortValueOf(rows->back(), SortField::kName);
    }
    return seen;
  };
  EXPECT_EQ(walk(false), ascending);
  EXPECT_EQ(walk(true), (std::vector<std::int64_t>(ascending.rbegin(), ascending.rend())));
  // An integer field pages the same way, newest first.
  PageRequest newest;
  newest.sort = SortField::kCreatedAt;
  newest.descending = true;
  newest.limit = 10;
  auto rows = store_->ListDepartments({}, newest);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 5u);
  EXPECT_GE((*rows)[0].created_at, (*rows)[4].created_at);
  // A field the list has not: invalid_sort, on both backends.
  PageRequest wrong;
  wrong.sort = SortField::kUsername;
  EXPECT_EQ(store_->ListDepartments({}, wrong).status().code(), "invalid_sort");
  // Users sort by display name the same way.
  MakeUser("b.user", zoo.id);
  MakeUser("a.user", zoo.id);
  PageRequest by_username;
  by_username.sort = SortField::kUsername;
  auto users = store_->ListUsers({}, by_username);
  ASSERT_TRUE(users.ok()) << users.status().ToString();
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].username, "a.user");
}

// ---- users --------------------------------------------------------------------------------------------------------

TEST_P(OrgStoreConformance, CreateUserKeepsRolesAndCredentials) {
  auto d = MakeDepartment("Civil Affairs", "CC1", "130000");
  RoleSet roles;
  roles.Add(Role::kRequester);
  roles.Add(Role::kDataSteward);
  auto admin = MakeUser("admin", d.id);
  User u;
  u.username = "contractor1";
  u.display_name = "张三";
  u.department_id = d.id;
  u.roles = roles;
  u.must_change_password = true;
  u.valid_until = "2027-03-31";
  u.approved_by = admin.id;
  ASSERT_TRUE(store_->CreateUser(u, "argon2-hash").ok());
  EXPECT_GT(u.id, admin.id);
  EXPECT_EQ(u.version, 1);

  auto got = store_->GetUser(u.id);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const User& g = **got;
  EXPECT_EQ(g.username, "contractor1");
  EXPECT_EQ(g.display_name, "张三");
  EXPECT_EQ(g.department_id, d.id);
  EXPECT_EQ(g.roles, roles);
  EXPECT_TRUE(g.active);
  EXPECT_EQ(g.failed_logins, 0);
  EXPECT_EQ(g.locked_until, std::nullopt);
  EXPECT_TRUE(g.must_change_password);
  EXPECT_EQ(g.valid_until, "2027-03-31");
  EXPECT_EQ(g.approved_by, admin.id);
  EXPECT_EQ(g.created_at, kStart);
  EXPECT_EQ(g.version, 1);
  EXPECT_TRUE((**store_->GetUser(admin.id)).roles.empty());
  EXPECT_FALSE(store_->GetUser(u.id + 1000)->has_value());

  auto creds = store_->GetUserByUsername("contractor1");
  ASSERT_TRUE(creds.ok());
  ASSERT_TRUE(creds->has_value());
  EXPECT_EQ((*creds)->password_hash, "argon2-hash");
  EXPECT_EQ((*creds)->user.id, u.id);
  EXPECT_EQ((*creds)->user.roles, roles);
  EXPECT_FALSE(store_->GetUserByUsername("nobody")->has_value());
}

TEST_P(OrgStoreConformance, DuplicateUsernameIsAConflict) {
  auto d = MakeDepartment("Civil Affairs", "CC1", "130000");
  MakeUser("alice", d.id);
  User again;
  again.username = "alice";
  again.display_name = "another alice";
  again.department_id = d.id;
  EXPECT_EQ(store_->CreateUser(again, "h").kind(), ErrorKind::kConflict);
  User no_department = again;
  no_department.username = "bob";
  no_department.department_id = 4242;
  EXPECT_EQ(store_->CreateUser(no_department, "h").kind(), ErrorKind::kConflict);
  EXPECT_EQ(store_->ListUsers({}, {})->size(), 1u);
}

TEST_P(OrgStoreConformance, UpdateUserReplacesRolesChecksTheVersionAndDeactivationRevokesSessions) {
  auto d = MakeDepartment("Civil Affairs", "CC1", "130000");
  RoleSet requester;
  requester.Add(Role::kRequester);
  auto u = MakeUser("alice", d.id, requester);
  ASSERT_TRUE(store_->CreateSession({"tok1", u.id, "csrf1", kStart, kStart + 3600, "127.0.0.1"}).ok());

  clock_.Advance(5);
  RoleSet auditor;
  auditor.Add(Role::kAuditor);
  u.roles = auditor;
  u.display_name = "Alice";
  u.valid_until = "2030-01-01";
  u.locked_until = kStart + 100;
  u.failed_logins = 3;
  ASSERT_TRUE(store_->UpdateUser(u, 1).ok());
  auto g = **store_->GetUser(u.id);
  EXPECT_EQ(g.roles, auditor);
  EXPECT_EQ(g.display_name, "Alice");
  EXPECT_EQ(g.valid_until, "2030-01-01");
  EXPECT_EQ(g.locked_until, kStart + 100);
  EXPECT_EQ(g.failed_logins, 3);
  EXPECT_EQ(g.version, 2);
  EXPECT_EQ(g.updated_at, kStart + 5);
  EXPECT_TRUE(store_->FindSession("tok1")->has_value());

  u.roles = requester;
  auto stale = store_->UpdateUser(u, 1);
  EXPECT_EQ(stale.code(), "version_conflict");
  EXPECT_EQ((**store_->GetUser(u.id)).roles, auditor);  // roles untouched by the failed update

  u.active = false;
  ASSERT_TRUE(store_->UpdateUser(u, 2).ok());
  EXPECT_FALSE((**store_->GetUser(u.id)).active);
  EXPECT_FALSE(store_->FindSession("tok1")->has_value());
  u.active = true;
  ASSERT_TRUE(store_->UpdateUser(u, 3).ok());
  EXPECT_FALSE(store_->FindSession("tok1")->has_value());  // revoked for good
}

TEST_P(OrgStoreConformance, SetPasswordAndRecordLogin) {
  auto d = MakeDepartment("Civil Affairs", "CC1", "130000");
  auto u = MakeUser("alice", d.id);
  ASSERT_TRUE(store_->RecordLogin(u.id, 5, kStart + 900).ok());
  auto locked = **store_->GetUser(u.id);
  EXPECT_EQ(locked.failed_logins, 5);
  EXPECT_EQ(locked.locked_until, kStart + 900);
  EXPECT_EQ(locked.version, 1);  // login bookkeeping is not an edit

  clock_.Advance(10);
  ASSERT_TRUE(store_->SetPassword(u.id, "new-hash", true).ok());
  auto creds = **store_->GetUserByUsername("alice");
  EXPECT_EQ(creds.password_hash, "new-hash");
  EXPECT_TRUE(creds.user.must_change_password);
  EXPECT_EQ(creds.user.failed_logins, 0);
  EXPECT_EQ(creds.user.locked_until, std::nullopt);
  EXPECT_EQ(creds.user.version, 2);
  EXPECT_EQ(creds.user.updated_at, kStart + 10);

  ASSERT_TRUE(store_->RecordLogin(u.id, 0, std::nullopt).ok());
  EXPECT_EQ((**store_->GetUser(u.id)).locked_until, std::nullopt);
  EXPECT_EQ(store_->SetPassword(u.id + 1000, "h", false).kind(), ErrorKind::kNotFound);
}

TEST_P(OrgStoreConformance, ListUsersFiltersAndPages) {
  auto prov = MakeDepartment("Authority", "AUTH1", "130000", DepartmentKind::kAuthority);
  auto city = MakeDepartment("City Health", "CH1", "130100");
  auto county = MakeDepartment("County Office", "CO1", "130102");
  auto a = MakeUser("alice", prov.id);
  auto b = MakeUser("bob_smith", city.id);
  auto c = MakeUser("carol", county.id);
  auto e = MakeUser("bobby", city.id);

  EXPECT_EQ(Ids(*store_->ListUsers({}, {})), (std::vector<std::int64_t>{a.id, b.id, c.id, e.id}));
  EXPECT_EQ(Ids(*store_->ListUsers(UsersWhere(city.id, std::nullopt, std::nullopt), {})),
            (std::vector<std::int64_t>{b.id, e.id}));
  EXPECT_EQ(
      Ids(*store_->ListUsers(UsersWhere(std::nullopt, std::vector<std::string>{"130100", "130102"}, std::nullopt), {})),
      (std::vector<std::int64_t>{b.id, c.id, e.id}));
  EXPECT_TRUE(store_->ListUsers(UsersWhere(std::nullopt, std::vector<std::string>{}, std::nullopt), {})->empty());
  EXPECT_EQ(Ids(*store_->ListUsers(UsersWhere(std::nullopt, std::nullopt, "BOB"), {})),
            (std::vector<std::int64_t>{b.id, e.id}));
  EXPECT_EQ(Ids(*store_->ListUsers(UsersWhere(std::nullopt, std::nullopt, "b_s"), {})),
            (std::vector<std::int64_t>{b.id}));
  EXPECT_TRUE(store_->ListUsers(UsersWhere(std::nullopt, std::nullopt, "b%y"), {})->empty());
  EXPECT_EQ(Ids(*store_->ListUsers(UsersWhere(std::nullopt, std::nullopt, "user car"), {})),
            (std::vector<std::int64_t>{c.id}));  // display name
  EXPECT_EQ(Ids(*store_->ListUsers(UsersWhere(city.id, std::nullopt, "smith"), {})), (std::vector<std::int64_t>{b.id}));
  EXPECT_EQ(Ids(*store_->ListUsers({}, Page(a.id, 2))), (std::vector<std::int64_t>{b.id, c.id}));
}

// ---- sessions -----------------------------------------------------------------------------------------------------

TEST_P(OrgStoreConformance, FindSessionResolvesThePrincipal) {
  auto authority = MakeDepartment("Authority", "AUTH1", "130100", DepartmentKind::kAuthority);
  RoleSet roles;
  roles.Add(Role::kAuthorityReviewer);
  roles.Add(Role::kAuditor);
  User u;
  u.username = "rev";
  u.display_name = "Reviewer";
  u.department_id = authority.id;
  u.roles = roles;
  u.must_change_password = true;
  u.valid_until = "2026-12-31";
  ASSERT_TRUE(store_->CreateUser(u, "h").ok());
  const Session s{"hash-1", u.id, "csrf-1", kStart, kStart + 3600, "10.0.0.7"};
  ASSERT_TRUE(store_->CreateSession(s).ok());
  EXPECT_EQ(store_->CreateSession(s).kind(), ErrorKind::kConflict);  // token hashes are unique

  auto found = store_->FindSession("hash-1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  const auto& [session, p] = **found;
  EXPECT_EQ(session.token_hash, "hash-1");
  EXPECT_EQ(session.user_id, u.id);
  EXPECT_EQ(session.csrf_token, "csrf-1");
  EXPECT_EQ(session.created_at, kStart);
  EXPECT_EQ(session.expires_at, kStart + 3600);
  EXPECT_EQ(session.client_address, "10.0.0.7");
  EXPECT_EQ(p.kind, Principal::Kind::kUser);
  EXPECT_EQ(p.id, u.id);
  EXPECT_EQ(p.name, "rev");
  EXPECT_EQ(p.display_name, "Reviewer");
  EXPECT_EQ(p.department_id, authority.id);
  EXPECT_EQ(p.department_name, "Authority");
  EXPECT_EQ(p.region_id, "130100");
  EXPECT_TRUE(p.at_authority);
  EXPECT_EQ(p.roles, roles);
  EXPECT_TRUE(p.must_change_password);
  EXPECT_EQ(p.valid_until, "2026-12-31");
  EXPECT_EQ(p.csrf_token, "csrf-1");
  EXPECT_EQ(p.expires_at, kStart + 3600);
  EXPECT_FALSE(store_->FindSession("unknown")->has_value());
}

TEST_P(OrgStoreConformance, RevokedSessionsAndInactiveDepartmentsAreNotFound) {
  auto d = MakeDepartment("Civil Affairs", "CC1", "130000");
  auto u = MakeUser("alice", d.id);
  auto v = MakeUser("bob", d.id);
  ASSERT_TRUE(store_->CreateSession({"t1", u.id, "c", kStart, kStart + 60, "a"}).ok());
  ASSERT_TRUE(store_->CreateSession({"t2", u.id, "c", kStart, kStart + 60, "a"}).ok());
  ASSERT_TRUE(store_->CreateSession({"t3", u.id, "c", kStart, kStart + 60, "a"}).ok());
  ASSERT_TRUE(store_->CreateSession({"t4", v.id, "c", kStart, kStart + 60, "a"}).ok());
  EXPECT_FALSE((**store_->FindSession("t1")).second.at_authority);

  ASSERT_TRUE(store_->RevokeSession("t1").ok());
  ASSERT_TRUE(store_->RevokeSession("never-existed").ok());
  EXPECT_FALSE(store_->FindSession("t1")->has_value());
  EXPECT_TRUE(store_->FindSession("t2")->has_value());

  ASSERT_TRUE(store_->RevokeUserSessions(u.id).ok());
  EXPECT_FALSE(store_->FindSession("t2")->has_value());
  EXPECT_FALSE(store_->FindSession("t3")->has_value());
  EXPECT_TRUE(store_->FindSession("t4")->has_value());

  d.active = false;
  ASSERT_TRUE(store_->UpdateDepartment(d, 1).ok());
  EXPECT_FALSE(store_->FindSession("t4")->has_value());
}

// ---- applications and API keys ------------------------------------------------------------------------------------

TEST_P(OrgStoreConformance, ApplicationsAreCreatedUpdatedAndListed) {
  auto prov = MakeDepartment("Authority", "AUTH1", "130000", DepartmentKind::kAuthority);
  auto city = MakeDepartment("City Health", "CH1", "130100");
  auto a = MakeApplication("portal", prov.id);
  auto b = MakeApplication("his", city.id);
  auto c = MakeApplication("lab", city.id);
  EXPECT_GT(a.id, 0);
  EXPECT_EQ(a.version, 1);

  auto got = **store_->GetApplication(b.id);
  EXPECT_EQ(got.name, "his");
  EXPECT_EQ(got.department_id, city.id);
  EXPECT_EQ(got.description, "system his");
  EXPECT_TRUE(got.active);
  EXPECT_EQ(got.created_at, kStart);
  EXPECT_FALSE(store_->GetApplication(c.id + 1000)->has_value());

  Application dup;
  dup.department_id = city.id;
  dup.name = "his";
  dup.description = "again";
  EXPECT_EQ(store_->CreateApplication(dup).kind(), ErrorKind::kConflict);
  dup.department_id = prov.id;  // same name in another department is fine
  EXPECT_TRUE(store_->CreateApplication(dup).ok());

  EXPECT_EQ(Ids(*store_->ListApplications({}, {})), (std::vector<std::int64_t>{a.id, b.id, c.id, dup.id}));
  EXPECT_EQ(Ids(*store_->ListApplications(ApplicationsWhere(city.id, std::nullopt), {})),
            (std::vector<std::int64_t>{b.id, c.id}));
  EXPECT_EQ(Ids(*store_->ListApplications(ApplicationsWhere(std::nullopt, std::vector<std::string>{"130000"}), {})),
            (std::vector<std::int64_t>{a.id, dup.id}));
  EXPECT_EQ(Ids(*store_->ListApplications({}, Page(a.id, 1))), (std::vector<std::int64_t>{b.id}));

  clock_.Advance(7);
  b.description = "hospital information system";
  b.active = false;
  ASSERT_TRUE(store_->UpdateApplication(b, 1).ok());
  got = **store_->GetApplication(b.id);
  EXPECT_EQ(got.description, "hospital information system");
  EXPECT_FALSE(got.active);
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.updated_at, kStart + 7);
  auto stale = store_->UpdateApplication(b, 1);
  EXPECT_EQ(stale.kind(), ErrorKind::kConflict);
  EXPECT_EQ(stale.code(), "version_conflict");
}

TEST_P(OrgStoreConformance, ApiKeysAreFoundByPrefixAndRevokedOnce) {
  auto d = MakeDepartment("City Health", "CH1", "130100");
  auto admin = MakeUser("admin", d.id);
  auto app = MakeApplication("his", d.id);
  auto other = MakeApplication("lab", d.id);
  auto k1 = MakeKey("abc123", app.id, admin.id);
  auto k2 = MakeKey("def456", app.id, admin.id);
  MakeKey("ghi789", other.id, admin.id);
  EXPECT_GT(k2.id, k1.id);

  ApiKey dup = k1;
  dup.application_id = other.id;
  EXPECT_EQ(store_->CreateApiKey(dup).kind(), ErrorKind::kConflict);  // prefixes are unique

  auto keys = store_->ListApiKeys(app.id);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].prefix, "abc123");
  EXPECT_EQ((*keys)[0].secret_hash, "sha256-abc123");
  EXPECT_EQ((*keys)[0].label, "key abc123");
  EXPECT_EQ((*keys)[0].created_at, kStart);
  EXPECT_EQ((*keys)[0].expires_at, kStart + 86400);
  EXPECT_EQ((*keys)[0].revoked_at, std::nullopt);
  EXPECT_EQ((*keys)[0].created_by, admin.id);
  EXPECT_EQ((*keys)[1].id, k2.id);

  auto found = store_->FindApiKey("abc123");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  const auto& [key, p] = **found;
  EXPECT_EQ(key.id, k1.id);
  EXPECT_EQ(p.kind, Principal::Kind::kApplication);
  EXPECT_EQ(p.id, app.id);
  EXPECT_EQ(p.name, "his");
  EXPECT_EQ(p.display_name, "his");
  EXPECT_EQ(p.department_id, d.id);
  EXPECT_EQ(p.department_name, "City Health");
  EXPECT_EQ(p.region_id, "130100");
  EXPECT_EQ(p.expires_at, kStart + 86400);
  EXPECT_FALSE(store_->FindApiKey("abc12")->has_value());  // the whole prefix, not a prefix of it

  EXPECT_EQ(store_->RevokeApiKey(other.id, k1.id, kStart + 5).kind(), ErrorKind::kNotFound);  // not its key
  ASSERT_TRUE(store_->RevokeApiKey(app.id, k1.id, kStart + 5).ok());
  ASSERT_TRUE(store_->RevokeApiKey(app.id, k1.id, kStart + 9).ok());  // again: keeps the first time
  EXPECT_EQ((*store_->ListApiKeys(app.id))[0].revoked_at, kStart + 5);
  // A revoked key is still found (the caller checks revoked_at); an inactive application's keys are not.
  EXPECT_EQ((**store_->FindApiKey("abc123")).first.revoked_at, kStart + 5);
  app.active = false;
  ASSERT_TRUE(store_->UpdateApplication(app, 1).ok());
  EXPECT_FALSE(store_->FindApiKey("def456")->has_value());
  EXPECT_TRUE(store_->FindApiKey("ghi789")->has_value());
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

INSTANTIATE_TEST_SUITE_P(Backends, OrgStoreConformance, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace govshare::org
