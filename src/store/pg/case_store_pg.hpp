#pragma once

#include "store/pg/database.hpp"
#include "workflow/case_store.hpp"

namespace govshare::store::pg {

/// CaseStore on the main PostgreSQL database (migration 3), with the semantics of store::sqlite::SqliteCaseStore (the
/// conformance suite src/store/case_store_conformance_test.cpp runs the same tests on both). A transition and
/// everything it causes (history, inbox, webhook outbox, idempotency record, parent extension, the capability's domain
/// change) commit in one SERIALIZABLE transaction, so that two nodes transitioning one case cannot both succeed: the
/// loser sees the new version and gets version_conflict. A transaction PostgreSQL retries runs the domain change from a
/// fresh copy of the caller's function, so state the function keeps between calls starts over with each attempt.
class PgCaseStore final : public workflow::CaseStore {
 public:
  explicit PgCaseStore(Database& db) : db_(db) {}

  common::Status CreateCase(workflow::Case& c, const workflow::HistoryEntry& history,
                            const std::vector<workflow::InboxItem>& notify,
                            const workflow::OpenChange& domain_change) override;
  common::Result<std::optional<workflow::Case>> GetCase(std::int64_t id) override;
  common::Result<std::vector<workflow::Case>> ListCases(const workflow::CaseFilter& filter,
                                                        const org::PageRequest& page) override;
  common::Result<std::vector<workflow::HistoryEntry>> History(std::int64_t case_id) override;
  common::Result<std::vector<workflow::Case>> OpenSubCases(std::int64_t parent_id) override;
  common::Status ApplyTransition(const workflow::TransitionWrite& write) override;
  common::Result<std::optional<std::int64_t>> FindIdempotent(const std::string& key, std::int64_t actor_id) override;
  common::Status AddAttachment(workflow::Attachment& a, const workflow::HistoryEntry& history) override;
  common::Result<std::vector<workflow::Attachment>> Attachments(std::int64_t case_id) override;
  common::Result<std::vector<workflow::Case>> CasesDueBefore(workflow::UnixSeconds until) override;
  common::Status MarkReminded(std::int64_t case_id, const std::vector<workflow::InboxItem>& notify) override;
  common::Status MarkOverdue(const workflow::OverdueEvidence& evidence,
                             const std::vector<workflow::InboxItem>& notify) override;
  common::Result<std::vector<workflow::OverdueEvidence>> ListOverdueEvidence(
      std::optional<std::int64_t> case_id) override;
  common::Result<workflow::DeadlineCompliance> CountDeadlineCompliance(const std::vector<std::string>& types) override;
  common::Result<std::vector<workflow::DepartmentOverdue>> CountOverdueByDepartment() override;
  common::Status CreateWebhook(workflow::Webhook& w) override;
  common::Result<std::vector<workflow::Webhook>> ListWebhooks(std::int64_t department_id) override;
  common::Status DeactivateWebhook(std::int64_t department_id, std::int64_t webhook_id) override;
  common::Result<std::vector<workflow::Delivery>> DueDeliveries(workflow::UnixSeconds now, int limit) override;
  common::Status RecordAttempt(std::int64_t delivery_id, bool delivered, std::optional<std::int64_t> status,
                               std::optional<std::string> error, std::optional<workflow::UnixSeconds> next_attempt_at,
                               workflow::UnixSeconds now) override;
  common::Result<std::vector<workflow::Delivery>> ListDeliveries(std::int64_t webhook_id,
                                                                 const org::PageRequest& page) override;
  common::Result<std::vector<workflow::InboxItem>> ListInbox(std::int64_t user_id, std::int64_t department_id,
                                                             bool unread_only, const org::PageRequest& page) override;
  common::Status MarkInboxRead(std::int64_t item_id, std::int64_t user_id, std::int64_t department_id,
                               workflow::UnixSeconds at) override;

 private:
  Database& db_;
};

}  // namespace govshare::store::pg
