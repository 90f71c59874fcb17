#include "store/pg/sharing_store_pg.hpp"

#include "store/pg/keyset.hpp"

#include "store/sharing_json.hpp"

namespace govshare::store::pg {

using common::Result;
using common::Status;
using namespace govshare::sharing;  // NOLINT(google-build-using-namespace): the implementation file of the store

namespace {

constexpr const char* kRequestColumns =
    "id, requester_department_id, application_id, entry_id, entry_version, provider_department_id, share_type, items, "
    "scenario, commitments_accepted_at, state, case_id, terms, refusal_reasons, objection, decision, grant_id, "
    "created_by, created_at, updated_at";

ShareRequest ReadRequest(const Statement& s) {
  ShareRequest r;
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

constexpr const char* kGrantColumns =
    "id, request_id, consumer_department_id, application_id, provider_department_id, entry_id, entry_version, items, "
    "masks, row_scope, manner, scenario, valid_from, valid_to, quota_per_day, rate_per_minute, status, "
    "status_reason, status_changed_at, status_changed_by, created_at";

Grant ReadGrant(const Statement& s) {
  Grant g;
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

constexpr const char* kOutwardColumns =
    "id, requester_department_id, application_id, level, holder, resource, items, scenario, commitments_accepted_at, "
    "state, case_id, forward_reference, outcome, created_by, created_at, updated_at";

OutwardRequest ReadOutward(const Statement& s) {
  OutwardRequest r;
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

}  // namespace

Status PgSharingStore::InWrite(store::Transaction* tx, const Database::WriteJob& job) {
  if (tx != nullptr) return job(static_cast<PgTransaction*>(tx)->connection);
  return db_.Write(job);
}

Status PgSharingStore::PutRequest(store::Transaction* tx, ShareRequest& r) {
  // Decided once, before the job: a serialization failure runs the job again, and r.id is set by then.
  const bool insert = r.id == 0;
  return InWrite(tx, [&](Connection& c) {
    if (insert) {
      auto s = c.Prepare(std::string("INSERT INTO share_requests(") + kRequestColumns +
                         ") VALUES (DEFAULT, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
                         "$17, $18, $19) RETURNING id");
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
      r.id = s.Step() ? s.Int(0) : 0;
      return Status::Ok();
    }
    auto s = c.Prepare(
        "UPDATE share_requests SET state = $1, case_id = $2, terms = $3, refusal_reasons = $4, objection = $5, "
        "decision = $6, grant_id = $7, updated_at = $8 WHERE id = $9");
    s.Bind(1, r.state)
        .Bind(2, r.case_id)
        .Bind(3, TermsToJson(r.terms))
        .Bind(4, r.refusal_reasons)
        .Bind(5, r.objection)
        .Bind(6, r.decision)
        .Bind(7, r.grant_id)
        .Bind(8, r.updated_at)
        .Bind(9, r.id);
    s.Run();
    return s.Changes() == 1 ? Status::Ok() : Status::NotFound("no such request");
  });
}

Result<std::optional<ShareRequest>> PgSharingStore::GetRequest(std::int64_t id) {
  std::optional<ShareRequest> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kRequestColumns + " FROM share_requests WHERE id = $1");
    s.Bind(1, id);
    if (s.Step()) out = ReadRequest(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<ShareRequest>> PgSharingStore::ListRequests(const RequestFilter& f, const org::PageRequest& page) {
  auto column = store::RequestSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 7, 1);
  std::vector<ShareRequest> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kRequestColumns + " FROM share_requests WHERE " + keyset.where +
                       " AND ($2::bigint IS NULL OR requester_department_id = $2) "
                       "AND ($3::bigint IS NULL OR provider_department_id = $3) AND ($4::text IS NULL OR state = $4) "
                       "AND ($5::bigint IS NULL OR entry_id = $5) ORDER BY " +
                       keyset.order_by + " LIMIT CASE WHEN $6::bigint < 0 THEN NULL ELSE $6::bigint END");
    BindKeyset(s, page, 7, 1);
    s.Bind(2, f.requester_department_id)
        .Bind(3, f.provider_department_id)
        .Bind(4, f.state)
        .Bind(5, f.entry_id)
        .Bind(6, page.limit);
    while (s.Step()) out.push_back(ReadRequest(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status PgSharingStore::InsertGrant(store::Transaction* tx, const Grant& g) {
  return InWrite(tx, [&](Connection& c) {
    c.Prepare(
         std::string("INSERT INTO grants(") + kGrantColumns +
         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)")
        .Bind(1, g.id)
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
        .Bind(21, g.created_at)
        .Run();
    return Status::Ok();
  });
}

Status PgSharingStore::SetGrantStatus(const std::string& id, const std::string& status, const std::string& reason,
                                      std::int64_t by, UnixSeconds at) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "UPDATE grants SET status = $1, status_reason = $2, status_changed_at = $3, status_changed_by = $4 "
        "WHERE id = $5");
    s.Bind(1, status).Bind(2, reason).Bind(3, at).Bind(4, by).Bind(5, id);
    s.Run();
    return s.Changes() == 1 ? Status::Ok() : Status::NotFound("no such grant");
  });
}

Result<std::optional<Grant>> PgSharingStore::GetGrant(const std::string& id) {
  std::optional<Grant> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kGrantColumns + " FROM grants WHERE id = $1");
    s.Bind(1, id);
    if (s.Step()) out = ReadGrant(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<Grant>> PgSharingStore::ListGrants(const GrantFilter& f, const org::PageRequest& page) {
  auto column = store::GrantSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id COLLATE \"C\"", 7, 1);
  std::vector<Grant> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kGrantColumns + " FROM grants WHERE " + keyset.where +
                       " AND ($2::bigint IS NULL OR consumer_department_id = $2) "
                       "AND ($3::bigint IS NULL OR provider_department_id = $3) "
                       "AND ($4::bigint IS NULL OR application_id = $4) AND ($5::text IS NULL OR status = $5) "
                       "AND ($8::bigint IS NULL OR entry_id = $8) ORDER BY " +
                       keyset.order_by + " LIMIT CASE WHEN $6::bigint < 0 THEN NULL ELSE $6::bigint END");
    BindKeyset(s, page, 7, 1, /*text_key=*/true);
    s.Bind(2, f.consumer_department_id)
        .Bind(3, f.provider_department_id)
        .Bind(4, f.application_id)
        .Bind(5, f.status)
        .Bind(6, page.limit)
        .Bind(8, f.entry_id);
    while (s.Step()) out.push_back(ReadGrant(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status PgSharingStore::PutOutward(store::Transaction* tx, OutwardRequest& r) {
  const bool insert = r.id == 0;  // as in PutRequest
  return InWrite(tx, [&](Connection& c) {
    if (insert) {
      auto s = c.Prepare(
          std::string("INSERT INTO outward_requests(") + kOutwardColumns +
          ") VALUES (DEFAULT, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id");
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
      r.id = s.Step() ? s.Int(0) : 0;
      return Status::Ok();
    }
    auto s = c.Prepare(
        "UPDATE outward_requests SET state = $1, case_id = $2, forward_reference = $3, outcome = $4, "
        "updated_at = $5 WHERE id = $6");
    s.Bind(1, r.state)
        .Bind(2, r.case_id)
        .Bind(3, r.forward_reference)
        .Bind(4, r.outcome)
        .Bind(5, r.updated_at)
        .Bind(6, r.id);
    s.Run();
    return s.Changes() == 1 ? Status::Ok() : Status::NotFound("no such request");
  });
}

Result<std::optional<OutwardRequest>> PgSharingStore::GetOutward(std::int64_t id) {
  std::optional<OutwardRequest> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kOutwardColumns + " FROM outward_requests WHERE id = $1");
    s.Bind(1, id);
    if (s.Step()) out = ReadOutward(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<OutwardRequest>> PgSharingStore::ListOutward(const OutwardFilter& f, const org::PageRequest& page) {
  auto column = store::RequestSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 5, 1);
  std::vector<OutwardRequest> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kOutwardColumns + " FROM outward_requests WHERE " + keyset.where +
                       " AND ($2::bigint IS NULL OR requester_department_id = $2) AND ($3::text IS NULL OR state = $3) "
                       "ORDER BY " +
                       keyset.order_by + " LIMIT CASE WHEN $4::bigint < 0 THEN NULL ELSE $4::bigint END");
    BindKeyset(s, page, 5, 1);
    s.Bind(2, f.requester_department_id).Bind(3, f.state).Bind(4, page.limit);
    while (s.Step()) out.push_back(ReadOutward(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace govshare::store::pg
