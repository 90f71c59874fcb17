#pragma once

#include <cstdint>
#include <string>

#include "common/clock.hpp"
#include "sharing/model.hpp"
#include "sharing/sharing_store.hpp"
#include "store/sharing_json.hpp"

namespace govshare::store {

// The rows of the sharing store as every backend selects, reads and writes them: one column list, one reader and one
// writer per row type, function templates over the backend's statement type (store::sqlite::Statement,
// store::pg::Statement: both have Bind and Int/Text/OptText/OptInt), so that the SQLite and PostgreSQL sharing stores
// cannot drift apart in what they store and return. The documents of a row (items, masks, row scope, scenario, terms)
// are JSON text (store/sharing_json.hpp). Only the SQL around the columns (placeholders, keyset, limits) is each
// backend's own.

// ---- share requests -----------------------------------------------------------------------------------------------

/// The columns of share_requests; an insert gives the id its default and binds the others (BindNewRequest).
inline constexpr const char* kRequestColumns =
    "id, requester_department_id, application_id, entry_id, entry_version, provider_department_id, share_type, items, "
    "scenario, commitments_accepted_at, state, case_id, terms, refusal_reasons, objection, decision, grant_id, "
    "created_by, created_at, updated_at";

template <typename Row>
sharing::ShareRequest ReadRequest(const Row& s) {
  sharing::ShareRequest r;
  r.id = s.Int(0);
  r.requester_department_id = s.Int(1);
  r.application_id = s.Int(2);
  r.entry_id = s.Int(3);
  r.entry_version = static_cast<int>(s.Int(4));
  r.provider_department_id = s.Int(5);
  r.share_type = s.Text(6);
  r.items = ListFromJson(s.Text(7));
  r.scenario = ScenarioFromJson(s.Text(8));
  r.commitments_accepted_at = s.Int(9);
  r.state = s.Text(10);
  r.case_id = s.OptInt(11);
  r.terms = TermsFromJson(s.OptText(12));
  r.refusal_reasons = s.Text(13);
  r.objection = s.Text(14);
  r.decision = s.Text(15);
  r.grant_id = s.OptText(16);
  r.created_by = s.Int(17);
  r.created_at = s.Int(18);
  r.updated_at = s.Int(19);
  return r;
}

// Row writers: the parameters of an insert or update, numbered in the order of its column list, bound the same way on
// either statement type.

/// A new request: the columns of kRequestColumns but the id (1-19).
template <typename Stmt>
void BindNewRequest(Stmt& s, const sharing::ShareRequest& r) {
  s.Bind(1, r.requester_department_id)
      .Bind(2, r.application_id)
      .Bind(3, r.entry_id)
      .Bind(4, r.entry_version)
      .Bind(5, r.provider_department_id)
      .Bind(6, r.share_type)
      .Bind(7, ListToJson(r.items))
      .Bind(8, ScenarioToJson(r.scenario))
      .Bind(9, r.commitments_accepted_at)
      .Bind(10, r.state)
      .Bind(11, r.case_id)
      .Bind(12, TermsToJson(r.terms))
      .Bind(13, r.refusal_reasons)
      .Bind(14, r.objection)
      .Bind(15, r.decision)
      .Bind(16, r.grant_id)
      .Bind(17, r.created_by)
      .Bind(18, r.created_at)
      .Bind(19, r.updated_at);
}

/// The parameters of a request's update: state, case_id, terms, refusal_reasons, objection, decision, grant_id,
/// updated_at (1-8), then the request's id (9).
template <typename Stmt>
void BindRequestUpdate(Stmt& s, const sharing::ShareRequest& r) {
  s.Bind(1, r.state)
      .Bind(2, r.case_id)
      .Bind(3, TermsToJson(r.terms))
      .Bind(4, r.refusal_reasons)
      .Bind(5, r.objection)
      .Bind(6, r.decision)
      .Bind(7, r.grant_id)
      .Bind(8, r.updated_at)
      .Bind(9, r.id);
}

/// The filter of a request list: requester_department_id (2), provider_department_id (3), state (4), entry_id (5) and
/// the limit (6). The keyset takes 1 and 7.
template <typename Stmt>
void BindRequestFilter(Stmt& s, const sharing::RequestFilter& f, int limit) {
  s.Bind(2, f.requester_department_id)
      .Bind(3, f.provider_department_id)
      .Bind(4, f.state)
      .Bind(5, f.entry_id)
      .Bind(6, limit);
}

// ---- grants -------------------------------------------------------------------------------------------------------

inline constexpr const char* kGrantColumns =
    "id, request_id, consumer_department_id, application_id, provider_department_id, entry_id, entry_version, items, "
    "masks, row_scope, manner, scenario, valid_from, valid_to, quota_per_day, rate_per_minute, status, "
    "status_reason, status_changed_at, status_changed_by, created_at";

template <typename Row>
sharing::Grant ReadGrant(const Row& s) {
  sharing::Grant g;
  g.id = s.Text(0);
  g.request_id = s.Int(1);
  g.consumer_department_id = s.Int(2);
  g.application_id = s.Int(3);
  g.provider_department_id = s.Int(4);
  g.entry_id = s.Int(5);
  g.entry_version = static_cast<int>(s.Int(6));
  g.items = ListFromJson(s.Text(7));
  g.masks = MapFromJson(s.Text(8));
  g.row_scope = ListFromJson(s.Text(9));
  g.manner = s.Text(10);
  g.scenario = ScenarioFromJson(s.Text(11));
  g.valid_from = s.Int(12);
  g.valid_to = s.Int(13);
  g.quota_per_day = s.Int(14);
  g.rate_per_minute = s.Int(15);
  g.status = s.Text(16);
  g.status_reason = s.Text(17);
  g.status_changed_at = s.OptInt(18);
  g.status_changed_by = s.OptInt(19);
  g.created_at = s.Int(20);
  return g;
}

/// A new grant, in the order of kGrantColumns (1-21).
template <typename Stmt>
void BindGrant(Stmt& s, const sharing::Grant& g) {
  s.Bind(1, g.id)
      .Bind(2, g.request_id)
      .Bind(3, g.consumer_department_id)
      .Bind(4, g.application_id)
      .Bind(5, g.provider_department_id)
      .Bind(6, g.entry_id)
      .Bind(7, g.entry_version)
      .Bind(8, ListToJson(g.items))
      .Bind(9, MapToJson(g.masks))
      .Bind(10, ListToJson(g.row_scope))
      .Bind(11, g.manner)
      .Bind(12, ScenarioToJson(g.scenario))
      .Bind(13, g.valid_from)
      .Bind(14, g.valid_to)
      .Bind(15, g.quota_per_day)
      .Bind(16, g.rate_per_minute)
      .Bind(17, g.status)
      .Bind(18, g.status_reason)
      .Bind(19, g.status_changed_at)
      .Bind(20, g.status_changed_by)
      .Bind(21, g.created_at);
}

/// The parameters of a grant's status change (SharingStore::SetGrantStatus): status, status_reason,
/// status_changed_at, status_changed_by (1-4), then the grant's id (5).
template <typename Stmt>
void BindGrantStatus(Stmt& s, const std::string& id, const std::string& status, const std::string& reason,
                     std::int64_t by, common::UnixSeconds at) {
  s.Bind(1, status).Bind(2, reason).Bind(3, at).Bind(4, by).Bind(5, id);
}

/// The filter of a grant list: consumer_department_id (2), provider_department_id (3), application_id (4), status (5),
/// the limit (6) and entry_id (8). The keyset takes 1 and 7.
template <typename Stmt>
void BindGrantFilter(Stmt& s, const sharing::GrantFilter& f, int limit) {
  s.Bind(2, f.consumer_department_id)
      .Bind(3, f.provider_department_id)
      .Bind(4, f.application_id)
      .Bind(5, f.status)
      .Bind(6, limit)
      .Bind(8, f.entry_id);
}

// ---- outward requests ---------------------------------------------------------------------------------------------

/// The columns of outward_requests; an insert gives the id its default and binds the others (BindNewOutward).
inline constexpr const char* kOutwardColumns =
    "id, requester_department_id, application_id, level, holder, resource, items, scenario, commitments_accepted_at, "
    "state, case_id, forward_reference, outcome, created_by, created_at, updated_at";

template <typename Row>
sharing::OutwardRequest ReadOutward(const Row& s) {
  sharing::OutwardRequest r;
  r.id = s.Int(0);
  r.requester_department_id = s.Int(1);
  r.application_id = s.Int(2);
  r.level = s.Text(3);
  r.holder = s.Text(4);
  r.resource = s.Text(5);
  r.items = ListFromJson(s.Text(6));
  r.scenario = ScenarioFromJson(s.Text(7));
  r.commitments_accepted_at = s.Int(8);
  r.state = s.Text(9);
  r.case_id = s.OptInt(10);
  r.forward_reference = s.Text(11);
  r.outcome = s.Text(12);
  r.created_by = s.Int(13);
  r.created_at = s.Int(14);
  r.updated_at = s.Int(15);
  return r;
}

/// A new outward request: the columns of kOutwardColumns but the id (1-15).
template <typename Stmt>
void BindNewOutward(Stmt& s, const sharing::OutwardRequest& r) {
  s.Bind(1, r.requester_department_id)
      .Bind(2, r.application_id)
      .Bind(3, r.level)
      .Bind(4, r.holder)
      .Bind(5, r.resource)
      .Bind(6, ListToJson(r.items))
      .Bind(7, ScenarioToJson(r.scenario))
      .Bind(8, r.commitments_accepted_at)
      .Bind(9, r.state)
      .Bind(10, r.case_id)
      .Bind(11, r.forward_reference)
      .Bind(12, r.outcome)
      .Bind(13, r.created_by)
      .Bind(14, r.created_at)
      .Bind(15, r.updated_at);
}

/// The parameters of an outward request's update: state, case_id, forward_reference, outcome, updated_at (1-5), then
/// the request's id (6).
template <typename Stmt>
void BindOutwardUpdate(Stmt& s, const sharing::OutwardRequest& r) {
  s.Bind(1, r.state)
      .Bind(2, r.case_id)
      .Bind(3, r.forward_reference)
      .Bind(4, r.outcome)
      .Bind(5, r.updated_at)
      .Bind(6, r.id);
}

/// The filter of an outward request list: requester_department_id (2), state (3) and the limit (4). The keyset takes 1
/// and 5.
template <typename Stmt>
void BindOutwardFilter(Stmt& s, const sharing::OutwardFilter& f, int limit) {
  s.Bind(2, f.requester_department_id).Bind(3, f.state).Bind(4, limit);
}

}  // namespace govshare::store
