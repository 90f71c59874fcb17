// The CatalogStore conformance suite: every test runs once per storage backend (instances .../Sqlite and .../Postgres),
// so both implementations keep the same semantics: elements and theme databases, entries with generated resource codes
// created all or none, version-checked entry writes (also inside a caller's transaction), immutable published versions,
// the walk over all entries, the negative list and findings. The Postgres instances need the throwaway cluster of CTest
// fixture `postgres` (scripts/pg-cluster.sh) and fail when it is missing.
#include <gtest/gtest.h>

#include <functional>

#include "catalog/catalog_store.hpp"
#include "catalog/content.hpp"
#include "common/clock.hpp"
#include "store/pg/case_store_pg.hpp"
#include "store/pg/catalog_store_pg.hpp"
#include "store/pg/org_store_pg.hpp"
#include "store/sqlite/case_store_sqlite.hpp"
#include "store/sqlite/catalog_store_sqlite.hpp"
#include "store/sqlite/org_store_sqlite.hpp"
#include "support/catalog_fixtures.hpp"
#include "support/store_backend.hpp"

namespace govshare::catalog {
namespace {

using common::ErrorKind;
using common::Status;
using testing::Backend;

constexpr common::UnixSeconds kStart = 1'800'000'000;
constexpr const char* kProvince = testing::kTestProvince;

EntryContent MakeContent(const std::string& name, const std::string& classification = "30111") {
  auto doc = testing::Content(name);
  doc["classification"] = classification;
  EntryContent content;
  EXPECT_TRUE(ParseContent(doc, content).empty());
  return content;
}

DataElement MakeElement(const std::string& id, const std::string& name) {
  DataElement e;
  e.id = id;
  e.name = name;
  e.definition = name + "的定义";
  e.data_type = "C";
  e.representation = "an..50";
  e.value_domain = "GB/T 2261.1";
  e.validation = "resident_id";
  e.personal = true;
  e.default_level = Level::kGeneral4;
  e.default_mask = "keep_first_6_last_4";
  e.updated_at = kStart;
  return e;
}

void ExpectSameElement(const DataElement& a, const DataElement& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.definition, b.definition);
  EXPECT_EQ(a.data_type, b.data_type);
  EXPECT_EQ(a.representation, b.representation);
  EXPECT_EQ(a.value_domain, b.value_domain);
  EXPECT_EQ(a.validation, b.validation);
  EXPECT_EQ(a.personal, b.personal);
  EXPECT_EQ(a.default_level, b.default_level);
  EXPECT_EQ(a.default_mask, b.default_mask);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.updated_at, b.updated_at);
}

void ExpectSameVersion(const Version& a, const Version& b) {
  EXPECT_EQ(a.entry_id, b.entry_id);
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(ContentToJson(a.content), ContentToJson(b.content));
  EXPECT_EQ(a.created_by, b.created_by);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.submitted_at, b.submitted_at);
  EXPECT_EQ(a.published_at, b.published_at);
  EXPECT_EQ(a.case_id, b.case_id);
  EXPECT_EQ(a.change_reason, b.change_reason);
}

class CatalogStoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<testing::BackendDatabase>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
    org_ = db_->Make<org::OrgStore, store::sqlite::SqliteOrgStore, store::pg::PgOrgStore>(clock_);
    cases_ = db_->Make<workflow::CaseStore, store::sqlite::SqliteCaseStore, store::pg::PgCaseStore>();
    store_ = db_->Make<CatalogStore, store::sqlite::SqliteCatalogStore, store::pg::PgCatalogStore>();
    testing::AddProvince(*org_);
    provider_ = testing::MakeDepartment(*org_, "Public Security", "CC1", kProvince);
    other_ = testing::MakeDepartment(*org_, "Civil Affairs", "CC2", kProvince);
    case_id_ = MakeCase();
  }

  void TearDown() override {
    store_.reset();
    cases_.reset();
    org_.reset();
    db_.reset();
  }

  std::int64_t MakeCase() {
    workflow::Case c;
    c.type = "catalog_review";
    c.state = "submitted";
    c.subject = "review";
    c.requester_department_id = provider_;
    c.region_id = kProvince;
    c.created_at = kStart;
    c.updated_at = kStart;
    EXPECT_TRUE(cases_->CreateCase(c, {0, 1, "catalog_manager", "submit", "", "submitted", "", kStart}, {}).ok());
    return c.id;
  }

  /// A new entry of the provider with one draft version (1) named `name`.
  EntryWrite NewEntry(const std::string& name, const std::string& classification = "30111") const {
    EntryWrite w;
    w.entry.provider_department_id = provider_;
    w.entry.region_id = kProvince;
    w.entry.working_version = 1;
    w.entry.created_by = 5;
    w.entry.created_at = kStart;
    w.entry.updated_at = kStart;
    Version v;
    v.number = 1;
    v.state = VersionState::kDraft;
    v.content = MakeContent(name, classification);
    v.created_by = 5;
    v.created_at = kStart;
    v.updated_at = kStart;
    w.versions.push_back(v);
    return w;
  }

  /// Creates one entry; returns its write with id, code and version set.
  EntryWrite Create(EntryWrite w) {
    std::vector<EntryWrite> writes = {std::move(w)};
    EXPECT_TRUE(store_->CreateEntries(writes).ok());
    return writes[0];
  }

  Entry GetEntry(std::int64_t id) {
    auto got = store_->GetEntry(id);
    EXPECT_TRUE(got.ok() && got->has_value());
    return got.ok() && got->has_value() ? **got : Entry{};
  }

  /// Publishes version 1 of a created entry (the review's approval), in a transaction of its own.
  EntryWrite Publish(const EntryWrite& created) {
    EntryWrite w = created;
    w.expected_version = created.entry.version;
    w.entry.published_version = 1;
    w.entry.working_version = std::nullopt;
    w.entry.updated_at = kStart + 10;
    w.versions[0].state = VersionState::kPublished;
    w.versions[0].published_at = kStart + 10;
    w.versions[0].case_id = case_id_;
    EXPECT_TRUE(store_->WriteEntry(nullptr, w).ok());
    w.entry.version = created.entry.version + 1;
    return w;
  }

  /// Runs `job` inside a write transaction of the backend, as a case transition does.
  Status InTransaction(const std::function<Status(store::Transaction&)>& job) {
    if (auto* sqlite = db_->sqlite()) {
      return sqlite->Write([&](store::sqlite::Connection& c) {
        store::sqlite::SqliteTransaction tx(c);
        return job(tx);
      });
    }
    return db_->pg()->Write([&](store::pg::Connection& c) {
      store::pg::PgTransaction tx(c);
      return job(tx);
    });
  }

  common::FakeClock clock_{kStart};
  std::unique_ptr<testing::BackendDatabase> db_;
  std::unique_ptr<org::OrgStore> org_;
  std::unique_ptr<workflow::CaseStore> cases_;
  std::unique_ptr<CatalogStore> store_;
  std::int64_t provider_ = 0;
  std::int64_t other_ = 0;
  std::int64_t case_id_ = 0;
};

TEST_P(CatalogStoreConformance, ElementsAreInsertedUpdatedByVersionAndListedInCodePointOrder) {
  const DataElement name = MakeElement("DE0002", "姓名");
  DataElement id_number = MakeElement("DE0001", "公民身份号码");
  id_number.personal = false;
  id_number.default_level = Level::kCore;
  const DataElement lower = MakeElement("de0000", "lower case sorts after upper case");
  ASSERT_TRUE(store_->PutElement(name, 0).ok());
  ASSERT_TRUE(store_->PutElement(lower, 0).ok());
  ASSERT_TRUE(store_->PutElement(id_number, 0).ok());
  auto status = store_->PutElement(name, 0);  // the id exists
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "constraint_violation");

  auto listed = store_->ListElements();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  ExpectSameElement((*listed)[0], id_number);
  ExpectSameElement((*listed)[1], name);
  EXPECT_EQ((*listed)[2].id, "de0000");

  DataElement changed = name;
  changed.definition = "变更后的定义";
  changed.personal = false;
  changed.default_level = Level::kGeneral1;
  changed.updated_at = kStart + 5;
  ASSERT_TRUE(store_->PutElement(changed, 1).ok());
  status = store_->PutElement(changed, 1);  // stale
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "version_conflict");
  listed = store_->ListElements();
  ASSERT_TRUE(listed.ok() && listed->size() == 3);
  changed.version = 2;
  ExpectSameElement((*listed)[1], changed);
}

TEST_P(CatalogStoreConformance, ThemeDatabasesAreUpsertedAndListedByKindThenCode) {
  ASSERT_TRUE(store_->PutDatabase({"population", "人口基础库", "base", provider_, "residents"}).ok());
  ASSERT_TRUE(store_->PutDatabase({"legal_persons", "法人基础库", "base", other_, "companies"}).ok());
  ASSERT_TRUE(store_->PutDatabase({"health", "健康主题库", "thematic", other_, "health"}).ok());
  ASSERT_TRUE(store_->PutDatabase({"population", "人口库", "base", other_, "changed"}).ok());
  auto status = store_->PutDatabase({"orphan", "无主库", "base", 9999, ""});
  EXPECT_EQ(status.code(), "constraint_violation");

  auto listed = store_->ListDatabases();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].code, "legal_persons");
  EXPECT_EQ((*listed)[1].code, "population");
  EXPECT_EQ((*listed)[1].name, "人口库");
  EXPECT_EQ((*listed)[1].kind, "base");
  EXPECT_EQ((*listed)[1].keeper_department_id, other_);
  EXPECT_EQ((*listed)[1].description, "changed");
  EXPECT_EQ((*listed)[2].code, "health");
}

TEST_P(CatalogStoreConformance, CreateEntriesNumbersCodesPerClassificationAndReadsBackEveryField) {
  EntryWrite coded = NewEntry("户籍人口信息");
  coded.entry.resource_code = "30111/99999";
  coded.entry.open_case_id = case_id_;
  coded.entry.open_case_type = "catalog_review";
  std::vector<EntryWrite> writes = {NewEntry("婚姻登记信息"), NewEntry("出生医学证明", "30112"), coded,
                                    NewEntry("死亡登记信息")};
  ASSERT_TRUE(store_->CreateEntries(writes).ok());
  EXPECT_EQ(writes[0].entry.resource_code, "30111/00001");
  EXPECT_EQ(writes[1].entry.resource_code, "30112/00001");
  EXPECT_EQ(writes[2].entry.resource_code, "30111/99999");
  EXPECT_EQ(writes[3].entry.resource_code, "30111/00002");
  EXPECT_GT(writes[1].entry.id, writes[0].entry.id);
  EXPECT_EQ(writes[0].entry.version, 1);
  EXPECT_EQ(writes[0].versions[0].entry_id, writes[0].entry.id);

  const Entry got = GetEntry(writes[2].entry.id);
  EXPECT_EQ(got.id, writes[2].entry.id);
  EXPECT_EQ(got.resource_code, "30111/99999");
  EXPECT_EQ(got.provider_department_id, provider_);
  EXPECT_EQ(got.provider_name, "Public Security");
  EXPECT_EQ(got.provider_code, "CC1");
  EXPECT_EQ(got.region_id, kProvince);
  EXPECT_EQ(got.published_version, std::nullopt);
  EXPECT_EQ(got.working_version, 1);
  EXPECT_FALSE(got.withdrawn);
  EXPECT_FALSE(got.on_negative_list);
  EXPECT_EQ(got.open_case_id, case_id_);
  EXPECT_EQ(got.open_case_type, "catalog_review");
  EXPECT_EQ(got.created_by, 5);
  EXPECT_EQ(got.created_at, kStart);
  EXPECT_EQ(got.updated_at, kStart);
  EXPECT_EQ(got.version, 1);
  auto missing = store_->GetEntry(writes[3].entry.id + 1000);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  auto versions = store_->ListVersions(writes[2].entry.id);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 1u);
  ExpectSameVersion((*versions)[0], writes[2].versions[0]);
  auto version = store_->GetVersion(writes[2].entry.id, 1);
  ASSERT_TRUE(version.ok() && version->has_value());
  ExpectSameVersion(**version, writes[2].versions[0]);
  auto no_version = store_->GetVersion(writes[2].entry.id, 2);
  ASSERT_TRUE(no_version.ok());
  EXPECT_FALSE(no_version->has_value());
}

TEST_P(CatalogStoreConformance, CreateEntriesIsAllOrNone) {
  Create(NewEntry("婚姻登记信息"));
  // The second entry repeats a name the provider already uses: nothing of the batch is kept, no code is used up.
  std::vector<EntryWrite> writes = {NewEntry("出生医学证明"), NewEntry("婚姻登记信息")};
  auto status = store_->CreateEntries(writes);
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "constraint_violation");
  int entries = 0;
  ASSERT_TRUE(store_->ForEachEntry([&](const Entry&, const auto&, const auto&) { ++entries; }).ok());
  EXPECT_EQ(entries, 1);
  EXPECT_EQ(Create(NewEntry("出生医学证明")).entry.resource_code, "30111/00002");
  // Another provider may use the name.
  EntryWrite elsewhere = NewEntry("婚姻登记信息");
  elsewhere.entry.provider_department_id = other_;
  EXPECT_FALSE(Create(elsewhere).entry.resource_code.empty());
}

TEST_P(CatalogStoreConformance, NewestEntryIdIsTheHighestIdStored) {
  auto none = store_->NewestEntryId();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none.value(), 0);
  const std::int64_t first = Create(NewEntry("婚姻登记信息")).entry.id;
  const std::int64_t second = Create(NewEntry("出生医学证明")).entry.id;
  ASSERT_GT(second, first);
  auto newest = store_->NewestEntryId();
  ASSERT_TRUE(newest.ok()) << newest.status().ToString();
  EXPECT_EQ(newest.value(), second);
}

TEST_P(CatalogStoreConformance, WriteEntryChecksTheVersionAndKeepsPublishedVersions) {
  const EntryWrite created = Create(NewEntry("婚姻登记信息"));
  EntryWrite published = Publish(created);
  EXPECT_EQ(GetEntry(created.entry.id).version, 2);

  // A stale write changes nothing.
  EntryWrite stale = published;
  stale.expected_version = 1;
  stale.entry.withdrawn = true;
  auto status = store_->WriteEntry(nullptr, stale);
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "version_conflict");
  EXPECT_FALSE(GetEntry(created.entry.id).withdrawn);

  // A new working version with a new name; the published one stays as it was.
  EntryWrite update = published;
  update.expected_version = 2;
  update.entry.working_version = 2;
  update.entry.on_negative_list = true;
  update.entry.updated_at = kStart + 20;
  Version v2 = published.versions[0];
  v2.number = 2;
  v2.state = VersionState::kDraft;
  v2.content = MakeContent("婚姻登记信息（新）");
  v2.published_at = std::nullopt;
  v2.case_id = std::nullopt;
  v2.change_reason = "新增信息项";
  update.versions = {v2};
  ASSERT_TRUE(store_->WriteEntry(nullptr, update).ok());
  Entry got = GetEntry(created.entry.id);
  EXPECT_EQ(got.version, 3);
  EXPECT_EQ(got.published_version, 1);
  EXPECT_EQ(got.working_version, 2);
  EXPECT_TRUE(got.on_negative_list);
  EXPECT_EQ(got.updated_at, kStart + 20);
  auto versions = store_->ListVersions(created.entry.id);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  ExpectSameVersion((*versions)[0], published.versions[0]);
  ExpectSameVersion((*versions)[1], v2);

  // The content of a published version cannot change, nor can it be deleted: the same refusal on both backends.
  EntryWrite rewrite = update;
  rewrite.expected_version = 3;
  Version changed = published.versions[0];
  changed.content = MakeContent("改写");
  rewrite.versions = {changed};
  status = store_->WriteEntry(nullptr, rewrite);
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "constraint_violation");
  EntryWrite drop_published = update;
  drop_published.expected_version = 3;
  drop_published.versions.clear();
  drop_published.drop_versions = {1};
  status = store_->WriteEntry(nullptr, drop_published);
  EXPECT_EQ(status.code(), "constraint_violation");
  EXPECT_EQ(GetEntry(created.entry.id).version, 3);

  // A draft may be dropped; superseding the published version keeps its content.
  EntryWrite discard = update;
  discard.expected_version = 3;
  discard.entry.working_version = std::nullopt;
  discard.versions.clear();
  discard.drop_versions = {2};
  ASSERT_TRUE(store_->WriteEntry(nullptr, discard).ok());
  versions = store_->ListVersions(created.entry.id);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 1u);
  EntryWrite supersede = discard;
  supersede.expected_version = 4;
  supersede.drop_versions.clear();
  Version superseded = published.versions[0];
  superseded.state = VersionState::kSuperseded;
  superseded.updated_at = kStart + 30;
  supersede.versions = {superseded};
  ASSERT_TRUE(store_->WriteEntry(nullptr, supersede).ok());
  auto one = store_->GetVersion(created.entry.id, 1);
  ASSERT_TRUE(one.ok() && one->has_value());
  ExpectSameVersion(**one, superseded);
}

TEST_P(CatalogStoreConformance, WritesInsideACallersTransactionCommitOrRollBackWithIt) {
  const EntryWrite created = Create(NewEntry("婚姻登记信息"));
  EntryWrite publish = created;
  publish.expected_version = 1;
  publish.entry.published_version = 1;
  publish.entry.working_version = std::nullopt;
  publish.versions[0].state = VersionState::kPublished;
  NegativeListItem item{0,      created.entry.id, provider_, "list", "pending",   "《条例》第十一条",
                        "涉密", case_id_,         5,         kStart, std::nullopt};
  Finding finding{0,  "fp-rolled-back", "person", {"DE0001"},  {created.entry.id}, {provider_}, std::nullopt, "open",
                  "", std::nullopt,     kStart,   std::nullopt};
  auto status = InTransaction([&](store::Transaction& tx) {
    EXPECT_TRUE(store_->WriteEntry(&tx, publish).ok());
    EXPECT_TRUE(store_->PutNegativeListItem(&tx, item).ok());
    EXPECT_TRUE(store_->PutFinding(&tx, finding).ok());
    return Status::Invalid("case_refused", "the transition failed after the catalog writes");
  });
  EXPECT_EQ(status.code(), "case_refused");
  Entry got = GetEntry(created.entry.id);
  EXPECT_EQ(got.version, 1);
  EXPECT_EQ(got.published_version, std::nullopt);
  auto items = store_->ListNegativeList(std::nullopt);
  ASSERT_TRUE(items.ok());
  EXPECT_TRUE(items->empty());
  auto findings = store_->ListFindings();
  ASSERT_TRUE(findings.ok());
  EXPECT_TRUE(findings->empty());

  item.id = 0;
  ASSERT_TRUE(InTransaction([&](store::Transaction& tx) {
                GOVSHARE_RETURN_IF_ERROR(store_->WriteEntry(&tx, publish));
                return store_->PutNegativeListItem(&tx, item);
              }).ok());
  got = GetEntry(created.entry.id);
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.published_version, 1);
  items = store_->ListNegativeList(created.entry.id);
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(items->size(), 1u);
  // A stale write inside the transaction fails it.
  status = InTransaction([&](store::Transaction& tx) { return store_->WriteEntry(&tx, publish); });
  EXPECT_EQ(status.code(), "version_conflict");
}

TEST_P(CatalogStoreConformance, ForEachEntryVisitsEveryEntryWithItsPublishedAndWorkingVersions) {
  const EntryWrite draft_only = Create(NewEntry("出生医学证明"));
  EntryWrite both = Publish(Create(NewEntry("婚姻登记信息")));
  EntryWrite update = both;
  update.expected_version = 2;
  update.entry.working_version = 2;
  Version v2 = both.versions[0];
  v2.number = 2;
  v2.state = VersionState::kInReview;
  v2.content = MakeContent("婚姻登记信息（新）");
  v2.published_at = std::nullopt;
  update.versions = {v2};
  ASSERT_TRUE(store_->WriteEntry(nullptr, update).ok());
  const EntryWrite published_only = Publish(Create(NewEntry("死亡登记信息")));

  struct Seen {
    std::int64_t id;
    std::optional<int> published;
    std::optional<int> working;
    std::string working_name;
  };
  std::vector<Seen> seen;
  ASSERT_TRUE(store_
                  ->ForEachEntry([&](const Entry& e, const std::optional<Version>& published,
                                     const std::optional<Version>& working) {
                    seen.push_back({e.id, published ? std::optional<int>(published->number) : std::nullopt,
                                    working ? std::optional<int>(working->number) : std::nullopt,
                                    working ? working->content.name : ""});
                  })
                  .ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].id, draft_only.entry.id);
  EXPECT_EQ(seen[0].published, std::nullopt);
  EXPECT_EQ(seen[0].working, 1);
  EXPECT_EQ(seen[1].id, both.entry.id);
  EXPECT_EQ(seen[1].published, 1);
  EXPECT_EQ(seen[1].working, 2);
  EXPECT_EQ(seen[1].working_name, "婚姻登记信息（新）");
  EXPECT_EQ(seen[2].id, published_only.entry.id);
  EXPECT_EQ(seen[2].published, 1);
  EXPECT_EQ(seen[2].working, std::nullopt);
}

TEST_P(CatalogStoreConformance, NegativeListItemsAreInsertedDecidedAndListed) {
  const EntryWrite a = Create(NewEntry("婚姻登记信息"));
  const EntryWrite b = Create(NewEntry("出生医学证明"));
  NegativeListItem first{0,        a.entry.id, provider_, "list",      "pending", "《条例》第十一条", "涉及国家秘密",
                         case_id_, 5,          kStart,    std::nullopt};
  NegativeListItem second{0,      b.entry.id,   provider_, "list",     "pending",   "法律",
                          "理由", std::nullopt, 6,         kStart + 1, std::nullopt};
  ASSERT_TRUE(store_->PutNegativeListItem(nullptr, first).ok());
  ASSERT_TRUE(store_->PutNegativeListItem(nullptr, second).ok());
  EXPECT_GT(second.id, first.id);
  first.status = "approved";
  first.decided_at = kStart + 50;
  ASSERT_TRUE(store_->PutNegativeListItem(nullptr, first).ok());

  auto got = store_->GetNegativeListItem(first.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  const NegativeListItem& n = **got;
  EXPECT_EQ(n.id, first.id);
  EXPECT_EQ(n.entry_id, a.entry.id);
  EXPECT_EQ(n.department_id, provider_);
  EXPECT_EQ(n.kind, "list");
  EXPECT_EQ(n.status, "approved");
  EXPECT_EQ(n.legal_basis, "《条例》第十一条");
  EXPECT_EQ(n.reason, "涉及国家秘密");
  EXPECT_EQ(n.case_id, case_id_);
  EXPECT_EQ(n.created_by, 5);
  EXPECT_EQ(n.created_at, kStart);
  EXPECT_EQ(n.decided_at, kStart + 50);
  auto missing = store_->GetNegativeListItem(second.id + 100);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto all = store_->ListNegativeList(std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, first.id);
  EXPECT_EQ((*all)[1].id, second.id);
  auto of_b = store_->ListNegativeList(b.entry.id);
  ASSERT_TRUE(of_b.ok());
  ASSERT_EQ(of_b->size(), 1u);
  EXPECT_EQ((*of_b)[0].id, second.id);
  EXPECT_EQ((*of_b)[0].case_id, std::nullopt);

  NegativeListItem bad = second;
  bad.id = 0;
  bad.kind = "unknown";
  EXPECT_EQ(store_->PutNegativeListItem(nullptr, bad).code(), "constraint_violation");
}

TEST_P(CatalogStoreConformance, FindingsAreKeptOncePerFingerprintAndDecided) {
  const EntryWrite a = Create(NewEntry("婚姻登记信息"));
  Finding f{0,
            "fp-1",
            "person",
            {"DE0001", "DE0002"},
            {a.entry.id, a.entry.id + 1},
            {provider_, other_},
            a.entry.id,
            "open",
            "",
            std::nullopt,
            kStart,
            std::nullopt};
  ASSERT_TRUE(store_->PutFinding(nullptr, f).ok());
  EXPECT_GT(f.id, 0);
  Finding again = f;
  again.id = 0;
  again.subject = "ignored";
  ASSERT_TRUE(store_->PutFinding(nullptr, again).ok());
  EXPECT_EQ(again.id, f.id);  // the known finding
  Finding other{0,      "fp-2", "legal_person", {},         {},          {}, std::nullopt,
                "open", "",     std::nullopt,   kStart + 1, std::nullopt};
  ASSERT_TRUE(store_->PutFinding(nullptr, other).ok());

  f.status = "rectifying";
  f.resolution = "合并采集";
  f.case_id = case_id_;
  f.decided_at = kStart + 60;
  ASSERT_TRUE(store_->PutFinding(nullptr, f).ok());
  auto got = store_->GetFinding(f.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  const Finding& g = **got;
  EXPECT_EQ(g.fingerprint, "fp-1");
  EXPECT_EQ(g.subject, "person");
  EXPECT_EQ(g.elements, (std::vector<std::string>{"DE0001", "DE0002"}));
  EXPECT_EQ(g.entry_ids, (std::vector<std::int64_t>{a.entry.id, a.entry.id + 1}));
  EXPECT_EQ(g.department_ids, (std::vector<std::int64_t>{provider_, other_}));
  EXPECT_EQ(g.source_entry_id, a.entry.id);
  EXPECT_EQ(g.status, "rectifying");
  EXPECT_EQ(g.resolution, "合并采集");
  EXPECT_EQ(g.case_id, case_id_);
  EXPECT_EQ(g.detected_at, kStart);
  EXPECT_EQ(g.decided_at, kStart + 60);
  auto all = store_->ListFindings();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].id, other.id);
  EXPECT_TRUE((*all)[1].elements.empty());
  auto missing = store_->GetFinding(other.id + 100);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogStoreConformance, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

}  // namespace
}  // namespace govshare::catalog
