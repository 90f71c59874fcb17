// The case engine over HTTP: deadlines on the working-day calendar, transitions with roles, parties and reasons,
// optimistic concurrency, idempotency, extensions, the deadline monitor and the inbox; the calendar and rules API.
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <thread>

#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;
using org::Role;
using workflow::OnDeadline;
using workflow::Party;

constexpr common::UnixSeconds k20260930Morning = 1790733600;  // 2026-09-30 10:00 +08:00
constexpr std::int64_t kProvincialPsb = 11;                   // 河北省公安厅 in the demo organisation

/// A catalog-review-like case type (Art. 8, 9): the authority reviews within 10 WD; a return needs reasons.
workflow::CaseType ReviewType() {
  workflow::CaseType t;
  t.id = "test_review";
  t.name = "测试审核";
  t.initial_state = "submitted";
  t.final_states = {"published"};
  t.transitions = {{"approve", "submitted", "published", {Role::kAuthorityReviewer}, false},
                   {"return", "submitted", "returned", {Role::kAuthorityReviewer}, true},
                   {"resubmit", "returned", "submitted", {Role::kCatalogManager}, false}};
  t.waits = {{"submitted", Party::kAuthority, "catalog_review", OnDeadline::kEscalate},
             {"returned", Party::kRequester, "", OnDeadline::kMarkOverdue}};
  return t;
}

/// An update case (Art. 9): the department updates within 10 WD, extendable once by 10 WD with consent.
workflow::CaseType UpdateType() {
  workflow::CaseType t;
  t.id = "test_update";
  t.name = "测试更新";
  t.initial_state = "updating";
  t.final_states = {"done"};
  t.transitions = {{"finish", "updating", "done", {Role::kCatalogManager}, false}};
  t.waits = {{"updating", Party::kRequester, "catalog_update", OnDeadline::kMarkOverdue}};
  t.extendable_step = "catalog_update";
  return t;
}

class Cases : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<common::FakeClock>(k20260930Morning);
    server_ = std::make_unique<TestServer>(TestServer::Options{}, clock_);
    ASSERT_TRUE(server_->platform().cases().RegisterType(ReviewType()).ok());
    ASSERT_TRUE(server_->platform().cases().RegisterType(UpdateType()).ok());
  }
  std::int64_t Open(const std::string& type) {
    workflow::NewCase n;
    n.type = type;
    n.subject = "人口基础信息目录";
    n.reference = "catalog_entry:1";
    n.requester_department_id = kProvincialPsb;
    n.region_id = "130000";
    auto c = server_->platform().cases().Open(nullptr, n);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? c->id : 0;
  }
  HttpResponse Fire(std::int64_t id, const std::string& user, const std::string& action, std::int64_t version,
                    const std::string& comment = "", const std::string& key = "") {
    std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + Token(user)}};
    if (!key.empty()) headers["Idempotency-Key"] = key;
    json body = {{"action", action}, {"version", version}};
    if (!comment.empty()) body["comment"] = comment;
    return server_->Request("POST", "/api/v1/cases/" + std::to_string(id) + "/transitions", body.dump(), headers);
  }
  json Case(std::int64_t id, const std::string& user = "reviewer") {
    return server_->Get("/api/v1/cases/" + std::to_string(id), Token(user)).Json();
  }
  /// Moves time; sessions (8 h) do not survive the jump, so users log in again.
  void Advance(std::int64_t seconds) {
    clock_->Advance(seconds);
    tokens_.clear();
  }
  const std::string& Token(const std::string& user) {
    auto it = tokens_.find(user);
    if (it == tokens_.end()) it = tokens_.emplace(user, server_->Login(user)).first;
    return it->second;
  }
  std::shared_ptr<common::FakeClock> clock_;
  std::unique_ptr<TestServer> server_;
  std::map<std::string, std::string> tokens_;
};

TEST_F(Cases, Art9ReviewIsDueTenWorkingDaysAfterReceiptAcrossNationalDay) {
  const auto id = Open("test_review");
  const auto c = Case(id)["case"];
  EXPECT_EQ(c["state"], "submitted");
  EXPECT_EQ(c["step"], "catalog_review");
  EXPECT_EQ(c["article"], "9");
  // Received 2026-09-30; 10-01..10-07 are off, 10-10 is a make-up Saturday: the 10th working day is 10-20.
  EXPECT_EQ(c["due_at"], "2026-10-20T23:59:59+08:00");
  EXPECT_EQ(c["responsible_department_id"], 1) << "the provincial authority reviews";
  // The authority's inbox has the task.
  auto inbox = server_->Get("/api/v1/inbox", Token("reviewer")).Json();
  ASSERT_FALSE(inbox["items"].empty());
  EXPECT_EQ(inbox["items"][0]["kind"], "assigned");
  // The message is for people: the deadline reads as a local date and time, with the article that sets it.
  const std::string message = inbox["items"][0]["message"];
  EXPECT_NE(message.find("截止 2026-10-20 23:59（第9条）"), std::string::npos) << message;
}

TEST_F(Cases, Art8AReturnNeedsReasonsAndTheRightRoleAndParty) {
  const auto id = Open("test_review");
  auto no_reason = Fire(id, "reviewer", "return", 1);
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_EQ(no_reason.Json()["code"], "reason_required");
  EXPECT_EQ(Fire(id, "head", "approve", 1).status, 403) << "authority_head is not a reviewer";
  EXPECT_EQ(Fire(id, "catalog", "approve", 1).status, 403) << "the requester does not review itself";
  // 石家庄's reviewer is an authority reviewer, but not for a provincial case.
  EXPECT_EQ(Fire(id, "sjz.head", "approve", 1).status, 404) << "not even visible outside its region";
  EXPECT_EQ(Fire(id, "reviewer", "publish", 1).Json()["code"], "invalid_transition");
  auto returned = Fire(id, "reviewer", "return", 1, "缺少共享条件");
  ASSERT_EQ(returned.status, 200) << returned.body;
  EXPECT_EQ(returned.Json()["case"]["state"], "returned");
  EXPECT_EQ(returned.Json()["case"]["responsible_department_id"], kProvincialPsb);
  EXPECT_EQ(returned.Json()["history"].back()["comment"], "缺少共享条件");
  // Nothing changed by the refused attempts: open + return.
  EXPECT_EQ(returned.Json()["history"].size(), 2u);
}

TEST_F(Cases, AStaleVersionIsRefused) {
  const auto id = Open("test_review");
  ASSERT_EQ(Fire(id, "reviewer", "return", 1, "补充").status, 200);
  auto stale = Fire(id, "catalog", "resubmit", 1);
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.Json()["code"], "version_conflict");
  EXPECT_EQ(Fire(id, "catalog", "resubmit", 2).status, 200);
}

TEST_F(Cases, AReplayedIdempotencyKeyGivesTheSameResultWithoutASecondTransition) {
  const auto id = Open("test_review");
  auto first = Fire(id, "reviewer", "approve", 1, "", "key-1");
  ASSERT_EQ(first.status, 200) << first.body;
  auto replay = Fire(id, "reviewer", "approve", 1, "", "key-1");
  EXPECT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(replay.Json()["case"]["version"], first.Json()["case"]["version"]);
  EXPECT_EQ(Case(id)["history"].size(), 2u);
  EXPECT_EQ(Case(id)["case"]["state"], "published");
}

TEST_F(Cases, ConcurrentTransitionsOnOneCaseExactlyOneWins) {
  const auto id = Open("test_review");
  Token("reviewer");
  std::vector<unsigned> statuses(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      statuses[i] =
          i % 2 ? Fire(id, "reviewer", "approve", 1).status : Fire(id, "reviewer", "return", 1, "并发退回").status;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200u), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409u), 7);
  EXPECT_EQ(Case(id)["history"].size(), 2u);
}

TEST_F(Cases, Art9ExtensionMovesTheDeadlineOnceAndASecondIsRefused) {
  const auto id = Open("test_update");
  EXPECT_EQ(Case(id, "catalog")["case"]["due_at"], "2026-10-20T23:59:59+08:00");
  const auto ext_path = "/api/v1/cases/" + std::to_string(id) + "/extensions";
  EXPECT_EQ(server_->Send("POST", ext_path, {{"reason", ""}}, Token("catalog")).status, 400);
  EXPECT_EQ(server_->Send("POST", ext_path, {{"reason", "法规修订"}}, Token("requester")).status, 404)
      << "another department cannot even see the case";
  auto ext = server_->Send("POST", ext_path, {{"reason", "法规修订，需重新梳理信息项"}}, Token("catalog"));
  ASSERT_EQ(ext.status, 201) << ext.body;
  const auto ext_id = ext.Json()["case"]["id"].get<std::int64_t>();
  EXPECT_EQ(server_->Send("POST", ext_path, {{"reason", "再次"}}, Token("catalog")).Json()["code"],
            "extension_pending");
  auto approved = Fire(ext_id, "head", "approve", 1);
  ASSERT_EQ(approved.status, 200) << approved.body;
  // 10 more working days after 10-20: 10-21..10-23, 10-26..10-30, 11-02, 11-03.
  const auto parent = Case(id, "catalog")["case"];
  EXPECT_EQ(parent["due_at"], "2026-11-03T23:59:59+08:00");
  EXPECT_EQ(parent["extensions_used"], 1);
  auto second = server_->Send("POST", ext_path, {{"reason", "还需要时间"}}, Token("catalog"));
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(second.Json()["code"], "extension_limit");
}

TEST_F(Cases, DeadlineMonitorRemindsMarksOverdueAndCatchesUpAfterDowntime) {
  const auto id = Open("test_review");
  auto& cases = server_->platform().cases();
  ASSERT_TRUE(cases.RunDeadlineMonitor().ok());
  const auto before = Case(id);
  ASSERT_TRUE(before.contains("case")) << before.dump();
  EXPECT_FALSE(before["case"]["reminded"].get<bool>());
  // 2026-10-19 10:00: the due day 10-20 is one working day away → a reminder, once.
  Advance(19 * 86400);
  ASSERT_EQ(cases.RunDeadlineMonitor().value(), 1);
  EXPECT_TRUE(Case(id)["case"]["reminded"].get<bool>());
  EXPECT_EQ(cases.RunDeadlineMonitor().value(), 0);
  // The server "was down" until 2026-10-23 10:00: the first pass after it marks the case overdue with evidence.
  Advance(4 * 86400);
  ASSERT_EQ(cases.RunDeadlineMonitor().value(), 1);
  const auto c = Case(id)["case"];
  EXPECT_TRUE(c["overdue"].get<bool>());
  auto evidence = cases.Evidence(*server_->platform().org().Authenticate(Token("reviewer")), id);
  ASSERT_TRUE(evidence.ok());
  ASSERT_EQ(evidence->size(), 1u);
  EXPECT_EQ(evidence->at(0).step, "catalog_review");
  EXPECT_EQ(evidence->at(0).working_days_late, 3) << "10-21, 10-22 and 10-23 are working days";
  EXPECT_EQ(evidence->at(0).responsible_department_id, 1);
  EXPECT_EQ(cases.RunDeadlineMonitor().value(), 0) << "evidence is recorded once";
  // Escalated: the authority's inbox has an 'escalated' item; overdue cases are listed as such.
  auto inbox = server_->Get("/api/v1/inbox?unread=true", Token("head")).Json();
  bool escalated = false;
  for (const auto& i : inbox["items"]) escalated |= i["kind"] == "escalated";
  EXPECT_TRUE(escalated);
  auto overdue = server_->Get("/api/v1/cases?overdue=true", Token("reviewer")).Json();
  ASSERT_EQ(overdue["items"].size(), 1u);
  EXPECT_EQ(overdue["items"][0]["id"], id);
}

TEST_F(Cases, ListsAreScopedToTheViewersPartiesAndInboxItemsCanBeRead) {
  const auto id = Open("test_review");
  EXPECT_EQ(server_->Get("/api/v1/cases", Token("catalog")).Json()["items"].size(), 1u);
  EXPECT_EQ(server_->Get("/api/v1/cases", Token("requester")).Json()["items"].size(), 0u);
  EXPECT_EQ(server_->Get("/api/v1/cases", Token("sjz.head")).Json()["items"].size(), 0u);
  EXPECT_EQ(server_->Get("/api/v1/cases/" + std::to_string(id), Token("requester")).status, 404);
  EXPECT_EQ(server_->Get("/api/v1/cases?mine=true", Token("reviewer")).Json()["items"].size(), 1u);
  EXPECT_EQ(server_->Get("/api/v1/cases?mine=true", Token("catalog")).Json()["items"].size(), 0u);
  auto inbox = server_->Get("/api/v1/inbox", Token("reviewer")).Json();
  const auto item = inbox["items"][0]["id"].get<std::int64_t>();
  EXPECT_EQ(server_->Send("POST", "/api/v1/inbox/" + std::to_string(item) + "/read", nullptr, Token("reviewer")).status,
            204);
  EXPECT_EQ(server_->Send("POST", "/api/v1/inbox/" + std::to_string(item) + "/read", nullptr, Token("catalog")).status,
            404);
  EXPECT_TRUE(server_->Get("/api/v1/inbox?unread=true", Token("reviewer")).Json()["items"].empty());
}

TEST_F(Cases, CalendarAndRulesApi) {
  const auto& t = Token("requester");
  auto due = server_->Get("/api/v1/calendar/add-working-days?from=2026-09-30&days=3", t).Json();
  EXPECT_EQ(due["date"], "2026-10-10");
  EXPECT_EQ(server_->Get("/api/v1/calendar/years/2026", t).Json()["working_days"], 248);
  EXPECT_EQ(server_->Get("/api/v1/calendar/working-days?from=2026-09-30&to=2026-10-10", t).Json()["working_days"], 3);
  auto missing = server_->Get("/api/v1/calendar/add-working-days?from=2031-01-05&days=1", t);
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(missing.Json()["code"], "calendar_year_missing");
  EXPECT_EQ(server_->Get("/api/v1/calendar/add-working-days?from=2026-02-30&days=1", t).status, 400);
  EXPECT_EQ(server_->Get("/api/v1/calendar/add-working-days?from=2026-09-30&days=0", t).status, 400);
  auto rules = server_->Get("/api/v1/rules", t).Json();
  EXPECT_EQ(rules["pack"], "hebei-2022");
  EXPECT_EQ(rules["steps"].size(), 8u);
}

TEST_F(Cases, AnAdministratorInstallsANewYearWithoutARestart) {
  json y2027 = {{"year", 2027}, {"source", "测试"}, {"holidays", {"2027-01-01"}}, {"makeup_workdays", json::array()}};
  EXPECT_EQ(server_->Send("PUT", "/api/v1/calendar/years/2027", y2027, Token("requester")).status, 403);
  json bad = y2027;
  bad["makeup_workdays"] = {"2027-01-06"};  // a Wednesday
  auto refused = server_->Send("PUT", "/api/v1/calendar/years/2027", bad, Token("admin"));
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.Json()["code"], "makeup_not_weekend");
  EXPECT_EQ(server_->Get("/api/v1/calendar/years/2027", Token("admin")).status, 422) << "nothing was installed";
  auto installed = server_->Send("PUT", "/api/v1/calendar/years/2027", y2027, Token("admin"));
  ASSERT_EQ(installed.status, 200) << installed.body;
  EXPECT_EQ(installed.Json()["holidays"], json::array({"2027-01-01"}));
  EXPECT_EQ(server_->Get("/api/v1/calendar/add-working-days?from=2026-12-31&days=1", Token("admin")).Json()["date"],
            "2027-01-04");
  // Kept for the next start (a file of the data directory, or a row every PostgreSQL node loads).
  server_->Restart();
  EXPECT_EQ(server_->Get("/api/v1/calendar/add-working-days?from=2026-12-31&days=1", Token("admin")).Json()["date"],
            "2027-01-04")
      << "the year is kept for the next start";
}

}  // namespace
}  // namespace govshare::testing

namespace govshare::testing {
namespace {

TEST_F(Cases, ADomainChangeCommitsWithTheTransitionOrNotAtAll) {
  ASSERT_TRUE(server_->ExecSql("CREATE TABLE test_published (case_id BIGINT PRIMARY KEY)").ok());
  const auto id = Open("test_review");
  const auto reviewer = server_->platform().org().Authenticate(Token("reviewer")).value();
  // The domain change writes in the transition's transaction, on whichever backend the platform has.
  auto publish = [id](store::Transaction& tx) {
    const std::string insert = "INSERT INTO test_published(case_id) VALUES (" + std::to_string(id) + ")";
    if (auto* sqlite = dynamic_cast<store::sqlite::SqliteTransaction*>(&tx)) {
      sqlite->connection.Exec(insert);
    } else {
      dynamic_cast<store::pg::PgTransaction&>(tx).connection.Exec(insert);
    }
    return common::Status::Ok();
  };
  // A domain change that fails after writing: neither its row nor the transition remains.
  workflow::TransitionRequest failing{"approve",
                                      "",
                                      1,
                                      std::nullopt,
                                      [&](store::Transaction& tx) {
                                        publish(tx);
                                        return common::Status::Unprocessable("rule", "the entry is incomplete");
                                      },
                                      nullptr};
  auto refused = server_->platform().cases().Fire(reviewer, id, failing);
  EXPECT_EQ(refused.status().code(), "rule");
  EXPECT_EQ(Case(id)["case"]["state"], "submitted");
  EXPECT_EQ(server_->Count("test_published"), 0);
  // The same change succeeding commits with the transition.
  workflow::TransitionRequest ok{"approve", "", 1, std::nullopt, publish, nullptr};
  auto done = server_->platform().cases().Fire(reviewer, id, ok);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->state, "published");
  EXPECT_EQ(server_->Count("test_published"), 1);
}

TEST_F(Cases, PartiesAttachFilesThatAreKeptByHashAndRecordedInTheHistory) {
  const auto id = Open("test_review");
  const std::string path = "/api/v1/cases/" + std::to_string(id) + "/attachments";
  const std::string letter = "关于人口基础信息目录的补充说明";
  auto up = server_->Request("POST", path + "?filename=%E8%AF%B4%E6%98%8E.txt", letter,
                             {{"Authorization", "Bearer " + Token("catalog")}, {"Content-Type", "text/plain"}});
  ASSERT_EQ(up.status, 201) << up.body;
  const auto attachments = up.Json()["attachments"];
  ASSERT_EQ(attachments.size(), 1u);
  EXPECT_EQ(attachments[0]["filename"], "说明.txt");
  EXPECT_EQ(attachments[0]["size"], letter.size());
  EXPECT_EQ(up.Json()["history"].back()["action"], "attach");
  const auto aid = attachments[0]["id"].get<std::int64_t>();
  auto down = server_->Get(path + "/" + std::to_string(aid), Token("reviewer"));
  EXPECT_EQ(down.status, 200);
  EXPECT_EQ(down.body, letter);
  EXPECT_EQ(down.headers["x-content-sha256"], attachments[0]["sha256"]);
  // Bad names, empty files, outsiders and unknown attachments are refused.
  auto bad = server_->Request("POST", path + "?filename=..%2Fetc%2Fpasswd", "x",
                              {{"Authorization", "Bearer " + Token("catalog")}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["code"], "invalid_filename");
  EXPECT_EQ(
      server_->Request("POST", path + "?filename=a.txt", "", {{"Authorization", "Bearer " + Token("catalog")}}).status,
      400);
  EXPECT_EQ(server_->Request("POST", path + "?filename=a.txt", "x", {{"Authorization", "Bearer " + Token("requester")}})
                .status,
            404);
  EXPECT_EQ(server_->Get(path + "/999", Token("reviewer")).status, 404);
  EXPECT_EQ(Case(id)["attachments"].size(), 1u);
}

}  // namespace
}  // namespace govshare::testing

namespace govshare::testing {
namespace {

/// A stand-in for a department's system: records webhook requests and answers with the statuses queued.
class Receiver {
 public:
  Receiver() : authorizer_(regions_) {
    router_.Add({boost::beast::http::verb::post, "/hook", http::Access::kPublic, std::nullopt, http::Exec::kInline,
                 [this](http::Context& ctx) {
                   std::lock_guard lock(mutex_);
                   std::map<std::string, std::string> headers;
                   for (const auto& f : ctx.request) headers[std::string(f.name_string())] = std::string(f.value());
                   received_.push_back({headers, ctx.request.body()});
                   const unsigned status = statuses_.empty() ? 200 : statuses_.front();
                   if (!statuses_.empty()) statuses_.erase(statuses_.begin());
                   ctx.Json(status, "{}");
                 }});
    http::Server::Options options;
    options.listen = "127.0.0.1:0";
    options.http.io_threads = 1;
    server_ = std::make_unique<http::Server>(
        options, router_, metrics_, [](const std::string&) { return common::Result<org::Principal>(org::Principal{}); },
        authorizer_, nullptr);
    EXPECT_TRUE(server_->Start().ok());
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook"; }
  void Answer(std::vector<unsigned> statuses) {
    std::lock_guard lock(mutex_);
    statuses_ = std::move(statuses);
  }
  struct Request {
    std::map<std::string, std::string> headers;
    std::string body;
  };
  std::vector<Request> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  org::RegionTree regions_;
  org::Authorizer authorizer_;
  http::Router router_;
  http::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::mutex mutex_;
  std::vector<unsigned> statuses_;
  std::vector<Request> received_;
};

TEST_F(Cases, WebhooksAreSignedRetriedWithBackoffAndLogged) {
  Receiver receiver;
  const std::string hooks = "/api/v1/departments/1/webhooks";
  // A data steward manages only its own department's webhooks; an administrator any.
  EXPECT_EQ(server_->Send("POST", hooks, {{"url", receiver.Url()}}, Token("steward")).status, 403);
  EXPECT_EQ(server_->Send("POST", hooks, {{"url", "ftp://example/x"}}, Token("admin")).Json()["code"], "invalid_url");
  auto created = server_->Send("POST", hooks, {{"url", receiver.Url()}}, Token("admin"));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto secret = created.Json()["secret"].get<std::string>();
  const auto hook_id = created.Json()["webhook"]["id"].get<std::int64_t>();
  EXPECT_EQ(server_->Get(hooks, Token("admin")).body.find(secret), std::string::npos) << "the secret is shown once";

  Open("test_review");  // the provincial authority (department 1) is told: one delivery queued
  auto& webhooks = server_->platform().webhooks();
  receiver.Answer({500});
  ASSERT_EQ(webhooks.DeliverDue().value(), 1);
  const std::string log = hooks + "/" + std::to_string(hook_id) + "/deliveries";
  auto first = server_->Get(log, Token("admin")).Json()["items"][0];
  EXPECT_EQ(first["status"], "pending");
  EXPECT_EQ(first["attempts"], 1);
  EXPECT_EQ(first["last_status"], 500);
  EXPECT_EQ(webhooks.DeliverDue().value(), 0) << "the retry waits for its backoff";
  Advance(workflow::WebhookService::Backoff(1));
  ASSERT_EQ(webhooks.DeliverDue().value(), 1);
  auto delivered = server_->Get(log, Token("admin")).Json()["items"][0];
  EXPECT_EQ(delivered["status"], "delivered");
  EXPECT_EQ(delivered["attempts"], 2);

  const auto requests = receiver.received();
  ASSERT_EQ(requests.size(), 2u);
  const auto& last = requests.back();
  const auto timestamp = std::stoll(last.headers.at("X-Govshare-Timestamp"));
  EXPECT_EQ(last.headers.at("X-Govshare-Signature"), workflow::WebhookService::Signature(secret, timestamp, last.body));
  EXPECT_EQ(last.headers.at("X-Govshare-Event"), "assigned");
  EXPECT_EQ(json::parse(last.body)["department_id"], 1);
}

TEST_F(Cases, AnUnreachableWebhookIsGivenUpAfterItsAttemptsAndARemovedOneGetsNothing) {
  const std::string hooks = "/api/v1/departments/1/webhooks";
  // Port 9 (discard) on loopback: nothing listens, so every attempt fails at once.
  auto created = server_->Send("POST", hooks, {{"url", "http://127.0.0.1:9/hook"}}, Token("admin"));
  ASSERT_EQ(created.status, 201);
  const auto hook_id = created.Json()["webhook"]["id"].get<std::int64_t>();
  Open("test_review");
  auto& webhooks = server_->platform().webhooks();
  for (int attempt = 1; attempt <= workflow::WebhookService::kMaxAttempts; ++attempt) {
    ASSERT_EQ(webhooks.DeliverDue().value(), 1) << "attempt " << attempt;
    Advance(workflow::WebhookService::Backoff(attempt));
  }
  EXPECT_EQ(webhooks.DeliverDue().value(), 0);
  const std::string path = hooks + "/" + std::to_string(hook_id);
  auto given_up = server_->Get(path + "/deliveries", Token("admin")).Json()["items"][0];
  EXPECT_EQ(given_up["status"], "failed");
  EXPECT_EQ(given_up["attempts"], workflow::WebhookService::kMaxAttempts);
  EXPECT_FALSE(given_up["last_error"].is_null());
  EXPECT_EQ(server_->Send("DELETE", path, nullptr, Token("admin")).status, 204);
  Open("test_review");
  EXPECT_EQ(webhooks.DeliverDue().value(), 0) << "a removed webhook is not called";
}

}  // namespace
}  // namespace govshare::testing
