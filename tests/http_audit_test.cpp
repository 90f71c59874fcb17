// The audit log over HTTP: every state change and every attempt is recorded with a receipt; anyone can check a record
// against a signed tree head offline; only auditors read records (Art. 14, 25, 27, 30).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.hpp"
#include "common/crypto.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;

std::vector<audit::Hash> Hashes(const json& array) {
  std::vector<audit::Hash> out;
  for (const auto& h : array) out.push_back(audit::FromHex(h.get<std::string>()).value());
  return out;
}

TEST(HttpAudit, AuditorsPageTheRecordsNewestFirstOrOldestFirst) {
  TestServer s;
  const auto auditor = s.Login("auditor");
  for (const char* user : {"admin", "reviewer", "requester"}) s.Login(user);  // three more login records
  const auto size = s.platform().audit().size();
  ASSERT_GE(size, 4u);
  auto indexes = [](const json& page) {
    std::vector<std::uint64_t> out;
    for (const auto& r : page["items"]) out.push_back(r["leaf_index"].get<std::uint64_t>());
    return out;
  };
  auto first = s.Get("/api/v1/audit/records?order=desc&limit=2", auditor).Json();
  EXPECT_EQ(indexes(first), (std::vector<std::uint64_t>{size - 1, size - 2}));
  ASSERT_EQ(first["next_cursor"], std::to_string(size - 3));
  auto second =
      s.Get("/api/v1/audit/records?order=desc&limit=2&cursor=" + first["next_cursor"].get<std::string>(), auditor)
          .Json();
  EXPECT_EQ(indexes(second), (std::vector<std::uint64_t>{size - 3, size - 4}));
  // The last page ends at leaf 0 without a cursor; oldest first (the default) is unchanged.
  auto last = s.Get("/api/v1/audit/records?order=desc&limit=200&cursor=1", auditor).Json();
  EXPECT_EQ(indexes(last), (std::vector<std::uint64_t>{1, 0}));
  EXPECT_TRUE(last["next_cursor"].is_null());
  EXPECT_EQ(indexes(s.Get("/api/v1/audit/records?limit=2", auditor).Json()), (std::vector<std::uint64_t>{0, 1}));
  auto bad = s.Get("/api/v1/audit/records?order=newest", auditor);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["code"], "invalid_parameter");
}

TEST(HttpAudit, Art30EveryChangeAndAttemptIsRecordedAndProvableAgainstASignedHead) {
  TestServer s;
  auto failed = s.Request("POST", "/api/v1/auth/login", json{{"username", "steward"}, {"password", "Wrong-1"}}.dump());
  EXPECT_EQ(failed.status, 401);
  ASSERT_FALSE(failed.headers["x-audit-receipt"].empty()) << "a denied attempt is recorded too";
  const auto admin = s.Login("admin");
  auto created = s.Send("POST", "/api/v1/applications", {{"department_id", 11}, {"name", "审计测试应用"}}, admin);
  ASSERT_EQ(created.status, 201);
  const auto receipt = std::stoull(created.headers["x-audit-receipt"]);

  // Only auditors read records; the record names who did what, allowed.
  const auto auditor = s.Login("auditor");
  EXPECT_EQ(s.Get("/api/v1/audit/records", admin).status, 403);
  auto record = s.Get("/api/v1/audit/records/" + std::to_string(receipt), auditor).Json();
  EXPECT_EQ(record["actor_name"], "admin");
  EXPECT_EQ(record["action"], "POST /api/v1/applications");
  EXPECT_EQ(record["decision"], "allow");
  auto denied = s.Get("/api/v1/audit/records?decision=deny", auditor).Json();
  ASSERT_FALSE(denied["items"].empty());
  EXPECT_EQ(denied["items"][0]["actor_name"], "steward");
  EXPECT_EQ(denied["items"][0]["reason"], "invalid_credentials");

  // Any user checks it offline: head signature with the public key, then the inclusion proof against the head.
  EXPECT_EQ(s.Get("/api/v1/audit/sth", auditor).status, 404) << "no head signed yet";
  ASSERT_TRUE(s.platform().audit().SignNewHead().ok());
  const auto requester = s.Login("requester");
  const auto key = s.Get("/api/v1/audit/key", requester).Json()["public_key"].get<std::string>();
  const auto sth = s.Get("/api/v1/audit/sth", requester).Json();
  audit::SignedTreeHead head{sth["tree_size"].get<std::uint64_t>(),
                             audit::FromHex(sth["root_hash"].get<std::string>()).value(),
                             sth["timestamp_ms"].get<std::int64_t>(), sth["signature"].get<std::string>()};
  EXPECT_TRUE(audit::VerifyTreeHead(head, key));
  auto proof = s.Get("/api/v1/audit/proof/inclusion?leaf_index=" + std::to_string(receipt) +
                         "&tree_size=" + std::to_string(head.tree_size),
                     requester)
                   .Json();
  const auto leaf = audit::FromHex(proof["leaf_hash"].get<std::string>()).value();
  EXPECT_EQ(leaf, audit::LeafHash(audit::Encode(s.platform().audit().Get(receipt)->record)));
  EXPECT_TRUE(audit::VerifyInclusion(leaf, receipt, head.tree_size, Hashes(proof["audit_path"]), head.root));
  EXPECT_EQ(s.Get("/api/v1/audit/proof/inclusion?leaf_index=999&tree_size=3", requester).status, 400);

  // The log only grows: an older head is a prefix of a newer one.
  s.Send("POST", "/api/v1/auth/logout", nullptr, requester);
  ASSERT_TRUE(s.platform().audit().SignNewHead().ok());
  const auto newer = s.platform().audit().LatestHead().value();
  auto consistency = s.Get("/api/v1/audit/proof/consistency?first=" + std::to_string(head.tree_size) +
                               "&second=" + std::to_string(newer.tree_size),
                           auditor)
                         .Json();
  EXPECT_TRUE(audit::VerifyConsistency(head.tree_size, newer.tree_size, head.root, newer.root,
                                       Hashes(consistency["consistency_path"])));
  std::ostringstream report;
  const auto verified = s.platform().postgres() != nullptr
                            ? audit::AuditLog::VerifyPostgres(*s.platform().postgres(), report)
                            : audit::AuditLog::Verify(s.data_dir() + "/data", report);
  EXPECT_TRUE(verified.ok()) << report.str();
}

TEST(HttpAudit, ReadsAreNotRecordedAsChanges) {
  TestServer s;
  const auto admin = s.Login("admin");
  const auto before = s.platform().audit().size();
  EXPECT_EQ(s.Get("/api/v1/departments", admin).status, 200);
  EXPECT_TRUE(s.Get("/api/v1/departments", admin).headers["x-audit-receipt"].empty());
  EXPECT_EQ(s.platform().audit().size(), before);
}

}  // namespace
}  // namespace govshare::testing

namespace govshare::testing {
namespace {

// Art. 25, 30: no traceable record, no action. With the audit store failing, a change is refused and nothing changes.
TEST(HttpAudit, Art30WhenTheAuditLogCannotBeWrittenTheActionFailsClosedAndChangesNothing) {
  TestServer s;
  const auto admin = s.Login("admin");
  const auto before = s.Count("applications");
  s.platform().audit().InjectFailureForTesting(true);
  auto refused = s.Send("POST", "/api/v1/applications", {{"department_id", 11}, {"name", "未留痕应用"}}, admin);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.Json()["code"], "audit_unavailable");
  EXPECT_EQ(s.Count("applications"), before);
  s.platform().audit().InjectFailureForTesting(false);
  auto accepted = s.Send("POST", "/api/v1/applications", {{"department_id", 11}, {"name", "未留痕应用"}}, admin);
  EXPECT_EQ(accepted.status, 201);
  EXPECT_EQ(s.Count("applications"), before + 1);
  // Intent and outcome are both recorded.
  const auto receipt = std::stoull(accepted.headers["x-audit-receipt"]);
  EXPECT_EQ(s.platform().audit().Get(receipt - 1)->record.decision, "intent");
  EXPECT_EQ(s.platform().audit().Get(receipt)->record.decision, "allow");
}

}  // namespace
}  // namespace govshare::testing

namespace govshare::testing {
namespace {

constexpr std::string_view kLookupBody = R"({"name":"张三","id_number":"11010519491231002X"})";

/// Test-only routes: a data lookup recorded once per request (AuditPolicy::kOutcome) with its data-access detail, a
/// change that counts how often its handler ran, and an unaudited read on the blocking pool.
struct TestRoutes {
  std::shared_ptr<std::atomic<int>> changes = std::make_shared<std::atomic<int>>(0);

  void Add(http::Router& router, http::Access access) const {
    http::Route lookup;
    lookup.method = boost::beast::http::verb::get;
    lookup.pattern = "/api/v1/test/lookup/{key}";
    lookup.access = access;
    lookup.audit = http::AuditPolicy::kOutcome;
    lookup.handler = [](http::Context& ctx) {
      ctx.Json(200, std::string(kLookupBody));
      ctx.audit.grant_id = "g-42";
      ctx.audit.scenario = "养老保险待遇资格认证";
      ctx.audit.business_ref = "SB-2026-000123";
      ctx.audit.fields = "name,id_number";
      ctx.audit.row_count = 1;
      ctx.audit.hash_body = true;
    };
    router.Add(std::move(lookup));

    http::Route change;
    change.method = boost::beast::http::verb::post;
    change.pattern = "/api/v1/test/change";
    change.access = http::Access::kPublic;
    change.exec = http::Exec::kBlocking;
    change.handler = [n = changes](http::Context& ctx) {
      n->fetch_add(1);
      ctx.NoContent();
    };
    router.Add(std::move(change));

    http::Route probe;
    probe.method = boost::beast::http::verb::get;
    probe.pattern = "/api/v1/test/probe";
    probe.access = http::Access::kPublic;
    probe.exec = http::Exec::kBlocking;
    probe.handler = [](http::Context& ctx) { ctx.Json(200, "{}"); };
    router.Add(std::move(probe));
  }
};

TestServer::Options WithRoutes(const TestRoutes& routes, http::Access lookup_access) {
  TestServer::Options options;
  options.routes = [routes, lookup_access](http::Router& router) { routes.Add(router, lookup_access); };
  return options;
}

// Issue 7's reads: one durable record per lookup, written after the handler with the grant, scenario, fields, row
// count and the hash of exactly the content returned; the receipt names it.
TEST(HttpAudit, Art30AnOutcomeRouteRecordsEveryReadOnceWithTheHandlersDetail) {
  TestRoutes routes;
  TestServer s(WithRoutes(routes, http::Access::kAuthenticated));
  const auto admin = s.Login("admin");
  const auto before = s.platform().audit().size();
  auto read = s.Get("/api/v1/test/lookup/11010519491231002X", admin);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body, kLookupBody);
  ASSERT_FALSE(read.headers["x-audit-receipt"].empty());
  EXPECT_EQ(s.platform().audit().size(), before + 1) << "exactly one record, no intent";
  const auto receipt = std::stoull(read.headers["x-audit-receipt"]);
  const auto record = s.platform().audit().Get(receipt).value().record;
  EXPECT_EQ(record.action, "GET /api/v1/test/lookup/{key}");
  EXPECT_EQ(record.target, "/api/v1/test/lookup/11010519491231002X");
  EXPECT_EQ(record.decision, "allow");
  EXPECT_EQ(record.actor_name, "admin");
  EXPECT_EQ(record.grant_id, "g-42");
  EXPECT_EQ(record.scenario, "养老保险待遇资格认证");
  EXPECT_EQ(record.business_ref, "SB-2026-000123");
  EXPECT_EQ(record.fields, "name,id_number");
  EXPECT_EQ(record.row_count, 1);
  EXPECT_EQ(record.content_hash, common::Sha256Hex(read.body));
  EXPECT_EQ(record.request_id, read.headers["x-request-id"]);

  // A refused lookup is recorded too, once, as a denial without content.
  auto refused = s.Get("/api/v1/test/lookup/1", "not-a-token");
  EXPECT_EQ(refused.status, 401);
  const auto denial = s.platform().audit().Get(std::stoull(refused.headers["x-audit-receipt"])).value().record;
  EXPECT_EQ(denial.decision, "deny");
  EXPECT_TRUE(denial.content_hash.empty());
  EXPECT_EQ(s.platform().audit().size(), before + 2);
}

// Art. 25, 30: no record, no data. A read whose record cannot be made durable answers 503 without its data; a change
// whose intent cannot be recorded never runs.
TEST(HttpAudit, Art30WhenTheAuditLogFailsAnOutcomeRouteReturnsNoDataAndAChangeDoesNotRun) {
  TestRoutes routes;
  TestServer s(WithRoutes(routes, http::Access::kPublic));
  const auto before = s.platform().audit().size();
  s.platform().audit().InjectFailureForTesting(true);
  auto read = s.Request("GET", "/api/v1/test/lookup/11010519491231002X");
  EXPECT_EQ(read.status, 503);
  EXPECT_EQ(read.Json()["code"], "audit_unavailable");
  EXPECT_EQ(read.body.find("张三"), std::string::npos) << read.body;
  EXPECT_TRUE(read.headers["x-audit-receipt"].empty());
  auto change = s.Request("POST", "/api/v1/test/change", "{}");
  EXPECT_EQ(change.status, 503);
  EXPECT_EQ(change.Json()["code"], "audit_unavailable");
  EXPECT_EQ(routes.changes->load(), 0) << "the handler must not run without its intent record";
  EXPECT_EQ(s.platform().audit().size(), before);

  s.platform().audit().InjectFailureForTesting(false);
  EXPECT_EQ(s.Request("GET", "/api/v1/test/lookup/1").status, 200);
  EXPECT_EQ(s.Request("POST", "/api/v1/test/change", "{}").status, 204);
  EXPECT_EQ(routes.changes->load(), 1);
  EXPECT_EQ(s.platform().audit().size(), before + 3);
}

// Waiting for an audit commit holds no thread: with one blocking thread and commits slowed to 500 ms, 64 audited
// requests in flight finish together in a few commits (holding a thread each, they would take 96 commits, ~48 s),
// and a blocking handler still runs at once meanwhile.
TEST(HttpAudit, WaitingForSlowAuditCommitsHoldsNoThread) {
  constexpr int kRequests = 64;
  constexpr auto kCommitDelay = std::chrono::milliseconds(500);
  TestRoutes routes;
  auto options = WithRoutes(routes, http::Access::kPublic);
  options.blocking_threads = 1;
  TestServer s(std::move(options));
  const auto before = s.platform().audit().size();
  s.platform().audit().SetCommitDelayForTesting(kCommitDelay);

  const auto start = std::chrono::steady_clock::now();
  std::vector<HttpResponse> responses(kRequests);
  std::vector<std::thread> clients;
  for (int i = 0; i < kRequests; ++i) {
    clients.emplace_back([&, i] {
      responses[i] = i % 2 == 0 ? s.Request("GET", "/api/v1/test/lookup/" + std::to_string(i))
                                : s.Request("POST", "/api/v1/test/change", "{}");
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto probe_start = std::chrono::steady_clock::now();
  EXPECT_EQ(s.Request("GET", "/api/v1/test/probe").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - probe_start, kCommitDelay)
      << "the only blocking thread is free while requests wait for the audit log";
  for (auto& t : clients) t.join();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  s.platform().audit().SetCommitDelayForTesting(std::chrono::milliseconds(0));

  std::set<std::string> receipts;
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(responses[i].status, i % 2 == 0 ? 200U : 204U) << responses[i].body;
    receipts.insert(responses[i].headers["x-audit-receipt"]);
  }
  EXPECT_EQ(receipts.size(), static_cast<std::size_t>(kRequests));
  EXPECT_EQ(routes.changes->load(), kRequests / 2);
  EXPECT_EQ(s.platform().audit().size(), before + kRequests / 2 + kRequests);  // one per read, two per change
  EXPECT_LT(elapsed, 20 * kCommitDelay) << "requests waited for the audit log one after another";
}

}  // namespace
}  // namespace govshare::testing
