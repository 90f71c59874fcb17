// Catalog management over HTTP (Art. 7-11, 13): compiling, the review and update processes with their deadlines,
// versions, visibility, the negative list, withdrawal, import and export, the responsibility list and duplicate
// collection.
#include <gtest/gtest.h>

#include <atomic>

#include "catalog/catalog_service.hpp"
#include "store/pg/catalog_store_pg.hpp"
#include "store/pg/org_store_pg.hpp"
#include "store/sqlite/catalog_store_sqlite.hpp"
#include "store/sqlite/org_store_sqlite.hpp"
#include "support/catalog_fixtures.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;

constexpr common::UnixSeconds k20260930Morning = 1790733600;  // 2026-09-30 10:00 +08:00
constexpr std::int64_t kProvincialPsb = 11;                   // 河北省公安厅
constexpr std::int64_t kProvincialHrss = 15;                  // 河北省人力资源和社会保障厅
constexpr std::int64_t kSjzPsb = 26;                          // 石家庄市公安局
constexpr std::int64_t kTangshanAuthority = 3;                // 唐山市行政审批局

/// A CatalogStore that counts the reads a catalog service makes of single entries and of the highest entry id.
class CountingCatalogStore final : public catalog::CatalogStore {
 public:
  explicit CountingCatalogStore(std::unique_ptr<catalog::CatalogStore> store) : store_(std::move(store)) {}
  int entry_reads() const { return entry_reads_.load(); }
  int newest_reads() const { return newest_reads_.load(); }

  common::Result<std::optional<catalog::Entry>> GetEntry(std::int64_t id) override {
    ++entry_reads_;
    return store_->GetEntry(id);
  }
  common::Result<std::int64_t> NewestEntryId() override {
    ++newest_reads_;
    return store_->NewestEntryId();
  }

  common::Result<std::vector<catalog::DataElement>> ListElements() override { return store_->ListElements(); }
  common::Status PutElement(const catalog::DataElement& e, std::int64_t expected_version) override {
    return store_->PutElement(e, expected_version);
  }
  common::Result<std::vector<catalog::ThemeDatabase>> ListDatabases() override { return store_->ListDatabases(); }
  common::Status PutDatabase(const catalog::ThemeDatabase& d) override { return store_->PutDatabase(d); }
  common::Status CreateEntries(std::vector<catalog::EntryWrite>& writes) override {
    return store_->CreateEntries(writes);
  }
  common::Status WriteEntry(store::Transaction* tx, const catalog::EntryWrite& write) override {
    return store_->WriteEntry(tx, write);
  }
  common::Result<std::vector<catalog::Version>> ListVersions(std::int64_t entry_id) override {
    return store_->ListVersions(entry_id);
  }
  common::Result<std::optional<catalog::Version>> GetVersion(std::int64_t entry_id, int number) override {
    return store_->GetVersion(entry_id, number);
  }
  common::Status ForEachEntry(const EntryVisitor& visit) override { return store_->ForEachEntry(visit); }
  common::Status PutNegativeListItem(store::Transaction* tx, catalog::NegativeListItem& item) override {
    return store_->PutNegativeListItem(tx, item);
  }
  common::Result<std::vector<catalog::NegativeListItem>> ListNegativeList(
      std::optional<std::int64_t> entry_id) override {
    return store_->ListNegativeList(entry_id);
  }
  common::Result<std::optional<catalog::NegativeListItem>> GetNegativeListItem(std::int64_t id) override {
    return store_->GetNegativeListItem(id);
  }
  common::Status PutFinding(store::Transaction* tx, catalog::Finding& f) override { return store_->PutFinding(tx, f); }
  common::Result<std::vector<catalog::Finding>> ListFindings() override { return store_->ListFindings(); }
  common::Result<std::optional<catalog::Finding>> GetFinding(std::int64_t id) override {
    return store_->GetFinding(id);
  }

 private:
  std::unique_ptr<catalog::CatalogStore> store_;
  std::atomic<int> entry_reads_{0};
  std::atomic<int> newest_reads_{0};
};

class Catalog : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<common::FakeClock>(k20260930Morning);
    server_ = std::make_unique<TestServer>(TestServer::Options{}, clock_);
    catalog_ = server_->Login("catalog");  // 河北省公安厅's catalog manager
    reviewer_ = server_->Login("reviewer");
    admin_ = server_->Login("admin");
  }

  /// A user made for the test (the demo has one catalog manager only), logged in.
  std::string MakeUser(const std::string& username, std::int64_t department, const std::string& role) {
    const std::string password = "Test-password-123";
    auto made =
        server_->platform().org().BootstrapUser({username, username, department, {role}, std::nullopt}, password);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    auto res =
        server_->Request("POST", "/api/v1/auth/login", json{{"username", username}, {"password", password}}.dump());
    EXPECT_EQ(res.status, 200u) << res.body;
    return res.Json()["token"].get<std::string>();
  }

  HttpResponse Create(const json& content, const std::string& token) {
    return server_->Send("POST", "/api/v1/catalog/entries", {{"content", content}}, token);
  }
  json Entry(std::int64_t id, const std::string& token) {
    return server_->Get("/api/v1/catalog/entries/" + std::to_string(id), token).Json();
  }
  HttpResponse Submit(std::int64_t id, const std::string& token) {
    const auto version = Entry(id, token)["entry_version"];
    return server_->Send("POST", "/api/v1/catalog/entries/" + std::to_string(id) + "/submit",
                         {{"entry_version", version}}, token);
  }
  HttpResponse Review(std::int64_t id, const std::string& decision, const std::string& comment,
                      const std::string& token) {
    return server_->Send("POST", "/api/v1/catalog/entries/" + std::to_string(id) + "/review",
                         {{"decision", decision}, {"comment", comment}}, token);
  }
  json Case(std::int64_t id, const std::string& token) {
    return server_->Get("/api/v1/cases/" + std::to_string(id), token).Json()["case"];
  }
  /// Creates, submits and approves an entry; returns its id.
  std::int64_t Publish(const json& content, const std::string& compiler, const std::string& reviewer) {
    auto created = Create(content, compiler);
    EXPECT_EQ(created.status, 201u) << created.body;
    const auto id = created.Json()["id"].get<std::int64_t>();
    auto submitted = Submit(id, compiler);
    EXPECT_EQ(submitted.status, 200u) << submitted.body;
    auto approved = Review(id, "approve", "", reviewer);
    EXPECT_EQ(approved.status, 200u) << approved.body;
    return id;
  }
  HttpResponse Fire(std::int64_t case_id, const std::string& action, const std::string& comment,
                    const std::string& token) {
    const auto version = Case(case_id, token)["version"];
    return server_->Send("POST", "/api/v1/cases/" + std::to_string(case_id) + "/transitions",
                         {{"action", action}, {"comment", comment}, {"version", version}}, token);
  }

  std::shared_ptr<common::FakeClock> clock_;
  std::unique_ptr<TestServer> server_;
  std::string catalog_, reviewer_, admin_;
};

TEST_F(Catalog, Art8CompiledSubmittedReturnedWithReasonsThenPublished) {
  auto created = Create(Content("常住人口基本信息"), catalog_);
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto entry = created.Json();
  const auto id = entry["id"].get<std::int64_t>();
  EXPECT_EQ(entry["resource_code"], "30111/00001");  // 分类码/顺序码
  EXPECT_EQ(entry["working"]["state"], "draft");
  EXPECT_TRUE(entry["published"].is_null());
  EXPECT_EQ(entry["provider"]["department_id"], kProvincialPsb);

  ASSERT_EQ(Submit(id, catalog_).status, 200u);
  const auto submitted = Entry(id, catalog_);
  EXPECT_EQ(submitted["working"]["state"], "in_review");
  const auto case_id = submitted["open_case"]["id"].get<std::int64_t>();
  // Art. 9: the authority reviews within 10 working days: received 09-30, the National Day holiday skipped.
  const auto review = Case(case_id, reviewer_);
  EXPECT_EQ(review["type"], "catalog_review");
  EXPECT_EQ(review["due_at"], "2026-10-20T23:59:59+08:00");
  EXPECT_EQ(review["article"], "9");

  // A return needs reasons (Art. 8).
  auto no_reason = Review(id, "return", "", reviewer_);
  EXPECT_EQ(no_reason.status, 422u);
  EXPECT_EQ(no_reason.Json()["code"], "reason_required");
  EXPECT_EQ(Review(id, "return", "摘要不完整，请补充数据来源", reviewer_).status, 200u);
  auto returned = Entry(id, catalog_);
  EXPECT_EQ(returned["working"]["state"], "returned");
  EXPECT_TRUE(returned["open_case"].is_null());
  EXPECT_EQ(Case(case_id, catalog_)["state"], "returned");

  // The department corrects and submits again: a new review case.
  json content = Content("常住人口基本信息");
  content["abstract"] = "全省常住人口的身份和户籍信息，来源于户籍登记";
  auto saved = server_->Send("PUT", "/api/v1/catalog/entries/" + std::to_string(id) + "/draft",
                             {{"content", content}, {"entry_version", returned["entry_version"]}}, catalog_);
  ASSERT_EQ(saved.status, 200u) << saved.body;
  EXPECT_EQ(saved.Json()["working"]["state"], "draft");
  ASSERT_EQ(Submit(id, catalog_).status, 200u);
  EXPECT_NE(Entry(id, catalog_)["open_case"]["id"], case_id);
  ASSERT_EQ(Review(id, "approve", "", reviewer_).status, 200u);
  const auto published = Entry(id, catalog_);
  EXPECT_EQ(published["published_version"], 1);
  EXPECT_TRUE(published["working"].is_null());
  EXPECT_EQ(published["published"]["state"], "published");
  EXPECT_EQ(published["published"]["published_at"], "2026-09-30T10:00:00+08:00");

  // Everyone sees the published entry; search finds 人口 inside 常住人口基本信息.
  const auto requester = server_->Login("requester");
  auto found = server_->Get("/api/v1/catalog/search?q=%E4%BA%BA%E5%8F%A3", requester).Json();
  ASSERT_EQ(found["total"], 1);
  EXPECT_EQ(found["items"][0]["name"], "常住人口基本信息");
  EXPECT_EQ(found["facets"]["share_type"][0]["value"], "conditional");
}

TEST_F(Catalog, Art8AReviewerOfAnotherRegionCannotAct) {
  const auto sjz_catalog = MakeUser("sjz.catalog", kSjzPsb, "catalog_manager");
  const auto ts_reviewer = MakeUser("ts.reviewer", kTangshanAuthority, "authority_reviewer");
  const auto sjz_head = server_->Login("sjz.head");

  // A provincial entry: a city reviewer cannot review it.
  auto provincial = Create(Content("省级目录"), catalog_).Json()["id"].get<std::int64_t>();
  ASSERT_EQ(Submit(provincial, catalog_).status, 200u);
  auto denied = Review(provincial, "approve", "", sjz_head);
  EXPECT_EQ(denied.status, 404u) << denied.body;
  EXPECT_EQ(Entry(provincial, catalog_)["working"]["state"], "in_review");

  // A 石家庄 entry: 石家庄's authority reviews it; 唐山's cannot.
  auto city = Create(Content("石家庄市目录"), sjz_catalog).Json()["id"].get<std::int64_t>();
  ASSERT_EQ(Submit(city, sjz_catalog).status, 200u);
  EXPECT_EQ(Review(city, "approve", "", ts_reviewer).status, 404u);
  EXPECT_EQ(Entry(city, sjz_catalog)["working"]["state"], "in_review");
  EXPECT_EQ(Review(city, "approve", "", sjz_head).status, 200u);
  EXPECT_EQ(Entry(city, sjz_catalog)["published_version"], 1);
  // A department cannot review its own entry.
  auto own = Create(Content("自审目录"), catalog_).Json()["id"].get<std::int64_t>();
  ASSERT_EQ(Submit(own, catalog_).status, 200u);
  EXPECT_EQ(Review(own, "approve", "", catalog_).status, 403u);
}

TEST_F(Catalog, ADepartmentCannotSeeAnothersDrafts) {
  auto id = Create(Content("公安内部草稿"), catalog_).Json()["id"].get<std::int64_t>();
  const auto requester = server_->Login("requester");  // 河北省人力资源和社会保障厅
  EXPECT_EQ(server_->Get("/api/v1/catalog/entries/" + std::to_string(id), requester).status, 404u);
  EXPECT_EQ(server_->Get("/api/v1/catalog/entries/" + std::to_string(id) + "/versions", requester).status, 404u);
  auto search = server_->Get("/api/v1/catalog/search?scope=all&q=%E8%8D%89%E7%A8%BF", requester).Json();
  EXPECT_EQ(search["total"], 0);
  // Its own department and the reviewing authority see it.
  EXPECT_EQ(server_->Get("/api/v1/catalog/search?scope=all&q=%E8%8D%89%E7%A8%BF", catalog_).Json()["total"], 1);
  EXPECT_EQ(server_->Get("/api/v1/catalog/entries/" + std::to_string(id), reviewer_).status, 200u);
  // Another department cannot edit it either.
  const auto hrss_catalog = MakeUser("hrss.catalog", kProvincialHrss, "catalog_manager");
  auto edit = server_->Send("PUT", "/api/v1/catalog/entries/" + std::to_string(id) + "/draft",
                            {{"content", Content("篡改")}, {"entry_version", 1}}, hrss_catalog);
  EXPECT_EQ(edit.status, 404u);
}

TEST_F(Catalog, Art9APublishedVersionCannotBeEditedChangesMakeANewVersionWithADiff) {
  const auto id = Publish(Content("机动车登记信息"), catalog_, reviewer_);
  json content = Content("机动车登记信息");
  content["share_type"] = "unconditional";
  content["items"][1]["level"] = "general4";
  auto saved = server_->Send("PUT", "/api/v1/catalog/entries/" + std::to_string(id) + "/draft",
                             {{"content", content},
                              {"entry_version", Entry(id, catalog_)["entry_version"]},
                              {"change_reason", "共享类型调整"}},
                             catalog_);
  ASSERT_EQ(saved.status, 200u) << saved.body;
  const auto entry = saved.Json();
  EXPECT_EQ(entry["published_version"], 1);
  EXPECT_EQ(entry["working_version"], 2);
  EXPECT_EQ(entry["published"]["content"]["share_type"], "conditional");  // version 1 unchanged
  auto diff = server_->Get("/api/v1/catalog/entries/" + std::to_string(id) + "/diff?from=1&to=2", catalog_).Json();
  std::map<std::string, json> changes;
  for (const auto& c : diff["changes"]) changes[c["field"]] = c;
  EXPECT_EQ(changes.size(), 2u) << diff.dump();
  EXPECT_EQ(changes["/share_type"]["after"], "unconditional");
  EXPECT_EQ(changes["/items/姓名/level"]["before"], "general3");
  // The store refuses to change a published version's content, whatever the caller.
  auto tampered = server_->ExecSql("UPDATE catalog_versions SET document = '{}' WHERE number = 1");
  EXPECT_FALSE(tampered.ok());
  auto removed = server_->ExecSql("DELETE FROM catalog_versions WHERE number = 1");
  EXPECT_FALSE(removed.ok());
  // Others see only published versions.
  const auto requester = server_->Login("requester");
  auto versions = server_->Get("/api/v1/catalog/entries/" + std::to_string(id) + "/versions", requester).Json();
  EXPECT_EQ(versions["items"].size(), 1u);
  EXPECT_EQ(
      server_->Get("/api/v1/catalog/entries/" + std::to_string(id) + "/versions", catalog_).Json()["items"].size(), 2u);
}

TEST_F(Catalog, CompilationRulesAreEnforcedOnSubmitWithEveryViolationListed) {
  json content = Content("不合规目录");
  content["security_level"] = "general3";                                // below its items (就高从严)
  content["share_condition"] = "";                                       // conditional without conditions (Art. 11)
  auto id = Create(content, catalog_).Json()["id"].get<std::int64_t>();  // a draft may be incomplete
  auto rejected = Submit(id, catalog_);
  ASSERT_EQ(rejected.status, 422u) << rejected.body;
  const auto problem = rejected.Json();
  EXPECT_EQ(problem["code"], "compilation_rules");
  std::set<std::string> rules;
  for (const auto& e : problem["errors"])
    rules.insert(e["rule"].get<std::string>() + "@" + e["field"].get<std::string>());
  EXPECT_TRUE(rules.count("level_below_items@/content/security_level")) << problem.dump();
  EXPECT_TRUE(rules.count("condition_required@/content/share_condition")) << problem.dump();
  EXPECT_EQ(Entry(id, catalog_)["working"]["state"], "draft");  // nothing changed
  // The same check without saving, for forms.
  auto checked =
      server_->Send("POST", "/api/v1/catalog/check", {{"content", content}, {"entry_id", id}}, catalog_).Json();
  EXPECT_FALSE(checked["ok"].get<bool>());
  EXPECT_EQ(checked["errors"].size(), problem["errors"].size());
  // Structural problems are refused at once with their field; classified data never enters (Art. 2).
  content["security_level"] = "classified";
  auto classified = Create(content, catalog_);
  EXPECT_EQ(classified.status, 422u);
  EXPECT_EQ(classified.Json()["errors"][0]["rule"], "classified_not_allowed");
  EXPECT_EQ(classified.Json()["errors"][0]["field"], "/content/security_level");
  // A name is unique within the provider.
  auto twice = Create(Content("不合规目录"), catalog_);
  EXPECT_EQ(twice.status, 422u);
  EXPECT_EQ(twice.Json()["errors"][0]["rule"], "duplicate_name");
}

TEST_F(Catalog, AnImportFileWithOneBadRowImportsNothingAndListsTheRow) {
  json good1 = Content("导入目录一");
  json bad = Content("导入目录二");
  bad["share_type"] = "sometimes";
  json good2 = Content("导入目录三");
  const auto before = server_->Count("catalog_entries");
  auto rejected = server_->Send("POST", "/api/v1/catalog/import", {{"entries", {good1, bad, good2}}}, catalog_);
  ASSERT_EQ(rejected.status, 422u) << rejected.body;
  EXPECT_EQ(rejected.Json()["code"], "import_rejected");
  ASSERT_EQ(rejected.Json()["errors"].size(), 1u);
  EXPECT_EQ(rejected.Json()["errors"][0]["row"], 2);
  EXPECT_EQ(rejected.Json()["errors"][0]["field"], "/share_type");
  EXPECT_EQ(server_->Count("catalog_entries"), before);

  auto imported = server_->Send("POST", "/api/v1/catalog/import?submit=true", {{"entries", {good1, good2}}}, catalog_);
  ASSERT_EQ(imported.status, 201u) << imported.body;
  EXPECT_EQ(imported.Json()["imported"], 2);
  EXPECT_EQ(server_->Count("catalog_entries"), before + 2);
  const auto first = imported.Json()["entry_ids"][0].get<std::int64_t>();
  EXPECT_EQ(Entry(first, catalog_)["working"]["state"], "in_review");
}

TEST_F(Catalog, CsvImportFollowsTheTemplateAndReportsLines) {
  const std::string header =
      "信息资源名称,信息资源分类,信息资源摘要,信息资源格式,数据主体,共享类型,共享条件,共享方式,开放属性,更新周期,"
      "安全级别,使用范围,非涉密声明,信息项名称,数据元,数据类型,数据长度,是否关键项,是否个人信息,信息项安全级别\r\n";
  const std::string rows =
      "驾驶证信息,30111,驾驶证申领信息,数据库,自然人,有条件共享,依法履职,接口,不予开放,每日,一般4,政务服务,是,"
      "公民身份号码,DE0001,C,18,是,是,一般4\r\n"
      "驾驶证信息,30111,,,,,,,,,,,,姓名,DE0002,C,50,否,是,一般3\r\n"
      "护照信息,30111,护照签发信息,数据库,自然人,有条件共享,依法履职,接口;库表,不予开放,每月,一般4,政务服务,是,"
      "公民身份号码,DE0001,C,18,是,是,一般4\r\n";
  auto ok = server_->Request("POST", "/api/v1/catalog/import?submit=true", header + rows,
                             {{"Authorization", "Bearer " + catalog_}, {"Content-Type", "text/csv"}});
  ASSERT_EQ(ok.status, 201u) << ok.body;
  EXPECT_EQ(ok.Json()["imported"], 2);
  const auto id = ok.Json()["entry_ids"][0].get<std::int64_t>();
  const auto entry = Entry(id, catalog_);
  EXPECT_EQ(entry["working"]["content"]["items"].size(), 2u);
  EXPECT_EQ(entry["working"]["content"]["share_type"], "conditional");

  const std::string bad =
      "婚姻信息,30111,摘要,数据库,自然人,有时共享,,接口,不予开放,每日,一般4,政务服务,是,"
      "公民身份号码,DE0001,C,18,是,是,一般4\r\n";
  const auto before = server_->Count("catalog_entries");
  auto rejected = server_->Request("POST", "/api/v1/catalog/import", header + bad,
                                   {{"Authorization", "Bearer " + catalog_}, {"Content-Type", "text/csv"}});
  ASSERT_EQ(rejected.status, 422u) << rejected.body;
  EXPECT_EQ(rejected.Json()["errors"][0]["row"], 2);  // the CSV line
  EXPECT_EQ(server_->Count("catalog_entries"), before);
}

TEST_F(Catalog, Art9AChangeOpensAnUpdateCaseDueIn10WorkingDaysExtendableOnce) {
  const auto id = Publish(Content("出入境证件签发信息"), catalog_, reviewer_);
  auto opened =
      server_->Send("POST", "/api/v1/catalog/entries/" + std::to_string(id) + "/changes",
                    {{"date", "2026-09-29"}, {"reason", "law"}, {"description", "《出境入境管理法》修订"}}, catalog_);
  ASSERT_EQ(opened.status, 201u) << opened.body;
  const auto case_id = opened.Json()["case"]["id"].get<std::int64_t>();
  EXPECT_EQ(opened.Json()["case"]["due_at"], "2026-10-20T23:59:59+08:00");
  EXPECT_EQ(Entry(id, catalog_)["open_case"]["type"], "catalog_update");

  // One extension of 10 working days with the authority's consent.
  auto ext = server_->Send("POST", "/api/v1/cases/" + std::to_string(case_id) + "/extensions",
                           {{"reason", "需会同出入境管理部门核实"}}, catalog_);
  ASSERT_EQ(ext.status, 201u) << ext.body;
  const auto ext_id = ext.Json()["case"]["id"].get<std::int64_t>();
  EXPECT_EQ(Fire(ext_id, "approve", "同意", reviewer_).status, 403u);  // the authority's head consents
  ASSERT_EQ(Fire(ext_id, "approve", "同意", server_->Login("head")).status, 200u);
  EXPECT_EQ(Case(case_id, catalog_)["due_at"], "2026-11-03T23:59:59+08:00");
  auto again = server_->Send("POST", "/api/v1/cases/" + std::to_string(case_id) + "/extensions",
                             {{"reason", "再次延期"}}, catalog_);
  EXPECT_EQ(again.status, 409u);
  EXPECT_EQ(again.Json()["code"], "extension_limit");

  // The update is submitted through the case and reviewed within 10 working days.
  json content = Content("出入境证件签发信息");
  content["abstract"] = "按修订后的出境入境管理法更新";
  ASSERT_EQ(server_
                ->Send("PUT", "/api/v1/catalog/entries/" + std::to_string(id) + "/draft",
                       {{"content", content}, {"entry_version", Entry(id, catalog_)["entry_version"]}}, catalog_)
                .status,
            200u);
  clock_->Advance(86400);                // submitted on 10-01, a holiday: the 10 WD start on 10-08
  catalog_ = server_->Login("catalog");  // the sessions of the day before have expired
  reviewer_ = server_->Login("reviewer");
  ASSERT_EQ(Submit(id, catalog_).status, 200u);
  auto reviewing = Case(case_id, catalog_);
  EXPECT_EQ(reviewing["state"], "review");
  EXPECT_EQ(reviewing["step"], "catalog_review");
  // Art. 9: the update is reviewed within 10 WD, counted from the first working day after receipt (10-08).
  EXPECT_EQ(reviewing["due_at"], "2026-10-20T23:59:59+08:00");
  ASSERT_EQ(Review(id, "approve", "", reviewer_).status, 200u);
  const auto entry = Entry(id, catalog_);
  EXPECT_EQ(entry["published_version"], 2);
  EXPECT_TRUE(entry["open_case"].is_null());
  EXPECT_EQ(Case(case_id, catalog_)["state"], "published");
}

TEST_F(Catalog, Art11NotSharingNeedsApplicationReviewAndGovernmentApproval) {
  const auto id = Publish(Content("重点人员信息"), catalog_, reviewer_);
  // Declaring "not shared" without an approved listing breaks the rules.
  json content = Content("重点人员信息");
  content["share_type"] = "not_shared";
  content["legal_basis"] = "《反恐怖主义法》";
  content["share_methods"] = json::array();
  auto checked = server_->Send("POST", "/api/v1/catalog/check", {{"content", content}, {"entry_id", id}}, catalog_);
  EXPECT_EQ(checked.Json()["errors"][0]["rule"], "negative_list_required");

  const std::string path = "/api/v1/catalog/entries/" + std::to_string(id) + "/negative-list";
  auto no_basis = server_->Send("POST", path, {{"kind", "list"}, {"reason", "涉密"}}, catalog_);
  EXPECT_EQ(no_basis.status, 422u);
  EXPECT_EQ(no_basis.Json()["code"], "legal_basis_required");
  auto applied = server_->Send(
      "POST", path, {{"kind", "list"}, {"legal_basis", "《反恐怖主义法》第四十八条"}, {"reason", "涉及侦查秘密"}},
      catalog_);
  ASSERT_EQ(applied.status, 201u) << applied.body;
  const auto case_id = applied.Json()["case_id"].get<std::int64_t>();
  // Three steps: the authority reviews and forwards; only the government approver approves.
  EXPECT_EQ(Fire(case_id, "approve", "", reviewer_).status, 422u);  // not possible before forwarding
  ASSERT_EQ(Fire(case_id, "forward", "", reviewer_).status, 200u);
  EXPECT_EQ(Fire(case_id, "approve", "", reviewer_).status, 403u);
  const auto approver = server_->Login("approver");
  ASSERT_EQ(Fire(case_id, "approve", "", approver).status, 200u);

  const auto entry = Entry(id, catalog_);
  EXPECT_TRUE(entry["on_negative_list"].get<bool>());
  EXPECT_EQ(entry["published_version"], 2);
  EXPECT_EQ(entry["published"]["content"]["share_type"], "not_shared");
  EXPECT_EQ(entry["published"]["content"]["legal_basis"], "《反恐怖主义法》第四十八条");
  const auto requester = server_->Login("requester");
  auto list = server_->Get("/api/v1/catalog/negative-list", requester).Json();
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["entry_id"], id);

  // Revocation takes the same steps; afterwards the department must update the entry (Art. 9).
  auto revoke = server_->Send("POST", path, {{"kind", "revoke"}, {"reason", "法律修订后可共享"}}, catalog_);
  ASSERT_EQ(revoke.status, 201u) << revoke.body;
  const auto revoke_case = revoke.Json()["case_id"].get<std::int64_t>();
  ASSERT_EQ(Fire(revoke_case, "forward", "", reviewer_).status, 200u);
  ASSERT_EQ(Fire(revoke_case, "approve", "", approver).status, 200u);
  const auto after = Entry(id, catalog_);
  EXPECT_FALSE(after["on_negative_list"].get<bool>());
  EXPECT_EQ(after["open_case"]["type"], "catalog_update");
  EXPECT_TRUE(server_->Get("/api/v1/catalog/negative-list", requester).Json()["items"].empty());
}

TEST_F(Catalog, WithdrawalIsReviewed) {
  const auto id = Publish(Content("旧目录"), catalog_, reviewer_);
  auto no_reason = server_->Send("POST", "/api/v1/catalog/entries/" + std::to_string(id) + "/withdrawal",
                                 {{"reason", " "}}, catalog_);
  EXPECT_EQ(no_reason.status, 400u);
  auto opened = server_->Send("POST", "/api/v1/catalog/entries/" + std::to_string(id) + "/withdrawal",
                              {{"reason", "数据已并入其他目录"}}, catalog_);
  ASSERT_EQ(opened.status, 201u) << opened.body;
  const auto case_id = opened.Json()["case"]["id"].get<std::int64_t>();
  EXPECT_EQ(server_->Get("/api/v1/catalog/search?q=%E6%97%A7%E7%9B%AE%E5%BD%95", catalog_).Json()["total"], 1);
  ASSERT_EQ(Fire(case_id, "approve", "", reviewer_).status, 200u);
  EXPECT_TRUE(Entry(id, catalog_)["withdrawn"].get<bool>());
  EXPECT_EQ(Entry(id, catalog_)["published"]["state"], "withdrawn");
  EXPECT_EQ(server_->Get("/api/v1/catalog/search?q=%E6%97%A7%E7%9B%AE%E5%BD%95", catalog_).Json()["total"], 0);
}

TEST_F(Catalog, Art10DuplicateCollectionIsFoundAndHandled) {
  const auto hrss_catalog = MakeUser("hrss.catalog", kProvincialHrss, "catalog_manager");
  const auto population = Publish(Content("常住人口基本信息"), catalog_, reviewer_);
  json insured = Content("参保人员基本信息");
  insured["classification"] = "20301";
  const auto duplicate = Publish(insured, hrss_catalog, reviewer_);
  // A department that only refers to people by ID and name collects nothing twice.
  json referring = Content("就业登记信息");
  referring["items"] = {PersonItems()[0], PersonItems()[1], PersonItems()[6]};
  Publish(referring, hrss_catalog, reviewer_);

  auto findings = server_->Get("/api/v1/catalog/findings", reviewer_).Json();
  ASSERT_EQ(findings["items"].size(), 1u) << findings.dump();
  // Found at publication; a full scan finds nothing new (findings are kept by fingerprint).
  EXPECT_EQ(server_->Send("POST", "/api/v1/catalog/findings/scan", nullptr, reviewer_).Json()["new_findings"], 0);
  const auto finding = findings["items"][0];
  EXPECT_EQ(finding["status"], "open");
  std::set<std::int64_t> entries;
  for (const auto& e : finding["entries"]) entries.insert(e["id"].get<std::int64_t>());
  EXPECT_EQ(entries, (std::set<std::int64_t>{population, duplicate}));
  EXPECT_GE(finding["elements"].size(), 5u);
  // The departments involved see it; an uninvolved one does not.
  EXPECT_EQ(server_->Get("/api/v1/catalog/findings", hrss_catalog).Json()["items"].size(), 1u);
  const auto sjz = server_->Login("sjz.requester");
  EXPECT_TRUE(server_->Get("/api/v1/catalog/findings", sjz).Json()["items"].empty());

  const std::string base = "/api/v1/catalog/findings/" + std::to_string(finding["id"].get<std::int64_t>());
  EXPECT_EQ(server_->Send("POST", base + "/dismiss", {{"reason", " "}}, reviewer_).status, 400u);
  EXPECT_EQ(server_->Send("POST", base + "/rectify", {{"note", "改为共享获取"}}, catalog_).status, 403u);
  auto rectify = server_->Send("POST", base + "/rectify", {{"note", "改为通过共享获取人口基础信息"}}, reviewer_);
  ASSERT_EQ(rectify.status, 200u) << rectify.body;
  EXPECT_EQ(rectify.Json()["status"], "rectifying");
  const auto case_id = rectify.Json()["case_id"].get<std::int64_t>();
  EXPECT_EQ(Case(case_id, hrss_catalog)["responsible_department_id"], kProvincialHrss);
  ASSERT_EQ(Fire(case_id, "report", "已停止重复采集，改为共享调用", hrss_catalog).status, 200u);
  ASSERT_EQ(Fire(case_id, "accept", "核实完成", reviewer_).status, 200u);
  EXPECT_EQ(server_->Get("/api/v1/catalog/findings", reviewer_).Json()["items"][0]["status"], "resolved");
  EXPECT_EQ(server_->Send("POST", base + "/dismiss", {{"reason", "重复"}}, reviewer_).status, 409u);
}

TEST_F(Catalog, ResponsibilityListAndExportsDescribeThePublishedCatalog) {
  Publish(Content("常住人口基本信息"), catalog_, reviewer_);
  Create(Content("未发布草稿"), catalog_);
  const auto requester = server_->Login("requester");
  auto lines = server_->Get("/api/v1/catalog/responsibilities", requester).Json()["items"];
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0]["element"], "DE0001");
  EXPECT_EQ(lines[0]["department_id"], kProvincialPsb);
  auto csv = server_->Get("/api/v1/catalog/responsibilities?format=csv", requester);
  EXPECT_EQ(csv.headers["content-type"], "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find("公民身份号码"), std::string::npos);

  auto exported = server_->Get("/api/v1/catalog/export?format=json", requester).Json();
  ASSERT_EQ(exported["entries"].size(), 1u);
  EXPECT_EQ(exported["entries"][0]["content"]["name"], "常住人口基本信息");
  auto table = server_->Get("/api/v1/catalog/export?format=csv", requester);
  EXPECT_NE(table.body.find("信息资源代码"), std::string::npos);
  EXPECT_NE(table.body.find("常住人口基本信息"), std::string::npos);
  EXPECT_EQ(table.body.find("未发布草稿"), std::string::npos);
  auto dcat = server_->Get("/api/v1/catalog/export?format=dcat", requester);
  EXPECT_EQ(dcat.headers["content-type"], "application/ld+json");
  const auto doc = dcat.Json();
  EXPECT_EQ(doc["@type"], "dcat:Catalog");
  EXPECT_EQ(doc["dcat:dataset"][0]["dct:identifier"], "30111/00001");
  // The exported CSV imports again (Art. 23: catalogs move between systems).
  auto exported_csv = server_->Get("/api/v1/catalog/export?format=csv", requester).body;
  const auto hrss_catalog = MakeUser("hrss.catalog", kProvincialHrss, "catalog_manager");
  auto reimported = server_->Request("POST", "/api/v1/catalog/import", exported_csv,
                                     {{"Authorization", "Bearer " + hrss_catalog}, {"Content-Type", "text/csv"}});
  EXPECT_EQ(reimported.status, 201u) << reimported.body;
}

TEST_F(Catalog, Art9Art28AnOverdueReviewIsEvidencedAndEscalated) {
  auto id = Create(Content("逾期审核目录"), catalog_).Json()["id"].get<std::int64_t>();
  ASSERT_EQ(Submit(id, catalog_).status, 200u);
  const auto case_id = Entry(id, catalog_)["open_case"]["id"].get<std::int64_t>();
  clock_->Advance(22 * 86400);  // 2026-10-22, past the 10-20 deadline
  reviewer_ = server_->Login("reviewer");
  ASSERT_TRUE(server_->platform().cases().RunDeadlineMonitor().ok());
  const auto c = Case(case_id, reviewer_);
  EXPECT_TRUE(c["overdue"].get<bool>());
  org::Principal admin;
  admin.roles.Add(org::Role::kPlatformAdmin);
  auto evidence = server_->platform().cases().Evidence(admin, case_id);
  ASSERT_TRUE(evidence.ok());
  ASSERT_EQ(evidence->size(), 1u);
  EXPECT_EQ(evidence->front().step, "catalog_review");
  EXPECT_EQ(evidence->front().working_days_late, 2);
}

TEST_F(Catalog, AnEntryCreatedThroughAnotherNodeIsFoundAtOnceAndUnknownIdsCostNoEntryRead) {
  // Another node's catalog service on the same database: it hears of no change (no notifications reach it), so what
  // the server creates is in the store but not in its index.
  app::Platform& platform = server_->platform();
  std::unique_ptr<org::OrgStore> org;
  std::unique_ptr<catalog::CatalogStore> store;
  if (auto* sqlite = platform.sqlite()) {
    org = std::make_unique<store::sqlite::SqliteOrgStore>(*sqlite, platform.clock());
    store = std::make_unique<store::sqlite::SqliteCatalogStore>(*sqlite);
  } else {
    org = std::make_unique<store::pg::PgOrgStore>(*platform.postgres(), platform.clock());
    store = std::make_unique<store::pg::PgCatalogStore>(*platform.postgres());
  }
  CountingCatalogStore counting(std::move(store));
  catalog::CatalogService other(counting, platform.cases(), *org, platform.regions(), platform.authorizer(),
                                platform.clock());
  ASSERT_TRUE(other.Reload().ok());
  const auto principal = platform.org().Authenticate(catalog_);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();

  auto created = Create(Content("常住人口基本信息"), catalog_);
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = created.Json()["id"].get<std::int64_t>();
  auto found = other.Get(*principal, id);  // read-your-writes: the client may ask any node at once
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->working.has_value());
  EXPECT_EQ(found->working->content.name, "常住人口基本信息");
  EXPECT_EQ(counting.entry_reads(), 1);
  ASSERT_TRUE(other.Get(*principal, id).ok());  // indexed now
  EXPECT_EQ(counting.entry_reads(), 1);

  // Ids above the highest the store holds cannot be found: no entry is read for them.
  const int newest_reads = counting.newest_reads();
  for (std::int64_t unknown = id + 1; unknown <= id + 20; ++unknown) {
    EXPECT_EQ(other.Get(*principal, unknown).status().kind(), common::ErrorKind::kNotFound);
  }
  EXPECT_EQ(counting.entry_reads(), 1);
  EXPECT_EQ(counting.newest_reads(), newest_reads + 20);  // one look at the highest id each: it may have grown

  // The next entry created through the server is found by the other node as the first was.
  auto next = Create(Content("出生医学证明信息"), catalog_);
  ASSERT_EQ(next.status, 201u) << next.body;
  const auto next_id = next.Json()["id"].get<std::int64_t>();
  EXPECT_GT(next_id, id);
  EXPECT_TRUE(other.Get(*principal, next_id).ok());
  EXPECT_EQ(counting.entry_reads(), 2);
}

TEST_F(Catalog, TheRegionalCatalogIsTheRegionAndTheRegionsBelow) {
  const auto sjz_catalog = MakeUser("sjz.catalog", kSjzPsb, "catalog_manager");
  Publish(Content("省级人口目录"), catalog_, reviewer_);
  Publish(Content("石家庄市人口目录"), sjz_catalog, server_->Login("sjz.head"));
  auto names = [&](const std::string& region) {
    std::set<std::string> out;
    const auto found = server_->Get("/api/v1/catalog/search?region=" + region, catalog_).Json();
    for (const auto& i : found["items"]) out.insert(i["name"].get<std::string>());
    return out;
  };
  EXPECT_EQ(names("130000"), (std::set<std::string>{"省级人口目录", "石家庄市人口目录"}));
  EXPECT_EQ(names("130100"), (std::set<std::string>{"石家庄市人口目录"}));
  EXPECT_TRUE(names("130200").empty());
}

TEST_F(Catalog, BadInputIsA4xxAndChangesNothing) {
  const auto before = server_->Count("catalog_entries");
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {R"({"content": "x"})", "missing_field"},
      {R"({"content": {"name": 5}})", "invalid_entry"},
      {R"({"content": {"name": "x", "classification": "30111", "items": {"a": 1}}})", "invalid_entry"},
      {R"({"content": {"name": "x", "classification": "30111", "items": ["x"]}})", "invalid_entry"},
      {R"({"content": {"name": "x", "classification": "30111", "items": [{"name": "a", "length": -1}]}})",
       "invalid_entry"},
      {R"({"content": {"name": "x", "classification": "30111", "keywords": [null]}})", "invalid_entry"},
      {R"({"content": {"name": "x\u0001", "classification": "30111"}})", "invalid_entry"},
      {R"({"content": {"name": "x", "classification": "30111"}, "extra": 1})", "unknown_field"},
      {"{\"content\": {\"name\": \"\xC3\x28\"}}", "invalid_utf8"},
      {R"({"content": {"name": "x", "classification": "30111")", "invalid_json"},
      {R"({"content": {"classification": "30111"}})", "invalid_entry"},
  };
  for (const auto& [body, code] : bodies) {
    auto res = server_->Request("POST", "/api/v1/catalog/entries", body, {{"Authorization", "Bearer " + catalog_}});
    EXPECT_GE(res.status, 400u) << body;
    EXPECT_LT(res.status, 500u) << body;
    EXPECT_EQ(res.Json()["code"], code) << body << " -> " << res.body;
  }
  for (const char* csv : {"信息资源名称,信息资源分类\n\"unterminated,30111\n", "名字,分类\nx,3\n", ""}) {
    auto res = server_->Request("POST", "/api/v1/catalog/import", csv,
                                {{"Authorization", "Bearer " + catalog_}, {"Content-Type", "text/csv"}});
    EXPECT_EQ(res.status, 400u) << csv << " -> " << res.body;
  }
  for (const char* query : {"limit=0", "limit=101", "offset=-1", "offset=99999", "region=nowhere", "share_type=maybe",
                            "scope=everything", "state=lost", "provider=abc"}) {
    auto res = server_->Get(std::string("/api/v1/catalog/search?") + query, catalog_);
    EXPECT_EQ(res.status, 400u) << query;
    EXPECT_EQ(res.Json()["code"], "invalid_parameter") << query;
  }
  EXPECT_EQ(server_->Get("/api/v1/catalog/entries/1/diff?from=x&to=1", catalog_).status, 400u);
  EXPECT_EQ(server_->Get("/api/v1/catalog/export?format=xml", catalog_).status, 400u);
  EXPECT_EQ(server_->Send("POST", "/api/v1/catalog/entries/1/review", {{"decision", "maybe"}}, reviewer_).status, 400u);
  EXPECT_EQ(server_->Count("catalog_entries"), before);
}

TEST_F(Catalog, Art5DataElementsAreAProvincialStandard) {
  auto list = server_->Get("/api/v1/catalog/elements", catalog_).Json()["items"];
  ASSERT_GE(list.size(), 14u);
  json element = {{"id", "DE9001"},           {"name", "测试数据元"}, {"data_type", "C"},
                  {"representation", "an10"}, {"validation", ""},     {"default_level", "general2"}};
  EXPECT_EQ(server_->Send("POST", "/api/v1/catalog/elements", element, catalog_).status, 403u);
  EXPECT_EQ(server_->Send("POST", "/api/v1/catalog/elements", element, server_->Login("sjz.head")).status, 403u);
  auto created = server_->Send("POST", "/api/v1/catalog/elements", element, admin_);
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(server_->Send("POST", "/api/v1/catalog/elements", element, admin_).status, 409u);
  element["validation"] = "astrology";
  EXPECT_EQ(server_->Send("POST", "/api/v1/catalog/elements", element, admin_).Json()["code"],
            "invalid_validation_rule");
  json update = {{"name", "测试数据元（修订）"}, {"data_type", "C"}, {"version", 1}};
  EXPECT_EQ(server_->Send("PUT", "/api/v1/catalog/elements/DE9001", update, admin_).status, 200u);
  EXPECT_EQ(server_->Send("PUT", "/api/v1/catalog/elements/DE9001", update, admin_).status, 409u);
}

}  // namespace
}  // namespace govshare::testing
