#pragma once

#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "org/org_store.hpp"
#include "store/transaction.hpp"
#include "workflow/case_model.hpp"

namespace govshare::workflow {

struct CaseFilter {
  std::optional<std::string> type;
  std::optional<std::string> state;
  std::optional<bool> overdue;
  std::optional<UnixSeconds> due_before;
  bool open_only = false;
  /// Visibility: cases where one of these departments is requester, provider or responsible ...
  std::optional<std::int64_t> department_id;
  /// ... or whose region is one of these (authorities see their region and below). Both empty: everything.
  std::optional<std::vector<std::string>> region_ids;
  std::optional<std::int64_t> responsible_department_id;  // "mine": waiting for this department
};

/// A transition as one atomic write: the case's new fields (checked against `expected_version`), its history entry,
/// the notifications it causes, the idempotency record, and for an approved extension the parent's new deadline.
struct TransitionWrite {
  Case updated;
  std::int64_t expected_version = 0;
  HistoryEntry history;
  std::vector<InboxItem> notifications;
  std::optional<std::string> idempotency_key;
  struct ParentExtension {
    std::int64_t parent_id = 0;
    UnixSeconds new_due_at = 0;
    int max_extensions = 0;
  };
  std::optional<ParentExtension> extend_parent;
  DomainChange domain_change;
};

/// Deadline compliance of a set of cases (the dashboard, Art. 28): each case is counted once — `escalated` if its
/// authority was told of a missed deadline, else `overdue` if a step missed its deadline, else `on_time`.
struct DeadlineCompliance {
  std::int64_t on_time = 0;
  std::int64_t overdue = 0;
  std::int64_t escalated = 0;
};

/// How many cases missed a deadline while a department was responsible for the late step.
struct DepartmentOverdue {
  std::int64_t department_id = 0;
  std::string department_name;
  std::int64_t cases = 0;
};

/// A case's or an inbox item's value of the sort field (see org::SortValueOf); a case without a due time sorts as the
/// largest integer, last when ascending.
inline org::SortValue SortValueOf(const Case& c, org::SortField f) {
  switch (f) {
    case org::SortField::kType:
      return c.type;
    case org::SortField::kState:
      return c.state;
    case org::SortField::kSubject:
      return c.subject;
    case org::SortField::kDueAt:
      return c.due_at.value_or(std::numeric_limits<std::int64_t>::max());
    case org::SortField::kCreatedAt:
      return c.created_at;
    case org::SortField::kUpdatedAt:
      return c.updated_at;
    default:
      return c.id;
  }
}

inline org::SortValue SortValueOf(const InboxItem& i, org::SortField f) {
  switch (f) {
    case org::SortField::kKind:
      return i.kind;
    case org::SortField::kCreatedAt:
      return i.created_at;
    default:
      return i.id;
  }
}

/// Storage of cases, their history, overdue evidence and inboxes. Thread-safe; writes are durable on return.
class CaseStore {
 public:
  virtual ~CaseStore() = default;

  virtual common::Status CreateCase(Case& c, const HistoryEntry& history, const std::vector<InboxItem>& notify,
                                    const OpenChange& domain_change = nullptr) = 0;
  virtual common::Result<std::optional<Case>> GetCase(std::int64_t id) = 0;
  virtual common::Result<std::vector<Case>> ListCases(const CaseFilter& filter, const org::PageRequest& page) = 0;
  virtual common::Result<std::vector<HistoryEntry>> History(std::int64_t case_id) = 0;
  virtual common::Result<std::vector<Case>> OpenSubCases(std::int64_t parent_id) = 0;
  /// Fails with version_conflict if the case changed, duplicate_request if the idempotency key was used, and
  /// extension_limit if the parent has no extension left.
  virtual common::Status ApplyTransition(const TransitionWrite& write) = 0;
  /// The case a (key, actor) pair was used for, if any.
  virtual common::Result<std::optional<std::int64_t>> FindIdempotent(const std::string& key, std::int64_t actor_id) = 0;

  /// Records an attachment and its history entry ("attach") in one write; sets the attachment's id.
  virtual common::Status AddAttachment(Attachment& a, const HistoryEntry& history) = 0;
  virtual common::Result<std::vector<Attachment>> Attachments(std::int64_t case_id) = 0;

  /// Open cases with a due time before `until` that still need a reminder or an overdue mark.
  virtual common::Result<std::vector<Case>> CasesDueBefore(UnixSeconds until) = 0;
  virtual common::Status MarkReminded(std::int64_t case_id, const std::vector<InboxItem>& notify) = 0;
  /// Marks the case overdue and records the evidence once per (case, step, due time).
  virtual common::Status MarkOverdue(const OverdueEvidence& evidence, const std::vector<InboxItem>& notify) = 0;
  virtual common::Result<std::vector<OverdueEvidence>> ListOverdueEvidence(std::optional<std::int64_t> case_id) = 0;
  /// Platform-wide aggregates for the dashboard: the compliance of the cases of these types, and the cases that were
  /// late per responsible department (most first).
  virtual common::Result<DeadlineCompliance> CountDeadlineCompliance(const std::vector<std::string>& types) = 0;
  virtual common::Result<std::vector<DepartmentOverdue>> CountOverdueByDepartment() = 0;

  virtual common::Status CreateWebhook(Webhook& w) = 0;  // sets id
  virtual common::Result<std::vector<Webhook>> ListWebhooks(std::int64_t department_id) = 0;
  virtual common::Status DeactivateWebhook(std::int64_t department_id, std::int64_t webhook_id) = 0;
  /// Pending deliveries whose next attempt is due, oldest first, with their webhook's url and secret.
  virtual common::Result<std::vector<Delivery>> DueDeliveries(UnixSeconds now, int limit) = 0;
  /// Records an attempt: delivered, or the next attempt time, or failed when `next_attempt_at` is empty.
  virtual common::Status RecordAttempt(std::int64_t delivery_id, bool delivered, std::optional<std::int64_t> status,
                                       std::optional<std::string> error, std::optional<UnixSeconds> next_attempt_at,
                                       UnixSeconds now) = 0;
  virtual common::Result<std::vector<Delivery>> ListDeliveries(std::int64_t webhook_id,
                                                               const org::PageRequest& page) = 0;

  virtual common::Result<std::vector<InboxItem>> ListInbox(std::int64_t user_id, std::int64_t department_id,
                                                           bool unread_only, const org::PageRequest& page) = 0;
  virtual common::Status MarkInboxRead(std::int64_t item_id, std::int64_t user_id, std::int64_t department_id,
                                       UnixSeconds at) = 0;
};

}  // namespace govshare::workflow
