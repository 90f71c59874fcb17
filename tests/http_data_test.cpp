// The data access API (Art. 12, 14, 16, 21, 30): applications read shared data only as their grant allows — the
// granted items, masked, in the grant's row scope, manner, validity, quota and rate — and every call, denials
// included, has a durable audit record whose receipt comes with the answer.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/crypto.hpp"
#include "exchange/demo_provider.hpp"
#include "exchange/test_support.hpp"
#include "support/catalog_fixtures.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

constexpr common::UnixSeconds k20260930Morning = 1790733600;  // 2026-09-30 10:00 +08:00
constexpr std::int64_t kShijiazhuangPsb = 26;                 // 石家庄市公安局

const char* const kPeople =
    "公民身份号码,姓名,性别,出生日期,民族,户籍地址,行政区划代码\n"
    "13010219800101007X,张三丰,2,1980-01-01,01,河北省石家庄市长安区中山东路100号,130102\n"
    "130202199005050036,李四,1,1990-05-05,01,河北省唐山市路南区新华道1号,130202\n";

class DataApi : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<common::FakeClock>(k20260930Morning);
    server_ = std::make_unique<TestServer>(TestServer::Options{}, clock_);
    steward_ = server_->Login("steward");
    requester_ = server_->Login("requester");
    auditor_ = server_->Login("auditor");
    hrss_app_ = server_->credentials()["applications"][0]["application_id"].get<std::int64_t>();
    hrss_key_ = server_->ApiKey(0);
    json content = Content("常住人口基本信息");
    content["share_type"] = "unconditional";  // granted at once (Art. 15)
    content["share_condition"] = "";
    entry_ = server_->PublishEntry(content);
    auto& exchange = server_->platform().exchange();
    ASSERT_TRUE(exchange.Ensure(entry_).ok());
    exchange::DatasetStore::LoadOptions load;
    auto loaded =
        exchange.store().LoadSnapshot(entry_, exchange::testing::StringSource(kPeople), load, exchange.Rules());
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    ASSERT_TRUE(loaded->applied) << exchange::ReportJson(loaded.value());
  }
  /// A grant for the 人社厅 application (unconditional: issued at once).
  std::string Grant(const std::string& manner, std::int64_t volume = 1000, int validity_days = 30,
                    std::vector<std::string> items = {"公民身份号码", "姓名", "出生日期", "行政区划代码"}) {
    json body = {{"entry_id", entry_},
                 {"application_id", hrss_app_},
                 {"items", items},
                 {"scenario",
                  {{"purpose", "养老保险待遇资格认证"},
                   {"legal_basis", "《社会保险法》第七十三条"},
                   {"scope", "全省养老保险待遇领取人员"},
                   {"manner", manner},
                   {"volume_per_day", volume},
                   {"validity_days", validity_days}}},
                 {"accept_commitments", true}};
    auto r = server_->Send("POST", "/api/v1/requests", body, requester_);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.Json()["grant_id"].get<std::string>();
  }
  HttpResponse Lookup(const std::string& grant, const std::string& key, const std::string& api_key,
                      const std::string& business_ref = "SB-2026-000123") {
    std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + api_key}, {"X-Grant-Id", grant}};
    if (!business_ref.empty()) headers["X-Business-Ref"] = business_ref;
    return server_->Request("GET", fmt::format("/api/v1/data/{}/records/{}", entry_, key), "", headers);
  }
  HttpResponse Verify(const std::string& grant, const json& fields) {
    return server_->Request("POST", fmt::format("/api/v1/data/{}/verify", entry_), json{{"fields", fields}}.dump(),
                            {{"Authorization", "Bearer " + hrss_key_},
                             {"X-Grant-Id", grant},
                             {"X-Business-Ref", "SB-2026-000124"},
                             {"Content-Type", "application/json"}});
  }
  json AuditRecord(const HttpResponse& r) {
    auto receipt = r.headers.find("x-audit-receipt");
    EXPECT_NE(receipt, r.headers.end()) << "no X-Audit-Receipt";
    if (receipt == r.headers.end()) return json();
    return server_->Get("/api/v1/audit/records/" + receipt->second, auditor_).Json();
  }

  std::shared_ptr<common::FakeClock> clock_;
  std::unique_ptr<TestServer> server_;
  std::string steward_, requester_, auditor_, hrss_key_;
  std::int64_t hrss_app_ = 0;
  std::int64_t entry_ = 0;
};

TEST_F(DataApi, Art14OnlyTheGrantedItemsAreReturnedMaskedAndTheCallIsAudited) {
  const auto grant = Grant("lookup");
  auto r = Lookup(grant, "13010219800101007X", hrss_key_);
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto record = r.Json()["record"];
  EXPECT_EQ(record.size(), 4u);  // exactly the granted items: no 户籍地址, 性别 or 民族, not even as null
  EXPECT_FALSE(record.contains("户籍地址"));
  EXPECT_FALSE(record.contains("民族"));
  EXPECT_EQ(record["姓名"], "张**");                        // the name element's default mask (DOMAIN.md §6)
  EXPECT_EQ(record["公民身份号码"], "1***************7X");  // resident_id: first 1 and last 2
  EXPECT_EQ(record["出生日期"], "1980-**-**");              // date: the year only
  EXPECT_EQ(record["行政区划代码"], "130102");              // no mask
  // The audit record: durable before the answer, with the grant, scenario, business reference, fields, rows and the
  // hash of exactly the body received.
  const auto audit = AuditRecord(r);
  EXPECT_EQ(audit["decision"], "allow");
  EXPECT_EQ(audit["actor_kind"], "application");
  EXPECT_EQ(audit["grant_id"], grant);
  EXPECT_EQ(audit["business_ref"], "SB-2026-000123");
  EXPECT_EQ(audit["scenario"], "养老保险待遇资格认证");
  EXPECT_EQ(audit["fields"], "公民身份号码,姓名,出生日期,行政区划代码");
  EXPECT_EQ(audit["row_count"], 1);
  EXPECT_EQ(audit["content_hash"], common::Sha256Hex(r.body));
  // No such record: 404, audited too.
  auto missing = Lookup(grant, "130102198001010045", hrss_key_);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.Json()["code"], "record_not_found");
  EXPECT_EQ(AuditRecord(missing)["decision"], "deny");
}

TEST_F(DataApi, Art30AMissingBusinessReferenceIsRefusedAndAudited) {
  const auto grant = Grant("lookup");
  auto r = Lookup(grant, "13010219800101007X", hrss_key_, "");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.Json()["code"], "business_ref_required");
  EXPECT_EQ(r.body.find("张"), std::string::npos);
  const auto audit = AuditRecord(r);
  EXPECT_EQ(audit["decision"], "deny");
  EXPECT_EQ(audit["reason"], "business_ref_required");
}

TEST_F(DataApi, Art14ExpiredRevokedSuspendedWrongMannerAndOverQuotaCallsAreDeniedAndAudited) {
  auto denied = [&](const std::string& grant, const std::string& code) {
    auto r = Lookup(grant, "13010219800101007X", hrss_key_);
    EXPECT_EQ(r.status, 403u) << r.body;
    EXPECT_EQ(r.Json()["code"], code);
    EXPECT_EQ(r.body.find("张"), std::string::npos);  // no data in a denial
    const auto audit = AuditRecord(r);
    EXPECT_EQ(audit["decision"], "deny");
    EXPECT_EQ(audit["reason"], code);
    EXPECT_EQ(audit["grant_id"], grant);
  };
  denied(Grant("verify"), "manner_not_granted");  // Art. 14: no other manner of use
  const auto quota = Grant("lookup", 2);
  EXPECT_EQ(Lookup(quota, "13010219800101007X", hrss_key_).status, 200u);
  EXPECT_EQ(Lookup(quota, "13010219800101007X", hrss_key_).status, 200u);
  denied(quota, "quota_exceeded");
  const auto suspended = Grant("lookup");
  ASSERT_EQ(
      server_->Send("POST", "/api/v1/grants/" + suspended + "/suspend", {{"reason", "核查使用情况"}}, steward_).status,
      200u);
  denied(suspended, "grant_suspended");
  ASSERT_EQ(
      server_->Send("POST", "/api/v1/grants/" + suspended + "/revoke", {{"reason", "超范围使用"}}, steward_).status,
      200u);
  denied(suspended, "grant_revoked");
  const auto short_lived = Grant("lookup", 1000, 1);
  EXPECT_EQ(Lookup(short_lived, "13010219800101007X", hrss_key_).status, 200u);
  clock_->Advance(86400);                // its one day has passed
  auditor_ = server_->Login("auditor");  // the session of a day ago has expired
  denied(short_lived, "grant_expired");
  denied("gr_doesnotexist", "grant_unknown");
}

TEST_F(DataApi, Art14TheDailyQuotaHoldsAcrossARestart) {
  const auto grant = Grant("lookup", 3);
  EXPECT_EQ(Lookup(grant, "13010219800101007X", hrss_key_).status, 200u);
  EXPECT_EQ(Lookup(grant, "130202199005050036", hrss_key_).status, 200u);
  server_->Restart();
  EXPECT_EQ(server_->platform().data().UsageOf(grant).today, 2);
  EXPECT_EQ(Lookup(grant, "13010219800101007X", hrss_key_).status, 200u);
  auto over = Lookup(grant, "13010219800101007X", hrss_key_);
  EXPECT_EQ(over.status, 403u) << over.body;
  EXPECT_EQ(over.Json()["code"], "quota_exceeded");
}

TEST_F(DataApi, OnlyTheGrantsOwnApplicationCallsAndUsersAreRefused) {
  const auto grant = Grant("lookup");
  auto other_app = Lookup(grant, "13010219800101007X", server_->ApiKey(2));  // 企业登记业务系统
  EXPECT_EQ(other_app.status, 403u);
  EXPECT_EQ(other_app.Json()["code"], "grant_unknown");
  auto user = Lookup(grant, "13010219800101007X", requester_);
  EXPECT_EQ(user.status, 403u);
  EXPECT_EQ(user.Json()["code"], "applications_only");
  EXPECT_EQ(Lookup(grant, "13010219800101007X", "gsk_not_a_key").status, 401u);
}

TEST_F(DataApi, Art14ARecordOutsideTheConsumersJurisdictionIsOutOfScope) {
  // 石家庄市公安局's application: its grants are scoped to 1301.
  const auto [sjz_app, sjz_key] = server_->Application("石家庄市公安局");
  ASSERT_FALSE(sjz_key.empty());
  const auto sjz_requester = server_->Login("sjz.requester");
  json body = {{"entry_id", entry_},
               {"application_id", sjz_app},
               {"items", {"公民身份号码", "姓名"}},
               {"scenario",
                {{"purpose", "户籍业务办理"},
                 {"legal_basis", "《户口登记条例》"},
                 {"scope", "石家庄市"},
                 {"manner", "lookup"},
                 {"volume_per_day", 100},
                 {"validity_days", 30}}},
               {"accept_commitments", true}};
  auto submitted = server_->Send("POST", "/api/v1/requests", body, sjz_requester);
  ASSERT_EQ(submitted.status, 201u) << submitted.body;
  const auto grant = submitted.Json()["grant_id"].get<std::string>();
  EXPECT_EQ(Lookup(grant, "13010219800101007X", sjz_key).status, 200u);  // 长安区: inside 1301
  auto outside = Lookup(grant, "130202199005050036", sjz_key);           // 唐山: outside
  EXPECT_EQ(outside.status, 403u);
  EXPECT_EQ(outside.Json()["code"], "out_of_scope");
  EXPECT_EQ(outside.body.find("李"), std::string::npos);
  (void)kShijiazhuangPsb;
}

TEST_F(DataApi, Art14VerificationAnswersPerFieldAndReturnsNoData) {
  const auto grant = Grant("verify");
  auto r = Verify(grant, {{"公民身份号码", "13010219800101007x"}, {"姓名", "张三丰"}, {"出生日期", "1980-01-02"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_TRUE(r.Json()["record_found"].get<bool>());
  EXPECT_TRUE(r.Json()["match"]["公民身份号码"].get<bool>());  // the check character in either case
  EXPECT_TRUE(r.Json()["match"]["姓名"].get<bool>());
  EXPECT_FALSE(r.Json()["match"]["出生日期"].get<bool>());
  EXPECT_EQ(r.body.find("1980-01-01"), std::string::npos);          // no stored value comes back
  const auto fields = AuditRecord(r)["fields"].get<std::string>();  // the compared items, no values
  for (const char* item : {"公民身份号码", "姓名", "出生日期"})
    EXPECT_NE(fields.find(item), std::string::npos) << fields;
  EXPECT_EQ(fields.find("1980"), std::string::npos);
  // An item outside the grant cannot even be compared.
  auto ungranted = Verify(grant, {{"公民身份号码", "13010219800101007X"}, {"户籍地址", "河北省"}});
  EXPECT_EQ(ungranted.status, 403u);
  EXPECT_EQ(ungranted.Json()["code"], "item_not_granted");
  auto no_key = Verify(grant, {{"姓名", "张三丰"}});
  EXPECT_EQ(no_key.status, 400u);
  EXPECT_EQ(no_key.Json()["code"], "key_required");
  auto unknown = Verify(grant, {{"公民身份号码", "130102198001010045"}, {"姓名", "张三丰"}});
  ASSERT_EQ(unknown.status, 200u);
  EXPECT_FALSE(unknown.Json()["record_found"].get<bool>());
  EXPECT_FALSE(unknown.Json()["match"]["姓名"].get<bool>());
}

}  // namespace
}  // namespace govshare::testing
