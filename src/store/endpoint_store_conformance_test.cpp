// The EndpointStore conformance suite: every test runs once per storage backend (instances .../Sqlite and
// .../Postgres), so both keep providers' service interfaces the same way: one per catalog entry, replaced whole, every
// field read back. The Postgres instances need the throwaway cluster of CTest fixture `postgres`
// (scripts/pg-cluster.sh).
#include <gtest/gtest.h>

#include "catalog/content.hpp"
#include "common/clock.hpp"
#include "store/pg/catalog_store_pg.hpp"
#include "store/pg/endpoint_store_pg.hpp"
#include "store/pg/org_store_pg.hpp"
#include "store/sqlite/catalog_store_sqlite.hpp"
#include "store/sqlite/endpoint_store_sqlite.hpp"
#include "store/sqlite/org_store_sqlite.hpp"
#include "support/catalog_fixtures.hpp"
#include "support/store_backend.hpp"

namespace govshare::exchange {
namespace {

using common::ErrorKind;
using testing::Backend;

constexpr common::UnixSeconds kStart = 1'800'000'000;
constexpr const char* kProvince = testing::kTestProvince;

void ExpectSameEndpoint(const Endpoint& a, const Endpoint& b) {
  EXPECT_EQ(a.entry_id, b.entry_id);
  EXPECT_EQ(a.url, b.url);
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.key_param, b.key_param);
  EXPECT_EQ(a.field_map, b.field_map);
  EXPECT_EQ(a.auth, b.auth);
  EXPECT_EQ(a.auth_header, b.auth_header);
  EXPECT_EQ(a.secret, b.secret);
  EXPECT_EQ(a.timeout_ms, b.timeout_ms);
  EXPECT_EQ(a.health_url, b.health_url);
  EXPECT_EQ(a.updated_by, b.updated_by);
  EXPECT_EQ(a.updated_at, b.updated_at);
}

class EndpointStoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<testing::BackendDatabase>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
    org_ = db_->Make<org::OrgStore, store::sqlite::SqliteOrgStore, store::pg::PgOrgStore>(clock_);
    catalog_ = db_->Make<catalog::CatalogStore, store::sqlite::SqliteCatalogStore, store::pg::PgCatalogStore>();
    store_ = db_->Make<EndpointStore, store::sqlite::SqliteEndpointStore, store::pg::PgEndpointStore>();
    testing::AddProvince(*org_);
    provider_ = testing::MakeDepartment(*org_, "Public Security", "CC1", kProvince);
    first_ = MakeEntry("户籍人口信息");
    second_ = MakeEntry("婚姻登记信息");
  }

  void TearDown() override {
    store_.reset();
    catalog_.reset();
    org_.reset();
    db_.reset();
  }

  /// A catalog entry of the provider for an endpoint to serve; returns its id.
  std::int64_t MakeEntry(const std::string& name) {
    catalog::EntryWrite w;
    w.entry.provider_department_id = provider_;
    w.entry.region_id = kProvince;
    w.entry.working_version = 1;
    w.entry.created_at = kStart;
    w.entry.updated_at = kStart;
    catalog::Version v;
    v.number = 1;
    EXPECT_TRUE(catalog::ParseContent(testing::Content(name), v.content).empty());
    w.versions.push_back(v);
    std::vector<catalog::EntryWrite> writes = {w};
    EXPECT_TRUE(catalog_->CreateEntries(writes).ok());
    return writes[0].entry.id;
  }

  Endpoint MakeEndpoint(std::int64_t entry_id) const {
    Endpoint e;
    e.entry_id = entry_id;
    e.url = "http://provider.example:8080/persons/{key}";
    e.method = "POST";
    e.key_param = "sfzh";
    e.field_map = {{"姓名", "xm"}, {"公民身份号码", "sfzh"}};
    e.auth = "hmac";
    e.auth_header = "X-Api-Key";
    e.secret = "s3cret \"quoted\"";
    e.timeout_ms = 1500;
    e.health_url = "http://provider.example:8080/health";
    e.updated_by = 7;
    e.updated_at = kStart;
    return e;
  }

  common::FakeClock clock_{kStart};
  std::unique_ptr<testing::BackendDatabase> db_;
  std::unique_ptr<org::OrgStore> org_;
  std::unique_ptr<catalog::CatalogStore> catalog_;
  std::unique_ptr<EndpointStore> store_;
  std::int64_t provider_ = 0;
  std::int64_t first_ = 0;
  std::int64_t second_ = 0;
};

TEST_P(EndpointStoreConformance, PutStoresEveryFieldAndReplacesTheWholeRow) {
  const Endpoint e = MakeEndpoint(first_);
  ASSERT_TRUE(store_->Put(e).ok());
  auto got = store_->Get(first_);
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSameEndpoint(**got, e);
  auto missing = store_->Get(second_);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  Endpoint replaced;  // the defaults: GET, key, no auth, no field map
  replaced.entry_id = first_;
  replaced.url = "http://other.example/lookup";
  replaced.updated_by = 8;
  replaced.updated_at = kStart + 60;
  ASSERT_TRUE(store_->Put(replaced).ok());
  got = store_->Get(first_);
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSameEndpoint(**got, replaced);
}

TEST_P(EndpointStoreConformance, ListIsInEntryOrder) {
  ASSERT_TRUE(store_->Put(MakeEndpoint(second_)).ok());
  ASSERT_TRUE(store_->Put(MakeEndpoint(first_)).ok());
  auto listed = store_->List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].entry_id, first_);
  EXPECT_EQ((*listed)[1].entry_id, second_);
  ExpectSameEndpoint((*listed)[1], MakeEndpoint(second_));
}

TEST_P(EndpointStoreConformance, AnUnknownEntryOrMethodIsTheSameConstraintViolation) {
  auto status = store_->Put(MakeEndpoint(second_ + 1000));
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "constraint_violation");
  Endpoint bad = MakeEndpoint(first_);
  bad.method = "PUT";
  status = store_->Put(bad);
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "constraint_violation");
  auto listed = store_->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, EndpointStoreConformance, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

}  // namespace
}  // namespace govshare::exchange
