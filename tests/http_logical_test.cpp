// Logical access (逻辑接入, Art. 12, 16): a provider registers its service interface; the platform calls it with a
// signed request on the consumer's behalf, maps its answer to the entry's items, and stops calling a failing provider
// (circuit breaker) with errors that name the provider.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "exchange/demo_provider.hpp"
#include "support/catalog_fixtures.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

constexpr common::UnixSeconds k20260930Morning = 1790733600;  // 2026-09-30 10:00 +08:00
const std::string kSecret = "demo-provider-secret-0123456789";

/// A valid ID number the demo provider has a death registration for (deceased) or not.
std::string DemoId(bool deceased) {
  for (int seq = 0; seq < 100000; ++seq) {
    const auto id = WithCheckDigit(fmt::format("13010219{:02}0101{:03}", 40 + seq / 1000 % 40, seq % 1000));
    if (exchange::DemoDeathRecord(id).has_value() == deceased) return id;
  }
  return {};
}

class LogicalAccess : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<common::FakeClock>(k20260930Morning);
    server_ = std::make_unique<TestServer>(TestServer::Options{}, clock_);
    catalog_ = server_->Login("catalog");
    steward_ = server_->Login("steward");
    reviewer_ = server_->Login("reviewer");
    requester_ = server_->Login("requester");
    auto provider = exchange::DemoProvider::Start("127.0.0.1:0", kSecret);
    ASSERT_TRUE(provider.ok()) << provider.status().ToString();
    provider_ = std::move(provider.value());
    json content = Content("人口死亡注销信息");
    content["items"] = {Item("公民身份号码", "DE0001", "C", 18, true, true, "general4"),
                        Item("姓名", "DE0002", "C", 50, false, true, "general3"),
                        Item("死亡日期", "DE0025", "D", 0, false, true, "general3"),
                        Item("行政区划代码", "DE0006", "C", 6, false, false, "general1")};
    auto created = server_->Send("POST", "/api/v1/catalog/entries", {{"content", content}}, catalog_);
    ASSERT_EQ(created.status, 201u) << created.body;
    entry_ = created.Json()["id"].get<std::int64_t>();
    const std::string base = "/api/v1/catalog/entries/" + std::to_string(entry_);
    ASSERT_EQ(
        server_->Send("POST", base + "/submit", {{"entry_version", created.Json()["entry_version"]}}, catalog_).status,
        200u);
    ASSERT_EQ(server_->Send("POST", base + "/review", {{"decision", "approve"}}, reviewer_).status, 200u);
  }
  std::string Base() const { return "http://127.0.0.1:" + std::to_string(provider_->port()); }
  json Registration() const {
    return {{"url", Base() + "/death-registrations/{key}"},
            {"method", "GET"},
            {"field_map", {{"公民身份号码", "sfzh"}, {"姓名", "xm"}, {"死亡日期", "swrq"}, {"行政区划代码", "xzqhdm"}}},
            {"auth", "hmac"},
            {"secret", kSecret},
            {"timeout_ms", 1000},
            {"health_url", Base() + "/healthz"}};
  }
  std::string Path() const { return "/api/v1/datasets/" + std::to_string(entry_) + "/endpoint"; }
  common::Result<std::optional<exchange::ProviderRecord>> Fetch(const std::string& id) {
    auto e = server_->platform().endpoints().Find(entry_);
    EXPECT_TRUE(e.ok() && e.value());
    return server_->platform().endpoints().client().Fetch(*e.value(), "河北省公安厅", id,
                                                          {"公民身份号码", "姓名", "死亡日期", "行政区划代码"},
                                                          {"gr_test", "REF-1", "河北省人力资源和社会保障厅", "r1"});
  }

  /// 石家庄市公安局's grant of 公民身份号码 and 姓名 in `manner` (conditional: routed up to the province, forwarded and
  /// answered yes), scoped to 1301; with its application's API key.
  std::pair<std::string, std::string> SjzGrant(const std::string& manner) {
    const auto sjz_requester = server_->Login("sjz.requester");
    const auto sjz_head = server_->Login("sjz.head");
    const auto [sjz_app, sjz_key] = server_->Application("石家庄市公安局");
    json body = {{"entry_id", entry_},
                 {"application_id", sjz_app},
                 {"items", {"公民身份号码", "姓名"}},
                 {"scenario",
                  {{"purpose", "户籍注销核查"},
                   {"legal_basis", "《户口登记条例》第八条"},
                   {"scope", "石家庄市"},
                   {"manner", manner},
                   {"volume_per_day", 100},
                   {"validity_days", 30}}},
                 {"accept_commitments", true}};
    auto submitted = server_->Send("POST", "/api/v1/requests", body, sjz_requester);
    EXPECT_EQ(submitted.status, 201u) << submitted.body;
    const auto id = submitted.Json()["id"].get<std::int64_t>();
    const auto case_id = std::to_string(submitted.Json()["case_id"].get<std::int64_t>());
    auto fire = [&](const std::string& action, const std::string& token) {
      const auto version = server_->Get("/api/v1/cases/" + case_id, token).Json()["case"]["version"];
      return server_->Send("POST", "/api/v1/cases/" + case_id + "/transitions",
                           {{"action", action}, {"version", version}}, token);
    };
    EXPECT_EQ(fire("route_up", sjz_head).status, 200u);  // Art. 17: to the province, which holds both parties
    EXPECT_EQ(fire("forward", reviewer_).status, 200u);
    EXPECT_EQ(
        server_->Send("POST", "/api/v1/requests/" + std::to_string(id) + "/answer", {{"decision", "yes"}}, steward_)
            .status,
        200u);
    const auto grant = server_->Get("/api/v1/requests/" + std::to_string(id), sjz_requester).Json()["grant_id"];
    EXPECT_TRUE(grant.is_string());
    return {grant.is_string() ? grant.get<std::string>() : std::string(), sjz_key};
  }

  std::shared_ptr<common::FakeClock> clock_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<exchange::DemoProvider> provider_;
  std::string catalog_, steward_, reviewer_, requester_;
  std::int64_t entry_ = 0;
};

TEST_F(LogicalAccess, Art16TheProviderRegistersItsInterfaceAndItsSecretIsNeverShown) {
  auto put = server_->Send("PUT", Path(), Registration(), steward_);
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_FALSE(put.Json().contains("secret"));
  EXPECT_EQ(put.Json()["auth"], "hmac");
  EXPECT_EQ(put.Json()["circuit"]["state"], "closed");
  auto got = server_->Get(Path(), reviewer_);  // the authority reads it
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(got.body.find(kSecret), std::string::npos);
  // Another department neither reads nor registers it (404: it does not see it).
  EXPECT_EQ(server_->Get(Path(), requester_).status, 404u);
  EXPECT_EQ(server_->Send("PUT", Path(), Registration(), requester_).status, 404u);
  // Re-registering without the secret keeps the secret registered before.
  json again = Registration();
  again.erase("secret");
  again["timeout_ms"] = 1500;
  ASSERT_EQ(server_->Send("PUT", Path(), again, steward_).status, 200u);
  auto fetched = Fetch(DemoId(true));
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  // The health check.
  auto check = server_->Send("POST", Path() + "/check", json::object(), steward_);
  ASSERT_EQ(check.status, 200u) << check.body;
  EXPECT_TRUE(check.Json()["healthy"].get<bool>());
}

TEST_F(LogicalAccess, BadRegistrationsAreRefusedWithACodeAndChangeNothing) {
  auto code = [&](const json& body) { return server_->Send("PUT", Path(), body, steward_).Json()["code"]; };
  json ftp = Registration();
  ftp["url"] = "ftp://127.0.0.1/x";
  EXPECT_EQ(code(ftp), "invalid_url");
  json no_secret = Registration();
  no_secret["secret"] = "short";
  EXPECT_EQ(code(no_secret), "invalid_auth");
  json bad_auth = Registration();
  bad_auth["auth"] = "basic";
  EXPECT_EQ(code(bad_auth), "invalid_auth");
  json bad_timeout = Registration();
  bad_timeout["timeout_ms"] = 5;
  EXPECT_EQ(code(bad_timeout), "invalid_timeout");
  json bad_map = Registration();
  bad_map["field_map"]["银行账号"] = "yhzh";
  EXPECT_EQ(code(bad_map), "unknown_item");
  json unknown = Registration();
  unknown["password"] = "x";
  EXPECT_EQ(code(unknown), "unknown_field");
  EXPECT_EQ(server_->Count("logical_endpoints"), 0);
}

TEST_F(LogicalAccess, Art16ThePlatformCallsTheProviderSignedAndMapsItsAnswer) {
  ASSERT_EQ(server_->Send("PUT", Path(), Registration(), steward_).status, 200u);
  const auto id = DemoId(true);
  auto found = Fetch(id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found.value().has_value());
  const auto expected = exchange::DemoDeathRecord(id);
  EXPECT_EQ(found.value()->at("公民身份号码"), id);
  EXPECT_EQ(found.value()->at("姓名"), expected->name);
  EXPECT_EQ(found.value()->at("死亡日期"), expected->date);
  EXPECT_EQ(found.value()->at("行政区划代码"), "130102");
  auto none = Fetch(DemoId(false));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().has_value());  // the provider has no record: 404, not an error
  // A wrong secret: the provider refuses the call, and the platform names the provider.
  json wrong = Registration();
  wrong["secret"] = "another-secret-0123456789";
  ASSERT_EQ(server_->Send("PUT", Path(), wrong, steward_).status, 200u);
  auto refused = Fetch(id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), "provider_unavailable");
  EXPECT_NE(refused.status().message().find("河北省公安厅"), std::string::npos);
}

TEST_F(LogicalAccess, AFailingProviderTripsTheCircuitBreakerAndATimeoutIsTold) {
  ASSERT_EQ(server_->Send("PUT", Path(), Registration(), steward_).status, 200u);
  const auto id = DemoId(true);
  provider_->SetFailing(true);
  for (int i = 0; i < exchange::LogicalClient::kTripAfter; ++i) {
    EXPECT_EQ(Fetch(id).status().code(), "provider_unavailable");
  }
  const long calls = provider_->calls();
  auto open = Fetch(id);
  EXPECT_EQ(open.status().code(), "provider_unavailable");
  EXPECT_EQ(provider_->calls(), calls);  // the circuit is open: the provider is not called
  EXPECT_EQ(server_->Get(Path(), steward_).Json()["circuit"]["state"], "open");
  provider_->SetFailing(false);
  clock_->Advance(exchange::LogicalClient::kOpenSeconds);
  auto trial = Fetch(id);  // half-open: one trial call, which succeeds and closes the circuit
  ASSERT_TRUE(trial.ok()) << trial.status().ToString();
  EXPECT_EQ(server_->Get(Path(), steward_).Json()["circuit"]["state"], "closed");
  // A provider slower than the registered timeout.
  json quick = Registration();
  quick["timeout_ms"] = 150;
  ASSERT_EQ(server_->Send("PUT", Path(), quick, steward_).status, 200u);
  provider_->SetDelay(600);
  auto slow = Fetch(id);
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), "provider_timeout");
}

TEST_F(LogicalAccess, Art16AConsumersLookupIsServedByTheProviderWithTheSameChecksMasksAndAudit) {
  ASSERT_EQ(server_->Send("PUT", Path(), Registration(), steward_).status, 200u);
  // 石家庄市公安局 asks for two items (not the division code) and is granted them, scoped to 1301.
  const auto [grant, sjz_key] = SjzGrant("lookup");
  const auto person = DemoId(true);  // a 长安区 (130102) number: inside 石家庄's scope
  auto r = server_->Request(
      "GET", fmt::format("/api/v1/data/{}/records/{}", entry_, person), "",
      {{"Authorization", "Bearer " + sjz_key}, {"X-Grant-Id", grant}, {"X-Business-Ref", "HJ-2026-0042"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto record = r.Json()["record"];
  EXPECT_EQ(record.size(), 2u);  // the division code was asked of the provider for the scope, but is not returned
  EXPECT_FALSE(record.contains("行政区划代码"));
  EXPECT_FALSE(record.contains("死亡日期"));
  EXPECT_EQ(record["姓名"].get<std::string>().substr(0, 3), exchange::DemoDeathRecord(person)->name.substr(0, 3));
  EXPECT_NE(record["姓名"].get<std::string>().find('*'), std::string::npos);  // masked
  EXPECT_NE(r.headers.count("x-audit-receipt"), 0u);
  // The provider fails: 502 naming it, audited, no data.
  provider_->SetFailing(true);
  auto failing = server_->Request(
      "GET", fmt::format("/api/v1/data/{}/records/{}", entry_, person), "",
      {{"Authorization", "Bearer " + sjz_key}, {"X-Grant-Id", grant}, {"X-Business-Ref", "HJ-2026-0043"}});
  EXPECT_EQ(failing.status, 502u);
  EXPECT_EQ(failing.Json()["code"], "provider_unavailable");
  EXPECT_NE(failing.headers.count("x-audit-receipt"), 0u);
}

TEST_F(LogicalAccess, Art21AChangeFeedOfALogicallyAccessedDatasetIsRefusedWithItsOwnCode) {
  // The provider's interface answers one key at a time and keeps no change feed: the platform says so, audited.
  ASSERT_EQ(server_->Send("PUT", Path(), Registration(), steward_).status, 200u);
  const auto [grant, sjz_key] = SjzGrant("subscribe");
  auto r =
      server_->Request("GET", fmt::format("/api/v1/data/{}/changes?since=0", entry_), "",
                       {{"Authorization", "Bearer " + sjz_key}, {"X-Grant-Id", grant}, {"X-Business-Ref", "HJ-1"}});
  EXPECT_EQ(r.status, 409u) << r.body;
  EXPECT_EQ(r.Json()["code"], "manner_not_supported_for_logical");
  EXPECT_NE(r.headers.count("x-audit-receipt"), 0u);
  EXPECT_EQ(server_->platform().data().UsageOf(grant).today, 0);  // refused before the quota
}

}  // namespace
}  // namespace govshare::testing
