// The SharingStore conformance suite: every test runs once per storage backend (instances .../Sqlite and .../Postgres),
// so both implementations keep the same semantics. The Postgres instances need the throwaway cluster of CTest fixture
// `postgres` (scripts/pg-cluster.sh) and fail when it is missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "common/clock.hpp"
#include "sharing/sharing_store.hpp"
#include "store/pg/migrations.hpp"
#include "store/pg/org_store_pg.hpp"
#include "store/pg/sharing_store_pg.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/org_store_sqlite.hpp"
#include "store/sqlite/sharing_store_sqlite.hpp"
#include "support/backend_sql.hpp"
#include "support/pg_test_database.hpp"

namespace govshare::sharing {
namespace {

using common::ErrorKind;
using common::Status;

enum class Backend { kSqlite, kPostgres };

void PrintTo(Backend backend, std::ostream* os) { *os << (backend == Backend::kSqlite ? "SQLite" : "PostgreSQL"); }

constexpr common::UnixSeconds kStart = 1'800'000'000;
// Catalog entries and cases the requests point at. SQLite checks these references, so the fixture creates the rows
// there; PostgreSQL has no catalog or case tables yet (issue 9), so nothing checks them.
constexpr std::int64_t kEntry = 7;
constexpr std::int64_t kOtherEntry = 8;
constexpr std::int64_t kCase = 21;

// Filters built field by field, so that fields added to them later keep their defaults here.
RequestFilter RequestsWhere(std::optional<std::int64_t> requester, std::optional<std::int64_t> provider,
                            std::optional<std::string> state, std::optional<std::int64_t> entry) {
  RequestFilter f;
  f.requester_department_id = requester;
  f.provider_department_id = provider;
  f.state = std::move(state);
  f.entry_id = entry;
  return f;
}

OutwardFilter OutwardWhere(std::optional<std::int64_t> requester, std::optional<std::string> state) {
  OutwardFilter f;
  f.requester_department_id = requester;
  f.state = std::move(state);
  return f;
}

GrantFilter GrantsWhere(std::optional<std::int64_t> consumer, std::optional<std::int64_t> provider,
                        std::optional<std::int64_t> application, std::optional<std::string> status) {
  GrantFilter f;
  f.consumer_department_id = consumer;
  f.provider_department_id = provider;
  f.application_id = application;
  f.status = std::move(status);
  return f;
}

Scenario MakeScenario(const std::string& purpose) {
  Scenario s;
  s.purpose = purpose;
  s.legal_basis = "《政务数据共享条例》第十四条";
  s.scope = "city \"A\" \\ county";
  s.manner = "lookup";
  s.volume_per_day = 5000;
  s.validity_days = 365;
  s.service_matter = "11130000MB0001";
  return s;
}

void ExpectSameScenario(const Scenario& a, const Scenario& b) {
  EXPECT_EQ(a.purpose, b.purpose);
  EXPECT_EQ(a.legal_basis, b.legal_basis);
  EXPECT_EQ(a.scope, b.scope);
  EXPECT_EQ(a.manner, b.manner);
  EXPECT_EQ(a.volume_per_day, b.volume_per_day);
  EXPECT_EQ(a.validity_days, b.validity_days);
  EXPECT_EQ(a.service_matter, b.service_matter);
}

void ExpectSameRequest(const ShareRequest& a, const ShareRequest& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.requester_department_id, b.requester_department_id);
  EXPECT_EQ(a.application_id, b.application_id);
  EXPECT_EQ(a.entry_id, b.entry_id);
  EXPECT_EQ(a.entry_version, b.entry_version);
  EXPECT_EQ(a.provider_department_id, b.provider_department_id);
  EXPECT_EQ(a.share_type, b.share_type);
  EXPECT_EQ(a.items, b.items);
  ExpectSameScenario(a.scenario, b.scenario);
  EXPECT_EQ(a.commitments_accepted_at, b.commitments_accepted_at);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.case_id, b.case_id);
  ASSERT_EQ(a.terms.has_value(), b.terms.has_value());
  if (a.terms) {
    EXPECT_EQ(a.terms->items, b.terms->items);
    EXPECT_EQ(a.terms->validity_days, b.terms->validity_days);
    EXPECT_EQ(a.terms->volume_per_day, b.terms->volume_per_day);
    EXPECT_EQ(a.terms->masks, b.terms->masks);
  }
  EXPECT_EQ(a.refusal_reasons, b.refusal_reasons);
  EXPECT_EQ(a.objection, b.objection);
  EXPECT_EQ(a.decision, b.decision);
  EXPECT_EQ(a.grant_id, b.grant_id);
  EXPECT_EQ(a.created_by, b.created_by);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
}

void ExpectSameOutward(const OutwardRequest& a, const OutwardRequest& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.requester_department_id, b.requester_department_id);
  EXPECT_EQ(a.application_id, b.application_id);
  EXPECT_EQ(a.level, b.level);
  EXPECT_EQ(a.holder, b.holder);
  EXPECT_EQ(a.resource, b.resource);
  EXPECT_EQ(a.items, b.items);
  ExpectSameScenario(a.scenario, b.scenario);
  EXPECT_EQ(a.commitments_accepted_at, b.commitments_accepted_at);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.case_id, b.case_id);
  EXPECT_EQ(a.forward_reference, b.forward_reference);
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.created_by, b.created_by);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
}

void ExpectSameGrant(const Grant& a, const Grant& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.request_id, b.request_id);
  EXPECT_EQ(a.consumer_department_id, b.consumer_department_id);
  EXPECT_EQ(a.application_id, b.application_id);
  EXPECT_EQ(a.provider_department_id, b.provider_department_id);
  EXPECT_EQ(a.entry_id, b.entry_id);
  EXPECT_EQ(a.entry_version, b.entry_version);
  EXPECT_EQ(a.items, b.items);
  EXPECT_EQ(a.masks, b.masks);
  EXPECT_EQ(a.row_scope, b.row_scope);
  EXPECT_EQ(a.manner, b.manner);
  ExpectSameScenario(a.scenario, b.scenario);
  EXPECT_EQ(a.valid_from, b.valid_from);
  EXPECT_EQ(a.valid_to, b.valid_to);
  EXPECT_EQ(a.quota_per_day, b.quota_per_day);
  EXPECT_EQ(a.rate_per_minute, b.rate_per_minute);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.status_reason, b.status_reason);
  EXPECT_EQ(a.status_changed_at, b.status_changed_at);
  EXPECT_EQ(a.status_changed_by, b.status_changed_by);
  EXPECT_EQ(a.created_at, b.created_at);
}

template <typename T>
std::vector<std::int64_t> Ids(const std::vector<T>& rows) {
  std::vector<std::int64_t> ids;
  ids.reserve(rows.size());
  for (const auto& r : rows) ids.push_back(r.id);
  return ids;
}

std::vector<std::string> GrantIds(const std::vector<Grant>& grants) {
  std::vector<std::string> ids;
  ids.reserve(grants.size());
  for (const auto& g : grants) ids.push_back(g.id);
  return ids;
}

/// A first page of grants in `sort` (created_at: the order the API lists grants in without a sort).
org::PageRequest GrantPage(int limit, org::SortField sort = org::SortField::kCreatedAt, bool descending = false) {
  org::PageRequest page(0, limit);
  page.sort = sort;
  page.descending = descending;
  return page;
}

class SharingStoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      std::string name = "govshare-sharing-" + std::to_string(::getpid()) + "-" +
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
      org_ = std::make_unique<store::sqlite::SqliteOrgStore>(*sqlite_, clock_);
      store_ = std::make_unique<store::sqlite::SqliteSharingStore>(*sqlite_);
    } else {
      scratch_ = std::make_unique<testing::ScratchPgDatabase>();
      ASSERT_TRUE(scratch_->status().ok()) << scratch_->status().ToString();
      store::pg::Database::Options options;
      options.conninfo = scratch_->conninfo();
      auto db = store::pg::Database::Open(options, store::pg::MainMigrations());
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      pg_ = std::move(db.value());
      org_ = std::make_unique<store::pg::PgOrgStore>(*pg_, clock_);
      store_ = std::make_unique<store::pg::PgSharingStore>(*pg_);
    }
    org::Region province{"130000", "130000", "河北省", org::RegionLevel::kProvince, std::nullopt, std::nullopt, false};
    ASSERT_TRUE(org_->UpsertRegions({province}).ok());
    consumer_ = MakeDepartment("Civil Affairs", "CC1");
    provider_ = MakeDepartment("Public Security", "CC2");
    other_ = MakeDepartment("Health", "CC3");
    app_ = MakeApplication("marriage registry", consumer_);
    other_app_ = MakeApplication("clinic registry", other_);
    {  // what the sharing tables refer to (foreign keys on both backends)
      for (const auto entry : {kEntry, kOtherEntry}) {
        ASSERT_TRUE(Exec("INSERT INTO catalog_entries(id, resource_code, provider_department_id, region_id, name, "
                         "created_by, created_at, updated_at, version) VALUES (" +
                         std::to_string(entry) + ", 'R-" + std::to_string(entry) + "', " + std::to_string(provider_) +
                         ", '130000', 'entry " + std::to_string(entry) + "', 1, 0, 0, 1)")
                        .ok());
      }
      ASSERT_TRUE(Exec("INSERT INTO cases(id, type, state, subject, requester_department_id, region_id, created_by, "
                       "created_at, updated_at) VALUES (" +
                       std::to_string(kCase) + ", 'share_request', 'provider_review', 's', " +
                       std::to_string(consumer_) + ", '130000', 1, 0, 0)")
                      .ok());
    }
  }
  void TearDown() override {
    store_.reset();
    org_.reset();
    sqlite_.reset();
    pg_.reset();
    scratch_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::int64_t MakeDepartment(const std::string& name, const std::string& credit_code) {
    org::Department d;
    d.name = name;
    d.credit_code = credit_code;
    d.region_id = "130000";
    d.kind = org::DepartmentKind::kDepartment;
    d.responsible_unit = name + " data office";
    d.contact_name = "Li";
    d.contact_phone = "0311-1234567";
    EXPECT_TRUE(org_->CreateDepartment(d).ok());
    return d.id;
  }

  std::int64_t MakeApplication(const std::string& name, std::int64_t department_id) {
    org::Application a;
    a.department_id = department_id;
    a.name = name;
    a.description = "system " + name;
    EXPECT_TRUE(org_->CreateApplication(a).ok());
    return a.id;
  }

  /// Runs SQL that both dialects accept directly on the backend's database, in a write transaction of its own.
  Status Exec(const std::string& sql) { return testing::ExecSql(sqlite_.get(), pg_.get(), sql); }

  /// Runs `job` inside a write transaction of the backend, as a case transition does; it commits if the job returns
  /// ok and rolls back otherwise.
  Status InTransaction(const std::function<Status(store::Transaction&)>& job) {
    if (sqlite_) {
      return sqlite_->Write([&](store::sqlite::Connection& c) {
        store::sqlite::SqliteTransaction tx(c);
        return job(tx);
      });
    }
    return pg_->Write([&](store::pg::Connection& c) {
      store::pg::PgTransaction tx(c);
      return job(tx);
    });
  }

  ShareRequest NewRequest(std::int64_t requester, std::int64_t provider, std::int64_t entry, const std::string& state) {
    ShareRequest r;
    r.requester_department_id = requester;
    r.application_id = requester == consumer_ ? app_ : other_app_;
    r.entry_id = entry;
    r.entry_version = 3;
    r.provider_department_id = provider;
    r.share_type = "conditional";
    r.items = {"name", "id_number", "婚姻状况"};
    r.scenario = MakeScenario("marriage registration");
    r.commitments_accepted_at = kStart;
    r.state = state;
    r.refusal_reasons = "";
    r.created_by = 11;
    r.created_at = kStart;
    r.updated_at = kStart;
    return r;
  }

  OutwardRequest NewOutward(std::int64_t requester, const std::string& state) {
    OutwardRequest r;
    r.requester_department_id = requester;
    r.application_id = requester == consumer_ ? app_ : other_app_;
    r.level = "national";
    r.holder = "Ministry of Civil Affairs";
    r.resource = "全国婚姻登记信息 (MCA-0001)";
    r.items = {"name", "marital_status"};
    r.scenario = MakeScenario("verification");
    r.commitments_accepted_at = kStart;
    r.state = state;
    r.created_by = 12;
    r.created_at = kStart;
    r.updated_at = kStart;
    return r;
  }

  Grant NewGrant(const std::string& id, std::int64_t request_id, std::int64_t consumer, std::int64_t application,
                 const std::string& status, common::UnixSeconds created_at) {
    Grant g;
    g.id = id;
    g.request_id = request_id;
    g.consumer_department_id = consumer;
    g.application_id = application;
    g.provider_department_id = provider_;
    g.entry_id = kEntry;
    g.entry_version = 3;
    g.items = {"name", "id_number"};
    g.masks = {{"id_number", "keep_first_6_last_4"}, {"name", "none"}};
    g.row_scope = {"1301", "130102"};
    g.manner = "lookup";
    g.scenario = MakeScenario("marriage registration");
    g.valid_from = kStart;
    g.valid_to = kStart + 365 * 86400;
    g.quota_per_day = 5000;
    g.rate_per_minute = 60;
    g.status = status;
    g.status_reason = "";
    g.created_at = created_at;
    return g;
  }

  /// A stored request for grants to point at.
  std::int64_t StoredRequest() {
    auto r = NewRequest(consumer_, provider_, kEntry, "approved");
    EXPECT_TRUE(store_->PutRequest(nullptr, r).ok());
    return r.id;
  }

  common::FakeClock clock_{kStart};
  std::filesystem::path dir_;
  std::unique_ptr<store::sqlite::Database> sqlite_;
  std::unique_ptr<testing::ScratchPgDatabase> scratch_;
  std::unique_ptr<store::pg::Database> pg_;
  std::unique_ptr<org::OrgStore> org_;
  std::unique_ptr<SharingStore> store_;
  std::int64_t consumer_ = 0;
  std::int64_t provider_ = 0;
  std::int64_t other_ = 0;
  std::int64_t app_ = 0;
  std::int64_t other_app_ = 0;
};

TEST_P(SharingStoreConformance, PutRequestInsertsWithAnIdAndGetReadsBackEveryField) {
  auto r = NewRequest(consumer_, provider_, kEntry, "provider_review");
  r.case_id = kCase;
  Terms terms;
  terms.items = {"name"};
  terms.validity_days = 90;
  terms.volume_per_day = 100;
  terms.masks = {{"name", "keep_first_1"}};
  r.terms = terms;
  r.objection = "需要 \"全部\" 字段";
  r.grant_id = "gr_x";
  ASSERT_TRUE(store_->PutRequest(nullptr, r).ok());
  EXPECT_GT(r.id, 0);
  auto plain = NewRequest(consumer_, provider_, kEntry, "provider_review");
  ASSERT_TRUE(store_->PutRequest(nullptr, plain).ok());
  EXPECT_GT(plain.id, r.id);

  auto got = store_->GetRequest(r.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  ExpectSameRequest(**got, r);
  auto got_plain = store_->GetRequest(plain.id);
  ASSERT_TRUE(got_plain.ok() && got_plain->has_value());
  ExpectSameRequest(**got_plain, plain);  // no case, no terms, no grant: absent, not empty
  EXPECT_FALSE((*got_plain)->terms.has_value());
  EXPECT_FALSE((*got_plain)->case_id.has_value());
  EXPECT_FALSE((*got_plain)->grant_id.has_value());

  auto missing = store_->GetRequest(plain.id + 100);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(SharingStoreConformance, PutRequestUpdatesOnlyTheDecisionFields) {
  auto r = NewRequest(consumer_, provider_, kEntry, "provider_review");
  ASSERT_TRUE(store_->PutRequest(nullptr, r).ok());
  const auto original = r;

  r.state = "refused";
  r.case_id = kCase;
  Terms terms;
  terms.items = {"id_number"};
  terms.masks = {{"id_number", "none"}};
  r.terms = terms;
  r.refusal_reasons = "no legal basis";
  r.objection = "objection";
  r.decision = "upheld";
  r.grant_id = "gr_y";
  r.updated_at = kStart + 60;
  // Fields a request never changes once made: an update leaves them as they were.
  r.items = {"something else"};
  r.share_type = "unconditional";
  r.entry_version = 9;
  r.created_at = kStart + 99;
  ASSERT_TRUE(store_->PutRequest(nullptr, r).ok());

  auto expected = original;
  expected.state = "refused";
  expected.case_id = kCase;
  expected.terms = terms;
  expected.refusal_reasons = "no legal basis";
  expected.objection = "objection";
  expected.decision = "upheld";
  expected.grant_id = "gr_y";
  expected.updated_at = kStart + 60;
  auto got = store_->GetRequest(r.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSameRequest(**got, expected);

  // Terms and grant can be cleared again.
  r.terms.reset();
  r.grant_id.reset();
  r.case_id.reset();
  ASSERT_TRUE(store_->PutRequest(nullptr, r).ok());
  got = store_->GetRequest(r.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_FALSE((*got)->terms.has_value());
  EXPECT_FALSE((*got)->grant_id.has_value());
  EXPECT_FALSE((*got)->case_id.has_value());

  auto unknown = NewRequest(consumer_, provider_, kEntry, "refused");
  unknown.id = r.id + 100;
  EXPECT_EQ(store_->PutRequest(nullptr, unknown).kind(), ErrorKind::kNotFound);
}

TEST_P(SharingStoreConformance, PutRequestRefusesUnknownDepartmentsAndApplications) {
  auto r = NewRequest(consumer_, provider_, kEntry, "provider_review");
  r.requester_department_id = other_ + 100;
  EXPECT_EQ(store_->PutRequest(nullptr, r).kind(), ErrorKind::kConflict);
  r = NewRequest(consumer_, provider_, kEntry, "provider_review");
  r.application_id = other_app_ + 100;
  EXPECT_EQ(store_->PutRequest(nullptr, r).kind(), ErrorKind::kConflict);
  auto all = store_->ListRequests(RequestFilter{}, {0, 100});
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_P(SharingStoreConformance, ListRequestsFiltersAndPagesInIdOrder) {
  std::vector<ShareRequest> made;
  made.push_back(NewRequest(consumer_, provider_, kEntry, "provider_review"));
  made.push_back(NewRequest(other_, provider_, kEntry, "approved"));
  made.push_back(NewRequest(consumer_, other_, kOtherEntry, "approved"));
  made.push_back(NewRequest(consumer_, provider_, kOtherEntry, "refused"));
  made.push_back(NewRequest(other_, consumer_, kEntry, "approved"));
  for (auto& r : made) ASSERT_TRUE(store_->PutRequest(nullptr, r).ok());
  auto id = [&](std::size_t i) { return made[i].id; };

  auto list = [&](const RequestFilter& f, std::int64_t after, int limit) {
    auto rows = store_->ListRequests(f, {after, limit});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? Ids(*rows) : std::vector<std::int64_t>{};
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(list(RequestFilter{}, 0, 100), (V{id(0), id(1), id(2), id(3), id(4)}));
  EXPECT_EQ(list(RequestsWhere(consumer_, std::nullopt, std::nullopt, std::nullopt), 0, 100), (V{id(0), id(2), id(3)}));
  EXPECT_EQ(list(RequestsWhere(std::nullopt, provider_, std::nullopt, std::nullopt), 0, 100), (V{id(0), id(1), id(3)}));
  EXPECT_EQ(list(RequestsWhere(std::nullopt, std::nullopt, "approved", std::nullopt), 0, 100),
            (V{id(1), id(2), id(4)}));
  EXPECT_EQ(list(RequestsWhere(std::nullopt, std::nullopt, std::nullopt, kOtherEntry), 0, 100), (V{id(2), id(3)}));
  EXPECT_EQ(list(RequestsWhere(consumer_, provider_, "refused", kOtherEntry), 0, 100), (V{id(3)}));
  EXPECT_EQ(list(RequestsWhere(consumer_, std::nullopt, "withdrawn", std::nullopt), 0, 100), V{});

  // Paging: after an id, at most `limit` rows, in id order; a negative limit lists all (SQLite's LIMIT -1).
  EXPECT_EQ(list(RequestFilter{}, 0, 2), (V{id(0), id(1)}));
  EXPECT_EQ(list(RequestFilter{}, id(1), 2), (V{id(2), id(3)}));
  EXPECT_EQ(list(RequestFilter{}, id(3), 2), (V{id(4)}));
  EXPECT_EQ(list(RequestFilter{}, id(4), 2), V{});
  EXPECT_EQ(list(RequestsWhere(std::nullopt, std::nullopt, "approved", std::nullopt), id(1), 1), (V{id(2)}));
  EXPECT_EQ(list(RequestFilter{}, 0, 0), V{});
  EXPECT_EQ(list(RequestFilter{}, id(2), -1), (V{id(3), id(4)}));

  auto rows = store_->ListRequests(RequestsWhere(std::nullopt, std::nullopt, std::nullopt, kOtherEntry), {0, 100});
  ASSERT_TRUE(rows.ok() && rows->size() == 2);
  ExpectSameRequest((*rows)[0], made[2]);

  // Sorted by state, descending, one row a page by keyset: refused, then provider_review, then the three approved
  // ones in descending id order (ties break by id in the sort's direction); the same on both backends.
  std::vector<std::int64_t> walked;
  org::PageRequest page;
  page.sort = org::SortField::kState;
  page.descending = true;
  page.limit = 1;
  for (int guard = 0; guard < 10; ++guard) {
    auto one = store_->ListRequests(RequestFilter{}, page);
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    if (one->empty()) break;
    walked.push_back(one->front().id);
    page.after_id = one->front().id;
    page.after_value = one->front().state;
  }
  EXPECT_EQ(walked, (V{id(3), id(0), id(4), id(2), id(1)}));
  org::PageRequest wrong;
  wrong.sort = org::SortField::kUsername;
  EXPECT_EQ(store_->ListRequests(RequestFilter{}, wrong).status().code(), "invalid_sort");
}

TEST_P(SharingStoreConformance, OutwardRequestsAreInsertedUpdatedAndRead) {
  auto r = NewOutward(consumer_, "reviewing");
  ASSERT_TRUE(store_->PutOutward(nullptr, r).ok());
  EXPECT_GT(r.id, 0);
  auto got = store_->GetOutward(r.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSameOutward(**got, r);

  const auto original = r;
  r.state = "forwarded";
  r.case_id = kCase;
  r.forward_reference = "国家共享平台 2026-0042";
  r.outcome = "pending";
  r.updated_at = kStart + 60;
  r.holder = "someone else";  // never changes once made
  r.items = {"x"};
  ASSERT_TRUE(store_->PutOutward(nullptr, r).ok());
  auto expected = original;
  expected.state = "forwarded";
  expected.case_id = kCase;
  expected.forward_reference = "国家共享平台 2026-0042";
  expected.outcome = "pending";
  expected.updated_at = kStart + 60;
  got = store_->GetOutward(r.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSameOutward(**got, expected);

  auto missing = store_->GetOutward(r.id + 100);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto unknown = NewOutward(consumer_, "forwarded");
  unknown.id = r.id + 100;
  EXPECT_EQ(store_->PutOutward(nullptr, unknown).kind(), ErrorKind::kNotFound);

  auto bad_level = NewOutward(consumer_, "reviewing");
  bad_level.level = "municipal";
  EXPECT_EQ(store_->PutOutward(nullptr, bad_level).kind(), ErrorKind::kConflict);
}

TEST_P(SharingStoreConformance, ListOutwardFiltersAndPagesInIdOrder) {
  std::vector<OutwardRequest> made;
  made.push_back(NewOutward(consumer_, "reviewing"));
  made.push_back(NewOutward(other_, "forwarded"));
  made.push_back(NewOutward(consumer_, "forwarded"));
  made.push_back(NewOutward(consumer_, "answered"));
  for (auto& r : made) ASSERT_TRUE(store_->PutOutward(nullptr, r).ok());
  auto id = [&](std::size_t i) { return made[i].id; };
  auto list = [&](const OutwardFilter& f, std::int64_t after, int limit) {
    auto rows = store_->ListOutward(f, {after, limit});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? Ids(*rows) : std::vector<std::int64_t>{};
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(list(OutwardFilter{}, 0, 100), (V{id(0), id(1), id(2), id(3)}));
  EXPECT_EQ(list(OutwardWhere(consumer_, std::nullopt), 0, 100), (V{id(0), id(2), id(3)}));
  EXPECT_EQ(list(OutwardWhere(std::nullopt, "forwarded"), 0, 100), (V{id(1), id(2)}));
  EXPECT_EQ(list(OutwardWhere(consumer_, "forwarded"), 0, 100), (V{id(2)}));
  EXPECT_EQ(list(OutwardWhere(other_, "answered"), 0, 100), V{});
  EXPECT_EQ(list(OutwardFilter{}, 0, 3), (V{id(0), id(1), id(2)}));
  EXPECT_EQ(list(OutwardFilter{}, id(2), 3), (V{id(3)}));
  EXPECT_EQ(list(OutwardWhere(consumer_, std::nullopt), id(0), 1), (V{id(2)}));
  EXPECT_EQ(list(OutwardFilter{}, id(0), -1), (V{id(1), id(2), id(3)}));
}

TEST_P(SharingStoreConformance, InsertGrantAndGetReadsBackEveryField) {
  const auto request = StoredRequest();
  auto g = NewGrant("gr_one", request, consumer_, app_, "active", kStart);
  ASSERT_TRUE(store_->InsertGrant(nullptr, g).ok());
  auto got = store_->GetGrant("gr_one");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  ExpectSameGrant(**got, g);

  auto empty = NewGrant("gr_two", request, consumer_, app_, "active", kStart);
  empty.masks.clear();
  empty.row_scope.clear();  // all rows
  ASSERT_TRUE(store_->InsertGrant(nullptr, empty).ok());
  got = store_->GetGrant("gr_two");
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSameGrant(**got, empty);

  auto missing = store_->GetGrant("gr_none");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(store_->InsertGrant(nullptr, NewGrant("gr_three", request + 100, consumer_, app_, "active", kStart)).kind(),
            ErrorKind::kConflict);  // no such request
  EXPECT_EQ(store_->InsertGrant(nullptr, NewGrant("gr_four", request, consumer_, app_, "paused", kStart)).kind(),
            ErrorKind::kConflict);  // no such status
}

TEST_P(SharingStoreConformance, GrantStatusChangesButNothingElseDoes) {
  const auto request = StoredRequest();
  auto g = NewGrant("gr_one", request, consumer_, app_, "active", kStart);
  ASSERT_TRUE(store_->InsertGrant(nullptr, g).ok());

  ASSERT_TRUE(store_->SetGrantStatus("gr_one", "suspended", "audit finding", 31, kStart + 10).ok());
  auto got = store_->GetGrant("gr_one");
  ASSERT_TRUE(got.ok() && got->has_value());
  auto expected = g;
  expected.status = "suspended";
  expected.status_reason = "audit finding";
  expected.status_changed_at = kStart + 10;
  expected.status_changed_by = 31;
  ExpectSameGrant(**got, expected);
  ASSERT_TRUE(store_->SetGrantStatus("gr_one", "active", "resolved", 32, kStart + 20).ok());

  EXPECT_EQ(store_->SetGrantStatus("gr_none", "suspended", "", 31, kStart).kind(), ErrorKind::kNotFound);
  EXPECT_EQ(store_->SetGrantStatus("gr_one", "paused", "", 31, kStart).kind(), ErrorKind::kConflict);

  // No other change: not by inserting the id again, not by any UPDATE of another column, not by deleting it.
  auto wider = NewGrant("gr_one", request, consumer_, app_, "active", kStart);
  wider.quota_per_day = 1'000'000;
  EXPECT_EQ(store_->InsertGrant(nullptr, wider).kind(), ErrorKind::kConflict);
  EXPECT_EQ(Exec("UPDATE grants SET quota_per_day = 1000000 WHERE id = 'gr_one'").kind(), ErrorKind::kConflict);
  EXPECT_EQ(Exec("UPDATE grants SET items = '[\"name\",\"id_number\",\"address\"]' WHERE id = 'gr_one'").kind(),
            ErrorKind::kConflict);
  EXPECT_EQ(Exec("UPDATE grants SET valid_to = valid_to + 1 WHERE id = 'gr_one'").kind(), ErrorKind::kConflict);
  EXPECT_EQ(Exec("DELETE FROM grants WHERE id = 'gr_one'").kind(), ErrorKind::kConflict);

  // A revocation is final.
  ASSERT_TRUE(store_->SetGrantStatus("gr_one", "revoked", "misuse", 33, kStart + 30).ok());
  EXPECT_EQ(store_->SetGrantStatus("gr_one", "active", "", 34, kStart + 40).kind(), ErrorKind::kConflict);
  got = store_->GetGrant("gr_one");
  ASSERT_TRUE(got.ok() && got->has_value());
  expected.status = "revoked";
  expected.status_reason = "misuse";
  expected.status_changed_at = kStart + 30;
  expected.status_changed_by = 33;
  ExpectSameGrant(**got, expected);
}

TEST_P(SharingStoreConformance, ListGrantsFiltersInCreationThenIdOrder) {
  const auto request = StoredRequest();
  // Ids compare byte by byte on both backends ("gr_B" < "gr_a"), whatever the database's collation.
  std::vector<Grant> made = {
      NewGrant("gr_a", request, consumer_, app_, "active", kStart + 5),
      NewGrant("gr_B", request, consumer_, app_, "active", kStart + 5),
      NewGrant("gr_c", request, other_, other_app_, "suspended", kStart + 1),
      NewGrant("gr_d", request, consumer_, app_, "suspended", kStart + 9),
  };
  for (const auto& g : made) ASSERT_TRUE(store_->InsertGrant(nullptr, g).ok());

  auto list = [&](const GrantFilter& f) {
    auto rows = store_->ListGrants(f, GrantPage(100));
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? GrantIds(*rows) : std::vector<std::string>{};
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list(GrantFilter{}), (V{"gr_c", "gr_B", "gr_a", "gr_d"}));
  EXPECT_EQ(list(GrantsWhere(consumer_, std::nullopt, std::nullopt, std::nullopt)), (V{"gr_B", "gr_a", "gr_d"}));
  EXPECT_EQ(list(GrantsWhere(std::nullopt, provider_, std::nullopt, std::nullopt)),
            (V{"gr_c", "gr_B", "gr_a", "gr_d"}));
  EXPECT_EQ(list(GrantsWhere(std::nullopt, other_, std::nullopt, std::nullopt)), V{});
  EXPECT_EQ(list(GrantsWhere(std::nullopt, std::nullopt, other_app_, std::nullopt)), (V{"gr_c"}));
  EXPECT_EQ(list(GrantsWhere(std::nullopt, std::nullopt, std::nullopt, "suspended")), (V{"gr_c", "gr_d"}));
  EXPECT_EQ(list(GrantsWhere(consumer_, provider_, app_, "active")), (V{"gr_B", "gr_a"}));

  auto rows = store_->ListGrants(GrantsWhere(std::nullopt, std::nullopt, other_app_, std::nullopt), GrantPage(100));
  ASSERT_TRUE(rows.ok() && rows->size() == 1);
  ExpectSameGrant((*rows)[0], made[2]);
}

TEST_P(SharingStoreConformance, ListGrantsPagesBySortAndTextKey) {
  const auto request = StoredRequest();
  // Ties on every sort field, broken by the text id byte by byte ("gr_B" < "gr_a") in the sort's direction.
  std::vector<Grant> made = {
      NewGrant("gr_a", request, consumer_, app_, "active", kStart + 5),
      NewGrant("gr_B", request, consumer_, app_, "suspended", kStart + 5),
      NewGrant("gr_c", request, other_, other_app_, "active", kStart + 1),
      NewGrant("gr_d", request, consumer_, app_, "revoked", kStart + 9),
      NewGrant("gr_e", request, consumer_, app_, "active", kStart + 5),
  };
  made[0].valid_to = kStart + 100;
  made[3].valid_to = kStart + 100;
  made[4].valid_to = kStart + 50;
  for (const auto& g : made) ASSERT_TRUE(store_->InsertGrant(nullptr, g).ok());

  // Walks the whole list two rows a page, each page after the previous page's last row (value and key).
  const auto walk = [&](const GrantFilter& f, org::PageRequest page) {
    std::vector<std::string> ids;
    for (int guard = 0; guard < 10; ++guard) {
      auto rows = store_->ListGrants(f, page);
      EXPECT_TRUE(rows.ok()) << rows.status().ToString();
      if (!rows.ok() || rows->empty()) break;
      EXPECT_LE(rows->size(), 2U);
      for (const auto& g : *rows) {
        ids.push_back(g.id);
        page.After(g);
      }
    }
    return ids;
  };
  using V = std::vector<std::string>;
  using F = org::SortField;
  EXPECT_EQ(walk(GrantFilter{}, GrantPage(2)), (V{"gr_c", "gr_B", "gr_a", "gr_e", "gr_d"}));
  EXPECT_EQ(walk(GrantFilter{}, GrantPage(2, F::kCreatedAt, true)), (V{"gr_d", "gr_e", "gr_a", "gr_B", "gr_c"}));
  EXPECT_EQ(walk(GrantFilter{}, GrantPage(2, F::kStatus)), (V{"gr_a", "gr_c", "gr_e", "gr_d", "gr_B"}));
  EXPECT_EQ(walk(GrantFilter{}, GrantPage(2, F::kValidTo, true)), (V{"gr_c", "gr_B", "gr_d", "gr_a", "gr_e"}));
  EXPECT_EQ(walk(GrantsWhere(consumer_, std::nullopt, std::nullopt, "active"), GrantPage(1, F::kValidTo)),
            (V{"gr_e", "gr_a"}));
  GrantFilter of_entry;
  of_entry.entry_id = kEntry;
  EXPECT_EQ(walk(of_entry, GrantPage(2)), walk(GrantFilter{}, GrantPage(2)));
  of_entry.entry_id = kEntry + 1;
  EXPECT_EQ(walk(of_entry, GrantPage(2)), V{});

  // A page in the middle starts after the given row, even one that is not stored.
  auto page = GrantPage(2);
  page.after_value = kStart + 5;
  page.after_key = "gr_a";
  auto rows = store_->ListGrants(GrantFilter{}, page);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(GrantIds(*rows), (V{"gr_e", "gr_d"}));
  page.after_key = "gr_b";
  rows = store_->ListGrants(GrantFilter{}, page);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(GrantIds(*rows), (V{"gr_e", "gr_d"}));

  // Grants have no id order (their ids are random tokens) and no name.
  EXPECT_EQ(store_->ListGrants(GrantFilter{}, GrantPage(2, F::kId)).status().code(), "invalid_sort");
  EXPECT_EQ(store_->ListGrants(GrantFilter{}, GrantPage(2, F::kName)).status().code(), "invalid_sort");
}

TEST_P(SharingStoreConformance, WritesInsideACallersTransactionCommitWithIt) {
  auto existing = NewRequest(consumer_, provider_, kEntry, "provider_review");
  ASSERT_TRUE(store_->PutRequest(nullptr, existing).ok());
  auto outward = NewOutward(consumer_, "reviewing");
  ASSERT_TRUE(store_->PutOutward(nullptr, outward).ok());

  auto fresh = NewRequest(other_, provider_, kEntry, "provider_review");
  ASSERT_TRUE(InTransaction([&](store::Transaction& tx) {
                existing.state = "approved";
                existing.grant_id = "gr_tx";
                GOVSHARE_RETURN_IF_ERROR(
                    store_->InsertGrant(&tx, NewGrant("gr_tx", existing.id, consumer_, app_, "active", kStart)));
                GOVSHARE_RETURN_IF_ERROR(store_->PutRequest(&tx, existing));
                outward.state = "forwarded";
                GOVSHARE_RETURN_IF_ERROR(store_->PutOutward(&tx, outward));
                return store_->PutRequest(&tx, fresh);
              }).ok());

  auto got = store_->GetRequest(existing.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->state, "approved");
  EXPECT_EQ((*got)->grant_id, "gr_tx");
  auto grant = store_->GetGrant("gr_tx");
  ASSERT_TRUE(grant.ok());
  EXPECT_TRUE(grant->has_value());
  auto got_outward = store_->GetOutward(outward.id);
  ASSERT_TRUE(got_outward.ok() && got_outward->has_value());
  EXPECT_EQ((*got_outward)->state, "forwarded");
  EXPECT_GT(fresh.id, existing.id);
  auto got_fresh = store_->GetRequest(fresh.id);
  ASSERT_TRUE(got_fresh.ok());
  EXPECT_TRUE(got_fresh->has_value());
}

TEST_P(SharingStoreConformance, WritesInsideACallersTransactionThatRollsBackLeaveNothing) {
  auto existing = NewRequest(consumer_, provider_, kEntry, "provider_review");
  ASSERT_TRUE(store_->PutRequest(nullptr, existing).ok());
  auto outward = NewOutward(consumer_, "reviewing");
  ASSERT_TRUE(store_->PutOutward(nullptr, outward).ok());

  auto changed = existing;
  auto changed_outward = outward;
  auto fresh = NewRequest(other_, provider_, kEntry, "provider_review");
  auto fresh_outward = NewOutward(other_, "reviewing");
  auto status = InTransaction([&](store::Transaction& tx) {
    changed.state = "approved";
    changed.grant_id = "gr_tx";
    EXPECT_TRUE(store_->InsertGrant(&tx, NewGrant("gr_tx", existing.id, consumer_, app_, "active", kStart)).ok());
    EXPECT_TRUE(store_->PutRequest(&tx, changed).ok());
    changed_outward.state = "forwarded";
    EXPECT_TRUE(store_->PutOutward(&tx, changed_outward).ok());
    EXPECT_TRUE(store_->PutRequest(&tx, fresh).ok());
    EXPECT_TRUE(store_->PutOutward(&tx, fresh_outward).ok());
    return Status::Invalid("case_refused", "the case transition failed after the sharing writes");
  });
  EXPECT_EQ(status.kind(), ErrorKind::kInvalidArgument);

  auto got = store_->GetRequest(existing.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSameRequest(**got, existing);
  auto grant = store_->GetGrant("gr_tx");
  ASSERT_TRUE(grant.ok());
  EXPECT_FALSE(grant->has_value());
  auto got_outward = store_->GetOutward(outward.id);
  ASSERT_TRUE(got_outward.ok() && got_outward->has_value());
  ExpectSameOutward(**got_outward, outward);
  auto requests = store_->ListRequests(RequestFilter{}, {0, 100});
  ASSERT_TRUE(requests.ok());
  EXPECT_EQ(Ids(*requests), std::vector<std::int64_t>{existing.id});
  auto outwards = store_->ListOutward(OutwardFilter{}, {0, 100});
  ASSERT_TRUE(outwards.ok());
  EXPECT_EQ(Ids(*outwards), std::vector<std::int64_t>{outward.id});
  auto grants = store_->ListGrants(GrantFilter{}, GrantPage(100));
  ASSERT_TRUE(grants.ok());
  EXPECT_TRUE(grants->empty());
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

INSTANTIATE_TEST_SUITE_P(Backends, SharingStoreConformance, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace govshare::sharing
