// The dashboard's aggregates (驾驶舱, Art. 28): the published catalog by share type and provider, the deadline
// compliance of sharing requests, data calls per day from the audit log and late cases per department — counted from
// a fixture this test builds, and shown to every user, applications excepted.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/clock.hpp"
#include "exchange/test_support.hpp"
#include "support/catalog_fixtures.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

constexpr common::UnixSeconds k20260930Morning = 1790733600;  // 2026-09-30 10:00 +08:00
constexpr std::int64_t kProvincialPsb = 11;  // 河北省公安厅, the demo catalog manager's department

const char* const kPeople =
    "公民身份号码,姓名,性别,出生日期,民族,户籍地址,行政区划代码\n"
    "13010219800101007X,张三丰,2,1980-01-01,01,河北省石家庄市长安区中山东路100号,130102\n";

class Stats : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<common::FakeClock>(k20260930Morning);
    server_ = std::make_unique<TestServer>(TestServer::Options{}, clock_);
    Relogin();
    hrss_app_ = server_->credentials()["applications"][0]["application_id"].get<std::int64_t>();
  }
  void Relogin() {
    catalog_ = server_->Login("catalog");
    steward_ = server_->Login("steward");
    reviewer_ = server_->Login("reviewer");
    requester_ = server_->Login("requester");
  }
  std::int64_t Publish(const json& content) {
    auto created = server_->Send("POST", "/api/v1/catalog/entries", {{"content", content}}, catalog_);
    EXPECT_EQ(created.status, 201u) << created.body;
    const auto id = created.Json()["id"].get<std::int64_t>();
    const std::string base = "/api/v1/catalog/entries/" + std::to_string(id);
    EXPECT_EQ(
        server_->Send("POST", base + "/submit", {{"entry_version", created.Json()["entry_version"]}}, catalog_).status,
        200u);
    EXPECT_EQ(server_->Send("POST", base + "/review", {{"decision", "approve"}}, reviewer_).status, 200u);
    return id;
  }
  json Request(std::int64_t entry) {
    auto r = server_->Send("POST", "/api/v1/requests", ShareRequestBody(entry, hrss_app_, "lookup", 1000), requester_);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.Json();
  }
  void Fire(std::int64_t case_id, const std::string& action, const std::string& token) {
    const auto path = "/api/v1/cases/" + std::to_string(case_id);
    const auto version = server_->Get(path, token).Json()["case"]["version"];
    auto r = server_->Send("POST", path + "/transitions", {{"action", action}, {"comment", ""}, {"version", version}},
                           token);
    EXPECT_EQ(r.status, 200u) << r.body;
  }
  json Dashboard(const std::string& token, const std::string& query = "") {
    auto r = server_->Get("/api/v1/stats/dashboard" + query, token);
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.Json();
  }

  std::shared_ptr<common::FakeClock> clock_;
  std::unique_ptr<TestServer> server_;
  std::string catalog_, steward_, reviewer_, requester_;
  std::int64_t hrss_app_ = 0;
};

TEST_F(Stats, Art28TheDashboardCountsTheCatalogRequestsDataCallsAndLateDepartments) {
  // The catalog: two conditional entries and one unconditional, all of 河北省公安厅.
  const auto answered = Publish(Content("居民身份证签发信息"));
  const auto ignored = Publish(Content("流动人口居住登记信息"));
  json open = Content("常住人口基本信息");
  open["share_type"] = "unconditional";
  open["share_condition"] = "";
  const auto people = Publish(open);

  // Requests: one answered in time, one left unanswered by the provider until it is overdue and escalated.
  const auto on_time = Request(answered);
  Fire(on_time["case_id"].get<std::int64_t>(), "forward", reviewer_);
  EXPECT_EQ(server_
                ->Send("POST", fmt::format("/api/v1/requests/{}/answer", on_time["id"].get<std::int64_t>()),
                       {{"decision", "yes"}}, steward_)
                .status,
            200u);
  const auto late = Request(ignored);
  Fire(late["case_id"].get<std::int64_t>(), "forward", reviewer_);
  clock_->Advance(15 * 86400);  // past the provider's 5 working days
  Relogin();
  ASSERT_TRUE(server_->platform().cases().RunDeadlineMonitor().ok());

  // Data calls: one answered lookup and one refused (no business reference), both audited today.
  auto& exchange = server_->platform().exchange();
  ASSERT_TRUE(exchange.Ensure(people).ok());
  exchange::DatasetStore::LoadOptions load;
  ASSERT_TRUE(
      exchange.store().LoadSnapshot(people, exchange::testing::StringSource(kPeople), load, exchange.Rules()).ok());
  const auto grant = Request(people)["grant_id"].get<std::string>();  // unconditional: granted at once
  const auto key = server_->ApiKey(0);
  auto lookup = [&](const std::string& business_ref) {
    std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + key}, {"X-Grant-Id", grant}};
    if (!business_ref.empty()) headers["X-Business-Ref"] = business_ref;
    return server_->Request("GET", fmt::format("/api/v1/data/{}/records/13010219800101007X", people), "", headers)
        .status;
  };
  EXPECT_EQ(lookup("SB-2026-0001"), 200u);
  EXPECT_EQ(lookup(""), 400u);

  const auto d = Dashboard(requester_);
  EXPECT_EQ(d["catalog"]["published"], 3);
  std::map<std::string, std::int64_t> by_type;
  for (const auto& t : d["catalog"]["by_share_type"]) by_type[t["share_type"]] = t["count"];
  EXPECT_EQ(by_type, (std::map<std::string, std::int64_t>{{"conditional", 2}, {"unconditional", 1}}));
  ASSERT_EQ(d["catalog"]["by_department"].size(), 1u);
  EXPECT_EQ(d["catalog"]["by_department"][0]["department_id"], kProvincialPsb);
  EXPECT_EQ(d["catalog"]["by_department"][0]["department_name"], "河北省公安厅");
  EXPECT_EQ(d["catalog"]["by_department"][0]["count"], 3);
  // Two conditional requests (the unconditional one has no deadline to keep): one on time, one escalated.
  EXPECT_EQ(d["requests"], (json{{"on_time", 1}, {"overdue", 0}, {"escalated", 1}}));
  // The 14 days up to today (the audit log's clock), oldest first; today's calls counted by decision.
  ASSERT_EQ(d["data_calls"].size(), 14u);
  const auto now = std::chrono::system_clock::now();
  const auto today =
      common::FormatDate(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  EXPECT_EQ(d["data_calls"][13], (json{{"date", today}, {"allowed", 1}, {"denied", 1}}));
  for (int i = 0; i < 13; ++i) EXPECT_EQ(d["data_calls"][i]["allowed"], 0) << i;
  // The late case, charged to the provider that did not answer.
  ASSERT_EQ(d["overdue_by_department"].size(), 1u);
  EXPECT_EQ(d["overdue_by_department"][0],
            (json{{"department_id", kProvincialPsb}, {"department_name", "河北省公安厅"}, {"cases", 1}}));
}

TEST_F(Stats, EveryUserSeesTheDashboardApplicationsDoNotAndTheWindowIsBounded) {
  const auto auditor = server_->Login("auditor");
  const auto d = Dashboard(auditor, "?days=3");
  EXPECT_EQ(d["catalog"]["published"], 0);
  EXPECT_EQ(d["data_calls"].size(), 3u);
  EXPECT_EQ(d["requests"], (json{{"on_time", 0}, {"overdue", 0}, {"escalated", 0}}));
  EXPECT_TRUE(d["overdue_by_department"].empty());
  for (const char* bad : {"?days=0", "?days=91", "?days=x"}) {
    auto r = server_->Get(std::string("/api/v1/stats/dashboard") + bad, auditor);
    EXPECT_EQ(r.status, 400u) << bad;
    EXPECT_EQ(r.Json()["code"], "invalid_parameter") << bad;
  }
  EXPECT_EQ(server_->Get("/api/v1/stats/dashboard", server_->ApiKey(0)).status, 403u);
  EXPECT_EQ(server_->Get("/api/v1/stats/dashboard", "").status, 401u);
}

}  // namespace
}  // namespace govshare::testing
