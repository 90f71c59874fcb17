// Several `govshare serve` nodes on one PostgreSQL database behave as one platform (issue 9): a case moves once
// whichever nodes race for it, what one node changes (a revoked grant, a logout, a published entry, an attachment)
// takes effect on the others at once, the periodic jobs run on one node and move when it stops, and a node with
// other secrets is refused. Each test runs two nodes (two platforms with their own HTTP servers and data
// directories) in this process on a scratch database of the test cluster.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "exchange/test_support.hpp"
#include "support/catalog_fixtures.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;
using org::Role;

constexpr common::UnixSeconds k20260930Morning = 1790733600;  // 2026-09-30 10:00 +08:00
constexpr std::int64_t kProvincialPsb = 11;                   // 河北省公安厅 in the demo organisation

/// True once `condition` holds, polling for up to five seconds (a notification crosses nodes in milliseconds).
template <typename Condition>
bool Eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

workflow::CaseType ReviewType() {
  workflow::CaseType t;
  t.id = "test_review";
  t.name = "测试审核";
  t.initial_state = "submitted";
  t.final_states = {"published", "returned"};
  t.transitions = {{"approve", "submitted", "published", {Role::kAuthorityReviewer}, false},
                   {"return", "submitted", "returned", {Role::kAuthorityReviewer}, true}};
  t.waits = {{"submitted", workflow::Party::kAuthority, "catalog_review", workflow::OnDeadline::kEscalate}};
  return t;
}

class PostgresTwoNodes : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<common::FakeClock>(k20260930Morning);
    TestServer::Options first;
    first.on_postgres = true;
    a_ = std::make_unique<TestServer>(first, clock_);
    TestServer::Options second;
    second.node_of = a_.get();
    b_ = std::make_unique<TestServer>(second, clock_);
  }
  std::shared_ptr<common::FakeClock> clock_;
  std::unique_ptr<TestServer> a_;
  std::unique_ptr<TestServer> b_;
};

TEST_F(PostgresTwoNodes, TransitionsOfOneCaseRacingFromTwoNodesMoveItExactlyOnce) {
  for (auto* node : {a_.get(), b_.get()}) ASSERT_TRUE(node->platform().cases().RegisterType(ReviewType()).ok());
  for (int round = 0; round < 5; ++round) {
    workflow::NewCase n;
    n.type = "test_review";
    n.subject = "人口基础信息目录";
    n.reference = fmt::format("catalog_entry:{}", round + 1);
    n.requester_department_id = kProvincialPsb;
    n.region_id = "130000";
    auto opened = a_->platform().cases().Open(nullptr, n);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    const std::string path = fmt::format("/api/v1/cases/{}/transitions", opened->id);
    const std::string token_a = a_->Login("reviewer");
    const std::string token_b = b_->Login("reviewer");
    // Both nodes are asked at once to move the case from the version both read: one approves, one returns.
    std::atomic<bool> go{false};
    HttpResponse on_a;
    HttpResponse on_b;
    std::thread ta([&] {
      while (!go) std::this_thread::yield();
      on_a = a_->Send("POST", path, {{"action", "approve"}, {"version", opened->version}}, token_a);
    });
    std::thread tb([&] {
      while (!go) std::this_thread::yield();
      on_b = b_->Send("POST", path, {{"action", "return"}, {"version", opened->version}, {"comment", "材料不全"}},
                      token_b);
    });
    go = true;
    ta.join();
    tb.join();
    ASSERT_TRUE((on_a.status == 200 && on_b.status == 409) || (on_a.status == 409 && on_b.status == 200))
        << on_a.status << " " << on_a.body << "\n"
        << on_b.status << " " << on_b.body;
    const auto& loser = on_a.status == 409 ? on_a : on_b;
    EXPECT_EQ(loser.Json()["code"], "version_conflict");
    // Both nodes report the winner's state and one transition in the history.
    const std::string winner_state = on_a.status == 200 ? "published" : "returned";
    for (auto* node : {a_.get(), b_.get()}) {
      auto c = node->Get(fmt::format("/api/v1/cases/{}", opened->id), node == a_.get() ? token_a : token_b).Json();
      EXPECT_EQ(c["case"]["state"], winner_state);
      EXPECT_EQ(c["history"].size(), 2u) << c.dump();  // open + the one transition
    }
  }
}

TEST_F(PostgresTwoNodes, ALogoutOnOneNodeEndsTheSessionOnTheOther) {
  const std::string token = a_->Login("requester");
  ASSERT_EQ(b_->Get("/api/v1/me", token).status, 200u);  // B now holds the principal in its cache
  ASSERT_EQ(a_->Send("POST", "/api/v1/auth/logout", nullptr, token).status, 204u);
  EXPECT_TRUE(Eventually([&] { return b_->Get("/api/v1/me", token).status == 401u; }));
}

TEST_F(PostgresTwoNodes, AGrantRevokedOnOneNodeIsRefusedByTheOther) {
  // Art. 14, 17: a revoked grant gives no more data, whichever node the application calls.
  json content = Content("常住人口基本信息");
  content["share_type"] = "unconditional";
  content["share_condition"] = "";
  const auto entry = a_->PublishEntry(content);
  ASSERT_GT(entry, 0);
  // The provider's data, loaded through A: one table in the database for every node.
  auto& exchange = a_->platform().exchange();
  ASSERT_TRUE(exchange.Ensure(entry).ok());
  auto loaded = exchange.store().LoadSnapshot(
      entry,
      exchange::testing::StringSource("公民身份号码,姓名,性别,出生日期,民族,户籍地址,行政区划代码\n" +
                                      WithCheckDigit("13010219800101007") +
                                      ",张三丰,2,1980-01-01,01,河北省石家庄市长安区中山东路100号,130102\n"),
      {}, exchange.Rules());
  ASSERT_TRUE(loaded.ok() && loaded->applied) << loaded.status().ToString();
  const auto [app_id, api_key] = a_->Application("河北省人力资源和社会保障厅");
  ASSERT_GT(app_id, 0);
  json body = {{"entry_id", entry},
               {"application_id", app_id},
               {"items", {"公民身份号码", "姓名"}},
               {"scenario",
                {{"purpose", "养老保险待遇资格认证"},
                 {"legal_basis", "《社会保险法》第七十三条"},
                 {"scope", "全省养老保险待遇领取人员"},
                 {"manner", "lookup"},
                 {"volume_per_day", 1000},
                 {"validity_days", 30}}},
               {"accept_commitments", true}};
  auto requested = a_->Send("POST", "/api/v1/requests", body, a_->Login("requester"));
  ASSERT_EQ(requested.status, 201u) << requested.body;
  const std::string grant = requested.Json()["grant_id"].get<std::string>();
  auto lookup = [&](TestServer& node) {
    return node.Request("GET", fmt::format("/api/v1/data/{}/records/{}", entry, WithCheckDigit("13010219800101007")),
                        "",
                        {{"Authorization", "Bearer " + api_key}, {"X-Grant-Id", grant}, {"X-Business-Ref", "SB-1"}});
  };
  // B serves the record A loaded (and compiles and caches the active grant).
  HttpResponse before;
  EXPECT_TRUE(Eventually([&] {
    before = lookup(*b_);
    return before.status == 200u;
  })) << before.status
      << " " << before.body;
  EXPECT_EQ(before.Json()["record"]["姓名"], "张**") << before.body;  // masked as the grant says
  ASSERT_EQ(a_->Send("POST", fmt::format("/api/v1/grants/{}/revoke", grant), {{"reason", "超范围使用"}},
                     a_->Login("reviewer"))
                .status,
            200u);
  EXPECT_TRUE(Eventually([&] {
    const auto after = lookup(*b_);
    return after.status == 403u && after.Json()["code"] == "grant_revoked";
  }));
}

TEST_F(PostgresTwoNodes, AnEntryPublishedThroughOneNodeIsFoundThroughTheOther) {
  const std::string requester_b = b_->Login("requester");
  const auto entry = a_->PublishEntry(Content("流动人口居住登记信息"));
  ASSERT_GT(entry, 0);
  EXPECT_TRUE(Eventually(
      [&] { return b_->Get(fmt::format("/api/v1/catalog/entries/{}", entry), requester_b).status == 200u; }));
  auto found = b_->Get("/api/v1/catalog/search?q=%E6%B5%81%E5%8A%A8%E4%BA%BA%E5%8F%A3", requester_b).Json();
  ASSERT_FALSE(found["items"].empty()) << found.dump();
  EXPECT_EQ(found["items"][0]["id"], entry);
}

TEST_F(PostgresTwoNodes, AnAttachmentUploadedThroughOneNodeIsServedByTheOther) {
  ASSERT_TRUE(a_->platform().cases().RegisterType(ReviewType()).ok());
  workflow::NewCase n;
  n.type = "test_review";
  n.subject = "人口基础信息目录";
  n.reference = "catalog_entry:1";
  n.requester_department_id = kProvincialPsb;
  n.region_id = "130000";
  auto opened = a_->platform().cases().Open(nullptr, n);
  ASSERT_TRUE(opened.ok());
  const std::string path = fmt::format("/api/v1/cases/{}/attachments", opened->id);
  const std::string letter = "关于人口基础信息目录的补充说明";
  auto up = a_->Request("POST", path + "?filename=note.txt", letter,
                        {{"Authorization", "Bearer " + a_->Login("catalog")}, {"Content-Type", "text/plain"}});
  ASSERT_EQ(up.status, 201u) << up.body;
  const auto aid = up.Json()["attachments"][0]["id"].get<std::int64_t>();
  ASSERT_TRUE(b_->platform().cases().RegisterType(ReviewType()).ok());
  auto down = b_->Get(fmt::format("{}/{}", path, aid), b_->Login("reviewer"));
  EXPECT_EQ(down.status, 200u) << down.body;
  EXPECT_EQ(down.body, letter);
}

TEST_F(PostgresTwoNodes, PeriodicJobsRunOnOneNodeAndMoveToTheOtherWhenItStops) {
  a_->platform().StartJobs();
  b_->platform().StartJobs();
  ASSERT_TRUE(Eventually([&] { return a_->platform().leads_jobs() != b_->platform().leads_jobs(); }));
  // Never both: watch for a while.
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(a_->platform().leads_jobs() && b_->platform().leads_jobs());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto& leader = a_->platform().leads_jobs() ? a_ : b_;
  auto& follower = a_->platform().leads_jobs() ? b_ : a_;
  leader.reset();  // the node stops: its role session ends
  EXPECT_TRUE(Eventually([&] { return follower->platform().leads_jobs(); }));
}

TEST_F(PostgresTwoNodes, ANodeWithAnotherKeyIsRefusedAndToldWhichFileToCopy) {
  common::Config config;
  config.data_dir = ::testing::TempDir() + "/govshare-third-node-" + std::to_string(::getpid());
  std::filesystem::remove_all(config.data_dir);
  config.storage = a_->storage();
  config.log.access_log = "";
  auto third = app::Platform::Open(config);  // a fresh data directory: new keys
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), "audit_key_mismatch");
  EXPECT_NE(third.status().message().find("audit.key"), std::string::npos);
  // With the audit key copied but a mask key of its own: masked values would differ between nodes.
  std::filesystem::remove(config.data_dir + "/mask.key");
  std::filesystem::copy_file(a_->data_dir() + "/data/audit.key", config.data_dir + "/audit.key",
                             std::filesystem::copy_options::overwrite_existing);
  third = app::Platform::Open(config);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), "secret_mismatch");
  EXPECT_NE(third.status().message().find("mask.key"), std::string::npos);
  std::filesystem::remove_all(config.data_dir);
}

}  // namespace
}  // namespace govshare::testing
