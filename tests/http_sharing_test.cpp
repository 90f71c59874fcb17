// Sharing requests over HTTP (Art. 11, 14-17): the unconditional and conditional paths with their deadlines, refusal,
// objection and decision, routing up the region tree, and grants that never widen.
#include <gtest/gtest.h>

#include "support/catalog_fixtures.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

constexpr common::UnixSeconds k20260930Morning = 1790733600;  // 2026-09-30 10:00 +08:00
constexpr std::int64_t kProvincialHrss = 15;                  // 河北省人力资源和社会保障厅
constexpr std::int64_t kTangshanHealth = 28;                  // 唐山市卫生健康委员会
constexpr std::int64_t kTangshanAuthority = 3;
constexpr std::int64_t kZhengdingPsb = 33;       // 正定县公安局 (石家庄)
constexpr std::int64_t kZhengdingAuthority = 8;  // 正定县行政审批局

class Sharing : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<common::FakeClock>(k20260930Morning);
    server_ = std::make_unique<TestServer>(TestServer::Options{}, clock_);
    Relogin();
    hrss_app_ = server_->credentials()["applications"][0]["application_id"].get<std::int64_t>();
  }
  void Relogin() {
    catalog_ = server_->Login("catalog");      // 河北省公安厅 catalog manager
    steward_ = server_->Login("steward");      // 河北省公安厅 data steward: answers for the provider
    reviewer_ = server_->Login("reviewer");    // provincial authority
    requester_ = server_->Login("requester");  // 河北省人力资源和社会保障厅
  }
  std::string MakeUser(const std::string& username, std::int64_t department, const std::string& role) {
    const std::string password = "Test-password-123";
    auto made =
        server_->platform().org().BootstrapUser({username, username, department, {role}, std::nullopt}, password);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    auto res =
        server_->Request("POST", "/api/v1/auth/login", json{{"username", username}, {"password", password}}.dump());
    return res.Json()["token"].get<std::string>();
  }
  std::int64_t Publish(const json& content, const std::string& compiler, const std::string& reviewer) {
    auto created = server_->Send("POST", "/api/v1/catalog/entries", {{"content", content}}, compiler);
    EXPECT_EQ(created.status, 201u) << created.body;
    const auto id = created.Json()["id"].get<std::int64_t>();
    const std::string base = "/api/v1/catalog/entries/" + std::to_string(id);
    EXPECT_EQ(
        server_->Send("POST", base + "/submit", {{"entry_version", created.Json()["entry_version"]}}, compiler).status,
        200u);
    EXPECT_EQ(server_->Send("POST", base + "/review", {{"decision", "approve"}}, reviewer).status, 200u);
    return id;
  }
  json Request(std::int64_t entry, std::int64_t app, const std::string& manner = "lookup") {
    return ShareRequestBody(entry, app, manner);
  }
  HttpResponse Submit(const json& body, const std::string& token) {
    return server_->Send("POST", "/api/v1/requests", body, token);
  }
  json Case(std::int64_t id, const std::string& token) {
    return server_->Get("/api/v1/cases/" + std::to_string(id), token).Json()["case"];
  }
  HttpResponse Fire(std::int64_t case_id, const std::string& action, const std::string& comment,
                    const std::string& token) {
    const auto version = Case(case_id, token)["version"];
    return server_->Send("POST", "/api/v1/cases/" + std::to_string(case_id) + "/transitions",
                         {{"action", action}, {"comment", comment}, {"version", version}}, token);
  }
  json Get(std::int64_t request, const std::string& token) {
    return server_->Get("/api/v1/requests/" + std::to_string(request), token).Json();
  }

  std::shared_ptr<common::FakeClock> clock_;
  std::unique_ptr<TestServer> server_;
  std::string catalog_, steward_, reviewer_, requester_;
  std::int64_t hrss_app_ = 0;
};

TEST_F(Sharing, Art15UnconditionalDataIsGrantedAtOnceWithTheEntrysMasks) {
  json content = Content("居民身份证签发信息");
  content["share_type"] = "unconditional";
  content["share_condition"] = "";
  const auto entry = Publish(content, catalog_, reviewer_);
  auto submitted = Submit(Request(entry, hrss_app_), requester_);
  ASSERT_EQ(submitted.status, 201u) << submitted.body;
  const auto r = submitted.Json();
  EXPECT_EQ(r["state"], "granted");
  ASSERT_TRUE(r["grant_id"].is_string());
  EXPECT_EQ(Case(r["case_id"].get<std::int64_t>(), requester_)["type"], "share_unconditional");
  // The case opens with the declared scenario, the manner of use named in Chinese like the rest of the record.
  const auto opened = server_->Get("/api/v1/cases/" + std::to_string(r["case_id"].get<std::int64_t>()), requester_);
  EXPECT_EQ(opened.Json()["history"].front()["comment"],
            "用途：养老保险待遇资格认证；依据：《社会保险法》第七十三条；范围：全省养老保险待遇领取人员；方式：查询");
  auto grant = server_->Get("/api/v1/grants/" + r["grant_id"].get<std::string>(), requester_).Json();
  EXPECT_EQ(grant["status"], "active");
  EXPECT_EQ(grant["items"], json({"公民身份号码", "姓名"}));
  EXPECT_EQ(grant["masks"]["姓名"], "name");  // the data element's default mask (Art. 26)
  EXPECT_EQ(grant["masks"]["公民身份号码"], "resident_id");
  EXPECT_EQ(grant["manner"], "lookup");
  EXPECT_TRUE(grant["row_scope"].empty());  // a provincial department: the whole province
  EXPECT_EQ(grant["valid_to"], "2027-09-30T10:00:00+08:00");
  EXPECT_EQ(grant["scenario"]["purpose"], "养老保险待遇资格认证");
  // The grant and its request name the application they serve, for people reading them.
  const auto app_name = server_->credentials()["applications"][0]["name"];
  EXPECT_EQ(grant["application_name"], app_name);
  EXPECT_EQ(r["application_name"], app_name);
  // Listed for the consumer and for the provider.
  EXPECT_EQ(server_->Get("/api/v1/grants?as=consumer", requester_).Json()["items"].size(), 1u);
  EXPECT_EQ(server_->Get("/api/v1/grants?as=provider", steward_).Json()["items"].size(), 1u);
}

TEST_F(Sharing, Art15ConditionalRequestReviewedForwardedAnsweredAndProvided) {
  const auto entry = Publish(Content("常住人口基本信息"), catalog_, reviewer_);
  auto submitted = Submit(Request(entry, hrss_app_), requester_);
  ASSERT_EQ(submitted.status, 201u) << submitted.body;
  const auto id = submitted.Json()["id"].get<std::int64_t>();
  const auto case_id = submitted.Json()["case_id"].get<std::int64_t>();
  auto review = Case(case_id, reviewer_);
  EXPECT_EQ(review["state"], "routing");
  EXPECT_EQ(review["step"], "conditional_review");
  EXPECT_EQ(review["due_at"], "2026-10-10T23:59:59+08:00");  // 3 WD: 10-08, 10-09 and the make-up Saturday 10-10

  ASSERT_EQ(Fire(case_id, "forward", "", reviewer_).status, 200u);
  auto answering = Case(case_id, steward_);
  EXPECT_EQ(answering["state"], "answering");
  EXPECT_EQ(answering["step"], "conditional_answer");
  EXPECT_EQ(answering["due_at"], "2026-10-13T23:59:59+08:00");  // 5 WD
  EXPECT_EQ(Get(id, requester_)["state"], "answering");

  auto yes =
      server_->Send("POST", "/api/v1/requests/" + std::to_string(id) + "/answer", {{"decision", "yes"}}, steward_);
  ASSERT_EQ(yes.status, 200u) << yes.body;
  // The authority provides at once after a yes (configurable): the request is granted.
  const auto granted = Get(id, requester_);
  EXPECT_EQ(granted["state"], "granted");
  EXPECT_TRUE(granted["grant_id"].is_string());
  EXPECT_EQ(Case(case_id, requester_)["state"], "granted");
}

TEST_F(Sharing, Art15ARefusalNeedsReasonsAndAnObjectionLeadsToABindingDecision) {
  const auto entry = Publish(Content("常住人口基本信息"), catalog_, reviewer_);
  const auto r = Submit(Request(entry, hrss_app_), requester_).Json();
  const auto id = r["id"].get<std::int64_t>();
  const auto case_id = r["case_id"].get<std::int64_t>();
  ASSERT_EQ(Fire(case_id, "forward", "", reviewer_).status, 200u);
  const std::string answer = "/api/v1/requests/" + std::to_string(id) + "/answer";
  auto bare = server_->Send("POST", answer, {{"decision", "no"}}, steward_);
  EXPECT_EQ(bare.status, 422u);
  EXPECT_EQ(bare.Json()["code"], "reason_required");
  ASSERT_EQ(
      server_->Send("POST", answer, {{"decision", "no"}, {"reasons", "数据涉及在逃人员，暂不提供"}}, steward_).status,
      200u);
  auto refused = Get(id, requester_);
  EXPECT_EQ(refused["state"], "refused");
  EXPECT_EQ(refused["refusal_reasons"], "数据涉及在逃人员，暂不提供");

  const std::string objection = "/api/v1/requests/" + std::to_string(id) + "/objection";
  EXPECT_EQ(server_->Send("POST", objection, {{"reason", "履职需要"}}, steward_).status, 403u);
  ASSERT_EQ(server_->Send("POST", objection, {{"reason", "养老金发放须核验身份，属法定职责"}}, requester_).status,
            200u);
  EXPECT_EQ(Get(id, reviewer_)["state"], "coordination");
  // The authority orders sharing on narrower terms: fewer items, shorter validity.
  const std::string decision = "/api/v1/requests/" + std::to_string(id) + "/decision";
  auto wider = server_->Send(
      "POST", decision,
      {{"decision", "order"},
       {"reasons", "依法应当共享"},
       {"terms", {{"items", {"公民身份号码", "户籍地址"}}, {"validity_days", 90}, {"volume_per_day", 1000}}}},
      reviewer_);
  EXPECT_EQ(wider.status, 422u);
  EXPECT_EQ(wider.Json()["code"], "terms_wider");
  auto ordered =
      server_->Send("POST", decision,
                    {{"decision", "order"},
                     {"reasons", "依法应当共享，限定核验身份号码"},
                     {"terms", {{"items", {"公民身份号码"}}, {"validity_days", 90}, {"volume_per_day", 1000}}}},
                    reviewer_);
  ASSERT_EQ(ordered.status, 200u) << ordered.body;
  const auto done = Get(id, requester_);
  EXPECT_EQ(done["state"], "granted");
  EXPECT_EQ(done["decision"], "依法应当共享，限定核验身份号码");
  auto grant = server_->Get("/api/v1/grants/" + done["grant_id"].get<std::string>(), requester_).Json();
  EXPECT_EQ(grant["items"], json({"公民身份号码"}));
  EXPECT_EQ(grant["quota_per_day"], 1000);
  EXPECT_EQ(grant["valid_to"], "2026-12-29T10:00:00+08:00");
}

TEST_F(Sharing, Art15AProviderCannotAnswerARequestNotAddressedToIt) {
  const auto entry = Publish(Content("常住人口基本信息"), catalog_, reviewer_);
  const auto r = Submit(Request(entry, hrss_app_), requester_).Json();
  ASSERT_EQ(Fire(r["case_id"].get<std::int64_t>(), "forward", "", reviewer_).status, 200u);
  const auto other_steward = MakeUser("hrss.steward", kProvincialHrss, "data_steward");
  auto res = server_->Send("POST", "/api/v1/requests/" + std::to_string(r["id"].get<std::int64_t>()) + "/answer",
                           {{"decision", "yes"}}, other_steward);
  EXPECT_EQ(res.status, 403u) << res.body;
  EXPECT_EQ(Get(r["id"].get<std::int64_t>(), requester_)["state"], "answering");
  // A department that is not a party does not even see the request.
  const auto sjz = server_->Login("sjz.requester");
  EXPECT_EQ(server_->Get("/api/v1/requests/" + std::to_string(r["id"].get<std::int64_t>()), sjz).status, 404u);
}

TEST_F(Sharing, Art17ACountyRequestForAnotherCitysDataIsRoutedToTheProvince) {
  const auto ts_catalog = MakeUser("ts.catalog", kTangshanHealth, "catalog_manager");
  const auto ts_steward = MakeUser("ts.steward", kTangshanHealth, "data_steward");
  const auto ts_reviewer = MakeUser("ts.reviewer", kTangshanAuthority, "authority_reviewer");
  const auto zd_requester = MakeUser("zd.requester", kZhengdingPsb, "requester");
  const auto zd_reviewer = MakeUser("zd.reviewer", kZhengdingAuthority, "authority_reviewer");
  const auto sjz_head = server_->Login("sjz.head");
  const auto entry = Publish(Content("唐山市出生医学证明信息"), ts_catalog, ts_reviewer);
  org::Application app;
  app.department_id = kZhengdingPsb;
  app.name = "正定县户籍业务系统";
  org::Principal admin;
  admin.roles.Add(org::Role::kPlatformAdmin);
  auto created_app = server_->platform().org().CreateApplication(admin, app);
  ASSERT_TRUE(created_app.ok());

  auto submitted = Submit(Request(entry, created_app->id), zd_requester);
  ASSERT_EQ(submitted.status, 201u) << submitted.body;
  const auto case_id = submitted.Json()["case_id"].get<std::int64_t>();
  EXPECT_EQ(Case(case_id, zd_reviewer)["region_id"], "130123");  // submitted through the requester's own authority
  EXPECT_EQ(Fire(case_id, "forward", "", zd_reviewer).Json()["code"], "route_up_first");
  auto hop = Fire(case_id, "route_up", "", zd_reviewer);
  ASSERT_EQ(hop.status, 200u) << hop.body;
  EXPECT_EQ(Case(case_id, sjz_head)["region_id"], "130100");
  EXPECT_EQ(server_
                ->Send("POST", "/api/v1/cases/" + std::to_string(case_id) + "/transitions",
                       {{"action", "route_up"}, {"version", 2}}, zd_reviewer)
                .status,
            404u);  // no longer its authority's case
  ASSERT_EQ(Fire(case_id, "route_up", "", sjz_head).status, 200u);
  const auto at_province = Case(case_id, reviewer_);
  EXPECT_EQ(at_province["region_id"], "130000");  // the authority whose region contains both parties
  EXPECT_EQ(at_province["step"], "conditional_review");
  EXPECT_EQ(Fire(case_id, "route_up", "", reviewer_).Json()["code"], "route_not_needed");
  ASSERT_EQ(Fire(case_id, "forward", "", reviewer_).status, 200u);
  // Each hop is recorded in the history with who moved it.
  auto detail = server_->Get("/api/v1/cases/" + std::to_string(case_id), reviewer_).Json();
  int hops = 0;
  for (const auto& h : detail["history"]) hops += h["action"] == "route_up";
  EXPECT_EQ(hops, 2);
  const auto id = submitted.Json()["id"].get<std::int64_t>();
  ASSERT_EQ(
      server_->Send("POST", "/api/v1/requests/" + std::to_string(id) + "/answer", {{"decision", "yes"}}, ts_steward)
          .status,
      200u);
  const auto grant_id = Get(id, zd_requester)["grant_id"].get<std::string>();
  auto grant = server_->Get("/api/v1/grants/" + grant_id, zd_requester).Json();
  EXPECT_EQ(grant["row_scope"], json({"130123"}));  // the county's own jurisdiction
}

TEST_F(Sharing, Art11Art14RequestsAreValidatedAtSubmission) {
  const auto entry = Publish(Content("常住人口基本信息"), catalog_, reviewer_);
  auto code = [&](const json& body, const std::string& token) { return Submit(body, token).Json()["code"]; };
  json no_commitments = Request(entry, hrss_app_);
  no_commitments["accept_commitments"] = false;
  EXPECT_EQ(code(no_commitments, requester_), "commitments_required");
  json unknown_item = Request(entry, hrss_app_);
  unknown_item["items"] = {"银行账号"};
  EXPECT_EQ(code(unknown_item, requester_), "unknown_item");
  json bulk = Request(entry, hrss_app_, "bulk");  // the entry offers an API only
  EXPECT_EQ(code(bulk, requester_), "manner_not_offered");
  json vague = Request(entry, hrss_app_);
  vague["scenario"]["purpose"] = " ";
  EXPECT_EQ(code(vague, requester_), "scenario_incomplete");
  const auto psb_app = server_->credentials()["applications"][1]["application_id"].get<std::int64_t>();
  EXPECT_EQ(code(Request(entry, psb_app), requester_), "invalid_application");  // another department's system
  // Not shared: refused at submission with the legal basis (Art. 11).
  const auto listed = Publish(Content("重点人员信息"), catalog_, reviewer_);
  auto applied =
      server_->Send("POST", "/api/v1/catalog/entries/" + std::to_string(listed) + "/negative-list",
                    {{"kind", "list"}, {"legal_basis", "《反恐怖主义法》第四十八条"}, {"reason", "涉密"}}, catalog_);
  const auto nl_case = applied.Json()["case_id"].get<std::int64_t>();
  ASSERT_EQ(Fire(nl_case, "forward", "", reviewer_).status, 200u);
  ASSERT_EQ(Fire(nl_case, "approve", "", server_->Login("approver")).status, 200u);
  auto refused = Submit(Request(listed, hrss_app_), requester_);
  EXPECT_EQ(refused.status, 422u);
  EXPECT_EQ(refused.Json()["code"], "not_shared");
  EXPECT_NE(refused.Json()["detail"].get<std::string>().find("反恐怖主义法"), std::string::npos);
  EXPECT_EQ(server_->Count("share_requests"), 0);  // nothing stored for refused submissions
  // Only requesters ask; a provider does not request its own data.
  EXPECT_EQ(Submit(Request(entry, hrss_app_), steward_).status, 403u);
}

TEST_F(Sharing, AGrantCannotBeWidenedAndARevokedOrExpiredGrantNoLongerAllowsAccess) {
  json content = Content("居民身份证签发信息");
  content["share_type"] = "unconditional";
  content["share_condition"] = "";
  const auto entry = Publish(content, catalog_, reviewer_);
  const auto grant_id = Submit(Request(entry, hrss_app_), requester_).Json()["grant_id"].get<std::string>();
  auto& sharing = server_->platform().sharing();
  auto compiled = sharing.Compile(grant_id);
  ASSERT_NE(compiled, nullptr);
  const auto now = clock_->Now();
  EXPECT_EQ(compiled->Check(now, "lookup", {"姓名"}), "");
  EXPECT_EQ(compiled->Check(now, "bulk", {"姓名"}), "manner_not_granted");      // Art. 14: no other manner
  EXPECT_EQ(compiled->Check(now, "lookup", {"户籍地址"}), "item_not_granted");  // nor wider scope
  EXPECT_EQ(compiled->Check(now + 366 * 86400, "lookup", {"姓名"}), "grant_expired");

  // No route edits a grant, and the store refuses to widen one.
  EXPECT_EQ(server_->Send("PATCH", "/api/v1/grants/" + grant_id, {{"items", {"户籍地址"}}}, reviewer_).status, 405u);
  auto widened = server_->ExecSql("UPDATE grants SET items = '[\"公民身份号码\",\"姓名\",\"户籍地址\"]'");
  EXPECT_FALSE(widened.ok());

  // Suspension and revocation by the provider, with reasons; a revoked grant compiles to no access, for good.
  const std::string base = "/api/v1/grants/" + grant_id;
  EXPECT_EQ(server_->Send("POST", base + "/suspend", {{"reason", "核查调用异常"}}, requester_).status, 403u);
  ASSERT_EQ(server_->Send("POST", base + "/suspend", {{"reason", "核查调用异常"}}, steward_).status, 200u);
  EXPECT_EQ(sharing.Compile(grant_id)->Check(now, "lookup", {"姓名"}), "grant_suspended");
  ASSERT_EQ(server_->Send("POST", base + "/resume", {{"reason", "核查完毕"}}, steward_).status, 200u);
  EXPECT_EQ(sharing.Compile(grant_id)->Check(now, "lookup", {"姓名"}), "");
  ASSERT_EQ(server_->Send("POST", base + "/revoke", {{"reason", "超范围使用"}}, reviewer_).status, 200u);
  EXPECT_EQ(sharing.Compile(grant_id)->Check(now, "lookup", {"姓名"}), "grant_revoked");
  EXPECT_EQ(server_->Send("POST", base + "/resume", {{"reason", "恢复"}}, steward_).status, 409u);
  auto reopened = server_->ExecSql("UPDATE grants SET status = 'active'");
  EXPECT_FALSE(reopened.ok());
}

TEST_F(Sharing, Art15AnUnansweredRequestIsOverdueAndEscalated) {
  const auto entry = Publish(Content("常住人口基本信息"), catalog_, reviewer_);
  const auto r = Submit(Request(entry, hrss_app_), requester_).Json();
  const auto case_id = r["case_id"].get<std::int64_t>();
  ASSERT_EQ(Fire(case_id, "forward", "", reviewer_).status, 200u);
  clock_->Advance(15 * 86400);  // 2026-10-15, past the provider's 10-13 deadline
  Relogin();
  ASSERT_TRUE(server_->platform().cases().RunDeadlineMonitor().ok());
  EXPECT_TRUE(Case(case_id, reviewer_)["overdue"].get<bool>());
  auto inbox = server_->Get("/api/v1/inbox", reviewer_).Json();
  bool escalated = false;
  for (const auto& i : inbox["items"]) escalated = escalated || i["kind"] == "escalated";
  EXPECT_TRUE(escalated) << inbox.dump();
}

TEST_F(Sharing, Art15UnconditionalAndConditionalProvisionCanBeLeftToTheAuthority) {
  TestServer::Options options;
  options.config.sharing.auto_grant_unconditional = false;  // [sharing] in the configuration file
  options.config.sharing.auto_provide = false;
  server_ = std::make_unique<TestServer>(options, clock_);
  Relogin();
  hrss_app_ = server_->credentials()["applications"][0]["application_id"].get<std::int64_t>();

  json content = Content("居民身份证签发信息");
  content["share_type"] = "unconditional";
  content["share_condition"] = "";
  const auto unconditional = Publish(content, catalog_, reviewer_);
  const auto u = Submit(Request(unconditional, hrss_app_), requester_).Json();
  EXPECT_EQ(u["state"], "providing");
  EXPECT_TRUE(u["grant_id"].is_null());
  const auto u_case = u["case_id"].get<std::int64_t>();
  auto waiting = Case(u_case, reviewer_);
  EXPECT_EQ(waiting["step"], "unconditional_provide");
  EXPECT_EQ(waiting["due_at"], "2026-10-10T23:59:59+08:00");  // 3 WD
  ASSERT_EQ(Fire(u_case, "provide", "", reviewer_).status, 200u);
  EXPECT_TRUE(Get(u["id"].get<std::int64_t>(), requester_)["grant_id"].is_string());

  const auto conditional = Publish(Content("常住人口基本信息"), catalog_, reviewer_);
  const auto c = Submit(Request(conditional, hrss_app_), requester_).Json();
  const auto c_case = c["case_id"].get<std::int64_t>();
  ASSERT_EQ(Fire(c_case, "forward", "", reviewer_).status, 200u);
  const auto id = c["id"].get<std::int64_t>();
  ASSERT_EQ(server_->Send("POST", "/api/v1/requests/" + std::to_string(id) + "/answer", {{"decision", "yes"}}, steward_)
                .status,
            200u);
  EXPECT_EQ(Get(id, requester_)["state"], "providing");  // the authority provides, within 3 WD
  EXPECT_EQ(Case(c_case, reviewer_)["step"], "conditional_provide");
  ASSERT_EQ(Fire(c_case, "provide", "", reviewer_).status, 200u);
  EXPECT_EQ(Get(id, requester_)["state"], "granted");
}

TEST_F(Sharing, Art17RequestsForNationalDataAreMarkedForTheProvincialAuthority) {
  const auto sjz_requester = server_->Login("sjz.requester");  // 石家庄市公安局
  const auto sjz_head = server_->Login("sjz.head");
  std::int64_t sjz_app = 0;
  json sjz_app_name;
  for (const auto& a : server_->credentials()["applications"]) {
    if (a["department"] == "石家庄市公安局") {
      sjz_app = a["application_id"].get<std::int64_t>();
      sjz_app_name = a["name"];
    }
  }
  ASSERT_NE(sjz_app, 0);
  json body = Request(0, sjz_app, "verify");
  body.erase("entry_id");
  body["level"] = "national";
  body["holder"] = "公安部";
  body["resource"] = "全国人口基本信息资源库 — 身份核验";
  auto submit = [&](const json& b) { return server_->Send("POST", "/api/v1/requests/outward", b, sjz_requester); };
  auto submitted = submit(body);
  ASSERT_EQ(submitted.status, 201u) << submitted.body;
  const auto r = submitted.Json();
  EXPECT_EQ(r["state"], "reviewing");
  EXPECT_EQ(r["level"], "national");
  EXPECT_EQ(r["application_name"], sjz_app_name);
  const auto case_id = r["case_id"].get<std::int64_t>();
  const auto id = r["id"].get<std::int64_t>();
  const auto opened = Case(case_id, reviewer_);
  EXPECT_EQ(opened["region_id"], "130000");  // the provincial authority, whoever asks
  EXPECT_EQ(opened["type"], "share_outward");
  EXPECT_EQ(opened["step"], "conditional_review");
  EXPECT_EQ(opened["due_at"], "2026-10-10T23:59:59+08:00");  // 3 WD
  // The city authority sees it but does not act on it; the provincial authority does.
  EXPECT_EQ(server_->Get("/api/v1/requests/outward/" + std::to_string(id), sjz_head).status, 200u);
  EXPECT_EQ(server_
                ->Send("POST", "/api/v1/cases/" + std::to_string(case_id) + "/transitions",
                       {{"action", "forward_out"}, {"comment", "转报"}, {"version", 1}}, sjz_head)
                .status,
            404u);
  EXPECT_EQ(server_->Get("/api/v1/requests/outward/" + std::to_string(id), requester_).status, 404u);
  EXPECT_EQ(server_->Get("/api/v1/requests/outward?as=authority", reviewer_).Json()["items"].size(), 1u);
  EXPECT_EQ(server_->Get("/api/v1/requests/outward?as=requester", sjz_requester).Json()["items"].size(), 1u);
  // Forwarding and recording the answer need a comment: where it went, what came back.
  EXPECT_EQ(Fire(case_id, "forward_out", "", reviewer_).status, 422u);
  ASSERT_EQ(Fire(case_id, "forward_out", "已通过国家数据共享交换平台转报，编号 GJ-2026-0193", reviewer_).status, 200u);
  auto forwarded = server_->Get("/api/v1/requests/outward/" + std::to_string(id), sjz_requester).Json();
  EXPECT_EQ(forwarded["state"], "forwarded");
  EXPECT_EQ(forwarded["forward_reference"], "已通过国家数据共享交换平台转报，编号 GJ-2026-0193");
  ASSERT_EQ(Fire(case_id, "record_answer", "公安部同意，经国家平台核验接口提供", reviewer_).status, 200u);
  auto answered = server_->Get("/api/v1/requests/outward/" + std::to_string(id), sjz_requester).Json();
  EXPECT_EQ(answered["state"], "answered");
  EXPECT_EQ(answered["outcome"], "公安部同意，经国家平台核验接口提供");

  // Bad input: 4xx with a code, nothing stored.
  const auto before = server_->Count("outward_requests");
  json bad_level = body;
  bad_level["level"] = "municipal";
  EXPECT_EQ(submit(bad_level).Json()["code"], "invalid_level");
  json no_holder = body;
  no_holder["holder"] = " ";
  EXPECT_EQ(submit(no_holder).Json()["code"], "holder_and_resource_required");
  json no_commitments = body;
  no_commitments["accept_commitments"] = false;
  EXPECT_EQ(submit(no_commitments).Json()["code"], "commitments_required");
  json no_purpose = body;
  no_purpose["scenario"]["purpose"] = "";
  EXPECT_EQ(submit(no_purpose).Json()["code"], "scenario_incomplete");
  EXPECT_EQ(server_->Count("outward_requests"), before);

  // An unreviewed one is overdue after 3 WD and escalated.
  const auto late = submit(body).Json()["case_id"].get<std::int64_t>();
  clock_->Advance(15 * 86400);
  Relogin();
  ASSERT_TRUE(server_->platform().cases().RunDeadlineMonitor().ok());
  EXPECT_TRUE(Case(late, reviewer_)["overdue"].get<bool>());
}

}  // namespace
}  // namespace govshare::testing
