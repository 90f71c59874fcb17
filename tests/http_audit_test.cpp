// The audit log over HTTP: every state change and every attempt is recorded with a receipt; anyone can check a record
// against a signed tree head offline; only auditors read records (Art. 14, 25, 27, 30).
#include <gtest/gtest.h>

#include <sstream>

#include "audit/audit_log.hpp"
#include "support/test_server.hpp"

namespace govshare::testing {
namespace {

using nlohmann::json;

std::vector<audit::Hash> Hashes(const json& array) {
  std::vector<audit::Hash> out;
  for (const auto& h : array) out.push_back(audit::FromHex(h.get<std::string>()).value());
  return out;
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
  EXPECT_TRUE(audit::AuditLog::Verify(s.data_dir() + "/data", report).ok()) << report.str();
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
