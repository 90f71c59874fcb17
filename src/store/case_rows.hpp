#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "common/json.hpp"
#include "store/rows.hpp"
#include "store/sort_columns.hpp"
#include "workflow/case_store.hpp"

namespace govshare::store {

// The rows of the case store as every backend selects, reads and writes them: one column list, one reader and one
// writer per row type, function templates over the backend's statement type (store::sqlite::Statement,
// store::pg::Statement: both have Bind and Int/Text/OptText/OptInt), so that the SQLite and PostgreSQL case stores
// cannot drift apart in what they store and return. Only the SQL around the columns (placeholders, flag tests, list
// parameters, conflict clauses) is each backend's own.

inline constexpr const char* kCaseColumns =
    "id, type, state, subject, reference, parent_id, requester_department_id, provider_department_id, region_id, "
    "step, step_started_at, due_at, responsible_department_id, reminded, overdue, extensions_used, created_by, "
    "created_at, updated_at, closed_at, version";

template <typename Row>
workflow::Case ReadCase(const Row& s) {
  workflow::Case c;
  c.id = s.Int(0);
  c.type = s.Text(1);
  c.state = s.Text(2);
  c.subject = s.Text(3);
  c.reference = s.OptText(4);
  c.parent_id = s.OptInt(5);
  c.requester_department_id = s.Int(6);
  c.provider_department_id = s.OptInt(7);
  c.region_id = s.Text(8);
  c.step = s.OptText(9);
  c.step_started_at = s.OptInt(10);
  c.due_at = s.OptInt(11);
  c.responsible_department_id = s.OptInt(12);
  c.reminded = ReadFlag(s, 13);
  c.overdue = ReadFlag(s, 14);
  c.extensions_used = static_cast<int>(s.Int(15));
  c.created_by = s.Int(16);
  c.created_at = s.Int(17);
  c.updated_at = s.Int(18);
  c.closed_at = s.OptInt(19);
  c.version = s.Int(20);
  return c;
}

// The refusals of CaseStore::ApplyTransition, the same on every backend.

inline common::Status CaseVersionConflict() {
  return common::Status::Conflict("version_conflict", "the case was changed by someone else; reload and try again",
                                  "/version");
}

inline common::Status DuplicateRequest() {
  return common::Status::Conflict("duplicate_request", "this Idempotency-Key was already used");
}

inline common::Status ExtensionLimit() {
  return common::Status::Conflict("extension_limit", "the case has used all its extensions or is closed");
}

// Row writers: the parameters of an insert or update, numbered in the order of its column list, bound the same way on
// either statement type (a flag binds as 0/1 on SQLite, as a boolean on PostgreSQL).

/// The columns a new case sets; the others take their defaults (flags false, no extension used, version 1).
inline constexpr const char* kNewCaseColumns =
    "type, state, subject, reference, parent_id, requester_department_id, provider_department_id, region_id, step, "
    "step_started_at, due_at, responsible_department_id, created_by, created_at, updated_at";

template <typename Stmt>
void BindNewCase(Stmt& s, const workflow::Case& c) {
  s.Bind(1, c.type)
      .Bind(2, c.state)
      .Bind(3, c.subject)
      .Bind(4, c.reference)
      .Bind(5, c.parent_id)
      .Bind(6, c.requester_department_id)
      .Bind(7, c.provider_department_id)
      .Bind(8, c.region_id)
      .Bind(9, c.step)
      .Bind(10, c.step_started_at)
      .Bind(11, c.due_at)
      .Bind(12, c.responsible_department_id)
      .Bind(13, c.created_by)
      .Bind(14, c.created_at)
      .Bind(15, c.updated_at);
}

/// The parameters of a transition's version-checked update: state, step, step_started_at, due_at,
/// responsible_department_id, reminded, overdue, updated_at, closed_at, region_id (1-10), then the case id (11) and the
/// expected version (12).
template <typename Stmt>
void BindTransition(Stmt& s, const workflow::TransitionWrite& w) {
  const workflow::Case& u = w.updated;
  s.Bind(1, u.state)
      .Bind(2, u.step)
      .Bind(3, u.step_started_at)
      .Bind(4, u.due_at)
      .Bind(5, u.responsible_department_id)
      .Bind(6, u.reminded)
      .Bind(7, u.overdue)
      .Bind(8, u.updated_at)
      .Bind(9, u.closed_at)
      .Bind(10, u.region_id)
      .Bind(11, u.id)
      .Bind(12, w.expected_version);
}

/// The parameters of an approved extension's update of the parent: the new due time (1), the time of the transition
/// (2), the parent's id (3) and the most extensions it may have used before (4).
template <typename Stmt>
void BindExtension(Stmt& s, const workflow::TransitionWrite& w) {
  s.Bind(1, w.extend_parent->new_due_at)
      .Bind(2, w.updated.updated_at)
      .Bind(3, w.extend_parent->parent_id)
      .Bind(4, w.extend_parent->max_extensions);
}

/// A history entry of case `case_id`, in the order of kHistoryColumns.
template <typename Stmt>
void BindHistory(Stmt& s, const workflow::HistoryEntry& h, std::int64_t case_id) {
  s.Bind(1, case_id)
      .Bind(2, h.actor_id)
      .Bind(3, h.actor_role)
      .Bind(4, h.action)
      .Bind(5, h.from_state)
      .Bind(6, h.to_state)
      .Bind(7, h.comment)
      .Bind(8, h.at);
}

inline constexpr const char* kNewInboxColumns = "user_id, department_id, case_id, kind, message, created_at";

template <typename Stmt>
void BindInboxItem(Stmt& s, const workflow::InboxItem& i, std::int64_t case_id) {
  s.Bind(1, i.user_id)
      .Bind(2, i.department_id)
      .Bind(3, case_id)
      .Bind(4, i.kind)
      .Bind(5, i.message)
      .Bind(6, i.created_at);
}

inline constexpr const char* kNewAttachmentColumns =
    "case_id, filename, content_type, size, sha256, uploaded_by, uploaded_at";

template <typename Stmt>
void BindAttachment(Stmt& s, const workflow::Attachment& a) {
  s.Bind(1, a.case_id)
      .Bind(2, a.filename)
      .Bind(3, a.content_type)
      .Bind(4, a.size)
      .Bind(5, a.sha256)
      .Bind(6, a.uploaded_by)
      .Bind(7, a.uploaded_at);
}

/// Overdue evidence, in the order of kEvidenceColumns.
template <typename Stmt>
void BindEvidence(Stmt& s, const workflow::OverdueEvidence& e) {
  s.Bind(1, e.case_id)
      .Bind(2, e.step)
      .Bind(3, e.responsible_department_id)
      .Bind(4, e.due_at)
      .Bind(5, e.detected_at)
      .Bind(6, e.working_days_late);
}

/// The sort fields of the case list; a case without a due time sorts last when ascending (workflow::SortValueOf).
inline common::Result<std::string_view> CaseSortColumn(org::SortField field) {
  return SortColumn({{org::SortField::kId, "id"},
                     {org::SortField::kType, "type"},
                     {org::SortField::kState, "state"},
                     {org::SortField::kSubject, "subject"},
                     {org::SortField::kDueAt, "COALESCE(due_at, 9223372036854775807)"},
                     {org::SortField::kCreatedAt, "created_at"},
                     {org::SortField::kUpdatedAt, "updated_at"}},
                    field);
}

inline constexpr const char* kHistoryColumns =
    "case_id, actor_id, actor_role, action, from_state, to_state, comment, at";

template <typename Row>
workflow::HistoryEntry ReadHistory(const Row& s) {
  return {s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6), s.Int(7)};
}

inline constexpr const char* kAttachmentColumns =
    "id, case_id, filename, content_type, size, sha256, uploaded_by, uploaded_at";

template <typename Row>
workflow::Attachment ReadAttachment(const Row& s) {
  return {s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Int(4), s.Text(5), s.Int(6), s.Int(7)};
}

inline constexpr const char* kEvidenceColumns =
    "case_id, step, responsible_department_id, due_at, detected_at, working_days_late";

template <typename Row>
workflow::OverdueEvidence ReadEvidence(const Row& s) {
  return {s.Int(0), s.Text(1), s.OptInt(2), s.Int(3), s.Int(4), static_cast<int>(s.Int(5))};
}

/// The deadline compliance of the cases of some types (CaseStore::CountDeadlineCompliance): one row (outcome, cases)
/// per outcome, 2 escalated, 1 overdue, 0 on time. Escalation is recorded as the authority's "escalated" notification;
/// lateness as the overdue mark or evidence. `overdue` is the backend's test of the flag of case `c`, `type_in_list`
/// its test of `c.type` against the list parameter.
inline std::string DeadlineComplianceSql(std::string_view overdue, std::string_view type_in_list) {
  return fmt::format(
      "SELECT CASE WHEN EXISTS (SELECT 1 FROM inbox i WHERE i.case_id = c.id AND i.kind = 'escalated') THEN 2 "
      "WHEN {} OR EXISTS (SELECT 1 FROM overdue_evidence e WHERE e.case_id = c.id) THEN 1 ELSE 0 END AS outcome, "
      "COUNT(*) FROM cases c WHERE {} GROUP BY outcome",
      overdue, type_in_list);
}

/// Adds one row of DeadlineComplianceSql to `out`.
template <typename Row>
void AddComplianceRow(const Row& s, workflow::DeadlineCompliance& out) {
  const auto n = s.Int(1);
  switch (s.Int(0)) {
    case 2:
      out.escalated = n;
      break;
    case 1:
      out.overdue = n;
      break;
    default:
      out.on_time = n;
  }
}

/// Cases late per responsible department, most first (no parameters: the same text on every backend). The name is
/// grouped on too, as PostgreSQL requires of every selected column that is not aggregated.
inline constexpr const char* kOverdueByDepartmentSql =
    "SELECT e.responsible_department_id, d.name, COUNT(DISTINCT e.case_id) AS n FROM overdue_evidence e "
    "JOIN departments d ON d.id = e.responsible_department_id GROUP BY e.responsible_department_id, d.name "
    "ORDER BY n DESC, e.responsible_department_id";

template <typename Row>
workflow::DepartmentOverdue ReadDepartmentOverdue(const Row& s) {
  return {s.Int(0), s.Text(1), s.Int(2)};
}

inline constexpr const char* kWebhookColumns = "id, department_id, url, secret, active, created_by, created_at";

template <typename Row>
workflow::Webhook ReadWebhook(const Row& s) {
  return {s.Int(0), s.Int(1), s.Text(2), s.Text(3), ReadFlag(s, 4), s.Int(5), s.Int(6)};
}

/// A delivery joined with its webhook (kDeliveryJoin: `d` and `w`), for sending.
inline constexpr const char* kDeliveryJoin = "webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id";
inline constexpr const char* kDeliveryColumns =
    "d.id, d.webhook_id, d.event, d.payload, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, "
    "d.delivered_at, d.created_at, w.url, w.secret";

template <typename Row>
workflow::Delivery ReadDelivery(const Row& s) {
  workflow::Delivery d;
  d.id = s.Int(0);
  d.webhook_id = s.Int(1);
  d.event = s.Text(2);
  d.payload = s.Text(3);
  d.status = s.Text(4);
  d.attempts = static_cast<int>(s.Int(5));
  d.next_attempt_at = s.Int(6);
  d.last_status = s.OptInt(7);
  d.last_error = s.OptText(8);
  d.delivered_at = s.OptInt(9);
  d.created_at = s.Int(10);
  d.url = s.Text(11);
  d.secret = s.Text(12);
  return d;
}

/// The state a delivery attempt leaves a delivery in (CaseStore::RecordAttempt).
inline const char* DeliveryStateAfter(bool delivered, bool retry) {
  if (delivered) return "delivered";
  return retry ? "pending" : "failed";
}

inline constexpr const char* kInboxColumns = "id, user_id, department_id, case_id, kind, message, created_at, read_at";

/// The sort fields of an inbox.
inline common::Result<std::string_view> InboxSortColumn(org::SortField field) {
  return SortColumn(
      {{org::SortField::kId, "id"}, {org::SortField::kKind, "kind"}, {org::SortField::kCreatedAt, "created_at"}},
      field);
}

template <typename Row>
workflow::InboxItem ReadInboxItem(const Row& s) {
  return {s.Int(0), s.OptInt(1), s.OptInt(2), s.OptInt(3), s.Text(4), s.Text(5), s.Int(6), s.OptInt(7)};
}

/// The JSON body POSTed to a department's webhooks for one of its inbox items: stored in the outbox row in the same
/// transaction as the item, so every backend sends the same bytes.
inline std::string InboxEventPayload(const workflow::InboxItem& item, std::int64_t inbox_id, std::int64_t case_id,
                                     std::int64_t department_id) {
  common::JsonWriter w;
  w.StartObject()
      .Field("event", item.kind)
      .Field("inbox_id", inbox_id)
      .Field("case_id", case_id)
      .Field("department_id", department_id)
      .Field("message", item.message)
      .Field("created_at", common::FormatRfc3339(item.created_at))
      .EndObject();
  return w.str();
}

}  // namespace govshare::store
