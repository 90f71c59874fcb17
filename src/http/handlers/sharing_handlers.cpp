#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <limits>

#include "app/platform.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;
using common::Result;
using common::Status;
using nlohmann::json;
using org::Permission;
namespace sh = govshare::sharing;

namespace {

constexpr std::size_t kMaxText = 1000;

json Time(const std::optional<common::UnixSeconds>& t) { return t ? json(common::FormatRfc3339(*t)) : json(nullptr); }

json ScenarioJson(const sh::Scenario& s) {
  return {{"purpose", s.purpose},
          {"legal_basis", s.legal_basis},
          {"scope", s.scope},
          {"manner", s.manner},
          {"volume_per_day", s.volume_per_day},
          {"validity_days", s.validity_days},
          {"service_matter", s.service_matter}};
}

json TermsJson(const std::optional<sh::Terms>& t) {
  if (!t) return nullptr;
  return {{"items", t->items},
          {"validity_days", t->validity_days},
          {"volume_per_day", t->volume_per_day},
          {"masks", t->masks}};
}

/// Adds the name of the application a request or grant serves, when it has one.
void NameApplication(app::Platform& p, json& out, std::int64_t application_id) {
  if (auto name = p.org().ApplicationName(application_id)) out["application_name"] = *name;
}

json RequestJson(app::Platform& p, const sh::ShareRequest& r) {
  json out = {{"id", r.id},
              {"requester_department_id", r.requester_department_id},
              {"application_id", r.application_id},
              {"entry_id", r.entry_id},
              {"entry_version", r.entry_version},
              {"provider_department_id", r.provider_department_id},
              {"share_type", r.share_type},
              {"items", r.items},
              {"scenario", ScenarioJson(r.scenario)},
              {"commitments_accepted_at", common::FormatRfc3339(r.commitments_accepted_at)},
              {"state", r.state},
              {"case_id", r.case_id ? json(*r.case_id) : json(nullptr)},
              {"terms", TermsJson(r.terms)},
              {"refusal_reasons", r.refusal_reasons},
              {"objection", r.objection},
              {"decision", r.decision},
              {"grant_id", r.grant_id ? json(*r.grant_id) : json(nullptr)},
              {"created_at", common::FormatRfc3339(r.created_at)},
              {"updated_at", common::FormatRfc3339(r.updated_at)}};
  if (auto e = p.catalog().index().Get(r.entry_id)) {
    out["resource_code"] = e->entry.resource_code;
    out["provider_name"] = e->entry.provider_name;
    if (e->published) out["entry_name"] = e->published->content.name;
  }
  NameApplication(p, out, r.application_id);
  return out;
}

json GrantJson(app::Platform& p, const sh::Grant& g) {
  json out = {{"id", g.id},
              {"request_id", g.request_id},
              {"consumer_department_id", g.consumer_department_id},
              {"application_id", g.application_id},
              {"provider_department_id", g.provider_department_id},
              {"entry_id", g.entry_id},
              {"entry_version", g.entry_version},
              {"items", g.items},
              {"masks", g.masks},
              {"row_scope", g.row_scope},
              {"manner", g.manner},
              {"scenario", ScenarioJson(g.scenario)},
              {"valid_from", common::FormatRfc3339(g.valid_from)},
              {"valid_to", common::FormatRfc3339(g.valid_to)},
              {"quota_per_day", g.quota_per_day},
              {"rate_per_minute", g.rate_per_minute},
              {"status", g.status},
              {"status_reason", g.status_reason},
              {"status_changed_at", Time(g.status_changed_at)},
              {"created_at", common::FormatRfc3339(g.created_at)}};
  if (auto e = p.catalog().index().Get(g.entry_id)) {
    out["resource_code"] = e->entry.resource_code;
    out["provider_name"] = e->entry.provider_name;
    if (e->published) out["entry_name"] = e->published->content.name;
  }
  NameApplication(p, out, g.application_id);
  return out;
}

/// Strict readers over a nlohmann object: each names the field at fault.
class Fields {
 public:
  Fields(const json& object, std::string prefix) : o_(object), prefix_(std::move(prefix)) {}
  Status Only(std::initializer_list<std::string_view> allowed) const {
    if (!o_.is_object())
      return Status::Invalid("wrong_type", fmt::format("{} must be an object", Where("")), Where(""));
    for (const auto& [k, v] : o_.items()) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        return Status::Invalid("unknown_field", fmt::format("unknown field '{}'", k), Where(k));
      }
    }
    return Status::Ok();
  }
  Status Text(const char* name, std::string& out, bool required, std::size_t max = kMaxText) const {
    const auto it = o_.find(name);
    if (it == o_.end() || it->is_null()) {
      return required ? Status::Invalid("missing_field", fmt::format("field '{}' is required", name), Where(name))
                      : Status::Ok();
    }
    if (!it->is_string()) return Status::Invalid("wrong_type", fmt::format("'{}' must be text", name), Where(name));
    const auto& s = it->get_ref<const std::string&>();
    if (!common::IsCleanText(s)) return Status::Invalid("invalid_text", "control characters", Where(name));
    if (common::Utf8Length(s) > max) {
      return Status::Invalid("too_long", fmt::format("'{}' is longer than {} characters", name, max), Where(name));
    }
    out = s;
    return Status::Ok();
  }
  Status Int(const char* name, std::int64_t& out, bool required) const {
    const auto it = o_.find(name);
    if (it == o_.end() || it->is_null()) {
      return required ? Status::Invalid("missing_field", fmt::format("field '{}' is required", name), Where(name))
                      : Status::Ok();
    }
    if (!it->is_number_integer()) {
      return Status::Invalid("wrong_type", fmt::format("'{}' must be an integer", name), Where(name));
    }
    out = it->get<std::int64_t>();
    return Status::Ok();
  }
  Status Bool(const char* name, bool& out) const {
    const auto it = o_.find(name);
    if (it == o_.end() || it->is_null()) return Status::Ok();
    if (!it->is_boolean())
      return Status::Invalid("wrong_type", fmt::format("'{}' must be true or false", name), Where(name));
    out = it->get<bool>();
    return Status::Ok();
  }
  Status TextList(const char* name, std::vector<std::string>& out, bool required) const {
    const auto it = o_.find(name);
    if (it == o_.end() || it->is_null()) {
      return required ? Status::Invalid("missing_field", fmt::format("field '{}' is required", name), Where(name))
                      : Status::Ok();
    }
    if (!it->is_array() || it->size() > 500) {
      return Status::Invalid("wrong_type", fmt::format("'{}' must be an array of at most 500 texts", name),
                             Where(name));
    }
    for (const auto& v : *it) {
      if (!v.is_string() || !common::IsCleanText(v.get_ref<const std::string&>()) ||
          common::Utf8Length(v.get_ref<const std::string&>()) > 50) {
        return Status::Invalid("wrong_type", fmt::format("'{}' holds texts of at most 50 characters", name),
                               Where(name));
      }
      out.push_back(v.get<std::string>());
    }
    return Status::Ok();
  }
  Status TextMap(const char* name, std::map<std::string, std::string>& out) const {
    const auto it = o_.find(name);
    if (it == o_.end() || it->is_null()) return Status::Ok();
    if (!it->is_object() || it->size() > 500) {
      return Status::Invalid("wrong_type", fmt::format("'{}' must be an object of texts", name), Where(name));
    }
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string() || !common::IsCleanText(k) || !common::IsCleanText(v.get_ref<const std::string&>())) {
        return Status::Invalid("wrong_type", fmt::format("'{}' must map item names to mask rules", name), Where(name));
      }
      out[k] = v.get<std::string>();
    }
    return Status::Ok();
  }
  const json* Child(const char* name) const {
    const auto it = o_.find(name);
    return it == o_.end() || it->is_null() ? nullptr : &*it;
  }
  std::string Where(std::string_view name) const { return name.empty() ? prefix_ : prefix_ + "/" + std::string(name); }

 private:
  const json& o_;
  std::string prefix_;
};

Result<std::optional<sh::Terms>> ReadTerms(const Fields& body) {
  const json* t = body.Child("terms");
  if (t == nullptr) return std::optional<sh::Terms>();
  Fields f(*t, body.Where("terms"));
  sh::Terms terms;
  std::int64_t validity = 0;
  Status s = f.Only({"items", "validity_days", "volume_per_day", "masks"});
  if (s.ok()) s = f.TextList("items", terms.items, true);
  if (s.ok()) s = f.Int("validity_days", validity, true);
  if (s.ok()) s = f.Int("volume_per_day", terms.volume_per_day, true);
  if (s.ok()) s = f.TextMap("masks", terms.masks);
  if (!s.ok()) return s;
  terms.validity_days = static_cast<int>(std::clamp<std::int64_t>(validity, -1, 100000));
  return std::optional<sh::Terms>(terms);
}

/// The declared scenario of a request, `scenario` of `body`.
Status ReadScenario(const Fields& body, sh::Scenario& out) {
  const json* scenario = body.Child("scenario");
  if (scenario == nullptr) return Status::Invalid("missing_field", "field 'scenario' is required", "/scenario");
  Fields sc(*scenario, "/scenario");
  std::int64_t validity = 0;
  Status s =
      sc.Only({"purpose", "legal_basis", "scope", "manner", "volume_per_day", "validity_days", "service_matter"});
  if (s.ok()) s = sc.Text("purpose", out.purpose, true);
  if (s.ok()) s = sc.Text("legal_basis", out.legal_basis, true);
  if (s.ok()) s = sc.Text("scope", out.scope, true);
  if (s.ok()) s = sc.Text("manner", out.manner, true, 16);
  if (s.ok()) s = sc.Int("volume_per_day", out.volume_per_day, true);
  if (s.ok()) s = sc.Int("validity_days", validity, true);
  if (s.ok()) s = sc.Text("service_matter", out.service_matter, false, 64);
  out.validity_days = static_cast<int>(std::clamp<std::int64_t>(validity, -1, 100000));
  return s;
}

void SubmitRequest(app::Platform& p, Context& ctx) {
  json body;
  if (auto s = ctx.JsonDocument(body); !s.ok()) return ctx.Problem(s);
  Fields f(body, "");
  sh::NewRequest n;
  Status s = f.Only({"entry_id", "application_id", "items", "scenario", "accept_commitments"});
  if (s.ok()) s = f.Int("entry_id", n.entry_id, true);
  if (s.ok()) s = f.Int("application_id", n.application_id, true);
  if (s.ok()) s = f.TextList("items", n.items, true);
  if (s.ok()) s = f.Bool("accept_commitments", n.accept_commitments);
  if (s.ok()) s = ReadScenario(f, n.scenario);
  if (!s.ok()) return ctx.Problem(s);
  auto created = p.sharing().Submit(ctx.who(), n);
  if (!created.ok()) return ctx.Problem(created.status());
  ctx.headers.emplace_back("Location", fmt::format("/api/v1/requests/{}", created->id));
  ctx.Json(201, RequestJson(p, created.value()).dump());
}

constexpr auto kRequestSorts = {org::SortField::kId, org::SortField::kState, org::SortField::kCreatedAt,
                                org::SortField::kUpdatedAt};

void ListRequests(app::Platform& p, Context& ctx) {
  auto page = ParsePage(ctx, kRequestSorts);
  if (!page.ok()) return ctx.Problem(page.status());
  auto items = p.sharing().List(ctx.who(), ctx.Query("as").value_or("all"), ctx.Query("state"), page.value());
  if (!items.ok()) return ctx.Problem(items.status());
  json list = json::array();
  for (const auto& r : items.value()) list.push_back(RequestJson(p, r));
  json out = {{"items", list}, {"next_cursor", nullptr}};
  if (auto next = NextCursor(items.value(), page.value())) out["next_cursor"] = *next;
  ctx.Json(200, out.dump());
}

json OutwardJson(app::Platform& p, const sh::OutwardRequest& r) {
  json out = {{"id", r.id},
              {"requester_department_id", r.requester_department_id},
              {"application_id", r.application_id},
              {"level", r.level},
              {"holder", r.holder},
              {"resource", r.resource},
              {"items", r.items},
              {"scenario", ScenarioJson(r.scenario)},
              {"commitments_accepted_at", common::FormatRfc3339(r.commitments_accepted_at)},
              {"state", r.state},
              {"case_id", r.case_id ? json(*r.case_id) : json(nullptr)},
              {"forward_reference", r.forward_reference},
              {"outcome", r.outcome},
              {"created_at", common::FormatRfc3339(r.created_at)},
              {"updated_at", common::FormatRfc3339(r.updated_at)}};
  NameApplication(p, out, r.application_id);
  return out;
}

void SubmitOutward(app::Platform& p, Context& ctx) {
  json body;
  if (auto s = ctx.JsonDocument(body); !s.ok()) return ctx.Problem(s);
  Fields f(body, "");
  sh::NewOutwardRequest n;
  Status s = f.Only({"application_id", "level", "holder", "resource", "items", "scenario", "accept_commitments"});
  if (s.ok()) s = f.Int("application_id", n.application_id, true);
  if (s.ok()) s = f.Text("level", n.level, true, 32);
  if (s.ok()) s = f.Text("holder", n.holder, true, 200);
  if (s.ok()) s = f.Text("resource", n.resource, true, 200);
  if (s.ok()) s = f.TextList("items", n.items, true);
  if (s.ok()) s = f.Bool("accept_commitments", n.accept_commitments);
  if (s.ok()) s = ReadScenario(f, n.scenario);
  if (!s.ok()) return ctx.Problem(s);
  auto created = p.sharing().SubmitOutward(ctx.who(), n);
  if (!created.ok()) return ctx.Problem(created.status());
  ctx.headers.emplace_back("Location", fmt::format("/api/v1/requests/outward/{}", created->id));
  ctx.Json(201, OutwardJson(p, created.value()).dump());
}

void ListOutward(app::Platform& p, Context& ctx) {
  auto page = ParsePage(ctx, kRequestSorts);
  if (!page.ok()) return ctx.Problem(page.status());
  auto items = p.sharing().ListOutward(ctx.who(), ctx.Query("as").value_or("all"), ctx.Query("state"), page.value());
  if (!items.ok()) return ctx.Problem(items.status());
  json list = json::array();
  for (const auto& r : items.value()) list.push_back(OutwardJson(p, r));
  json out = {{"items", list}, {"next_cursor", nullptr}};
  if (auto next = NextCursor(items.value(), page.value())) out["next_cursor"] = *next;
  ctx.Json(200, out.dump());
}

void GetOutward(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto r = p.sharing().GetOutward(ctx.who(), id.value());
  if (!r.ok()) return ctx.Problem(r.status());
  ctx.Json(200, OutwardJson(p, r.value()).dump());
}

void GetRequest(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto r = p.sharing().Get(ctx.who(), id.value());
  if (!r.ok()) return ctx.Problem(r.status());
  ctx.Json(200, RequestJson(p, r.value()).dump());
}

void Answer(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  json body;
  if (auto s = ctx.JsonDocument(body); !s.ok()) return ctx.Problem(s);
  Fields f(body, "");
  std::string decision, reasons;
  Status s = f.Only({"decision", "reasons", "terms"});
  if (s.ok()) s = f.Text("decision", decision, true, 16);
  if (s.ok()) s = f.Text("reasons", reasons, false, 2000);
  if (!s.ok()) return ctx.Problem(s);
  auto terms = ReadTerms(f);
  if (!terms.ok()) return ctx.Problem(terms.status());
  auto r = p.sharing().Answer(ctx.who(), id.value(), decision, reasons, terms.value());
  if (!r.ok()) return ctx.Problem(r.status());
  ctx.Json(200, RequestJson(p, r.value()).dump());
}

void ObjectTo(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  json body;
  if (auto s = ctx.JsonDocument(body); !s.ok()) return ctx.Problem(s);
  Fields f(body, "");
  std::string reason;
  Status s = f.Only({"reason"});
  if (s.ok()) s = f.Text("reason", reason, true, 2000);
  if (!s.ok()) return ctx.Problem(s);
  auto r = p.sharing().Object(ctx.who(), id.value(), reason);
  if (!r.ok()) return ctx.Problem(r.status());
  ctx.Json(200, RequestJson(p, r.value()).dump());
}

void Decide(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  json body;
  if (auto s = ctx.JsonDocument(body); !s.ok()) return ctx.Problem(s);
  Fields f(body, "");
  std::string decision, reasons;
  Status s = f.Only({"decision", "reasons", "terms"});
  if (s.ok()) s = f.Text("decision", decision, true, 16);
  if (s.ok()) s = f.Text("reasons", reasons, false, 2000);
  if (!s.ok()) return ctx.Problem(s);
  auto terms = ReadTerms(f);
  if (!terms.ok()) return ctx.Problem(terms.status());
  auto r = p.sharing().Decide(ctx.who(), id.value(), decision, reasons, terms.value());
  if (!r.ok()) return ctx.Problem(r.status());
  ctx.Json(200, RequestJson(p, r.value()).dump());
}

void ListGrants(app::Platform& p, Context& ctx) {
  auto page = ParseKeyedPage(ctx, {org::SortField::kCreatedAt, org::SortField::kValidTo, org::SortField::kStatus},
                             org::SortField::kCreatedAt);
  if (!page.ok()) return ctx.Problem(page.status());
  auto entry = IntQuery(ctx, "entry_id", 1, std::numeric_limits<std::int64_t>::max(), 0);
  if (!entry.ok()) return ctx.Problem(entry.status());
  const auto entry_id = *entry > 0 ? std::optional<std::int64_t>(*entry) : std::nullopt;
  auto grants = p.sharing().Grants(ctx.who(), ctx.Query("as").value_or("all"), entry_id, page.value());
  if (!grants.ok()) return ctx.Problem(grants.status());
  json items = json::array();
  for (const auto& g : grants.value()) items.push_back(GrantJson(p, g));
  json out = {{"items", items}, {"next_cursor", nullptr}};
  if (auto next = NextCursor(grants.value(), page.value())) out["next_cursor"] = *next;
  ctx.Json(200, out.dump());
}

void GetGrant(app::Platform& p, Context& ctx) {
  auto g = p.sharing().GetGrant(ctx.who(), std::string(ctx.Param("grant_id")));
  if (!g.ok()) return ctx.Problem(g.status());
  ctx.Json(200, GrantJson(p, g.value()).dump());
}

void ChangeGrant(app::Platform& p, Context& ctx, const char* action) {
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  std::string reason;
  Status s = body->OnlyFields({"reason"});
  if (s.ok()) s = body->RequiredString("reason", reason, 2000);
  if (!s.ok()) return ctx.Problem(s);
  auto g = p.sharing().ChangeGrant(ctx.who(), std::string(ctx.Param("grant_id")), action, reason);
  if (!g.ok()) return ctx.Problem(g.status());
  ctx.Json(200, GrantJson(p, g.value()).dump());
}
void Suspend(app::Platform& p, Context& ctx) { ChangeGrant(p, ctx, "suspend"); }
void Resume(app::Platform& p, Context& ctx) { ChangeGrant(p, ctx, "resume"); }
void Revoke(app::Platform& p, Context& ctx) { ChangeGrant(p, ctx, "revoke"); }

}  // namespace

void RegisterSharingRoutes(Router& router, app::Platform& platform) {
  auto add = [&](verb method, std::string pattern, Permission perm, Exec exec, PlatformHandler fn) {
    AddRoute(router, platform, method, std::move(pattern), perm, exec, fn);
  };
  // The literal /outward routes come before /{id}: the router takes the first pattern that matches.
  add(verb::post, "/api/v1/requests/outward", Permission::kShareRequest, Exec::kBlocking, SubmitOutward);
  add(verb::get, "/api/v1/requests/outward", Permission::kShareRead, Exec::kBlocking, ListOutward);
  add(verb::get, "/api/v1/requests/outward/{id}", Permission::kShareRead, Exec::kBlocking, GetOutward);
  add(verb::post, "/api/v1/requests", Permission::kShareRequest, Exec::kBlocking, SubmitRequest);
  add(verb::get, "/api/v1/requests", Permission::kShareRead, Exec::kBlocking, ListRequests);
  add(verb::get, "/api/v1/requests/{id}", Permission::kShareRead, Exec::kBlocking, GetRequest);
  add(verb::post, "/api/v1/requests/{id}/answer", Permission::kCaseAct, Exec::kBlocking, Answer);
  add(verb::post, "/api/v1/requests/{id}/objection", Permission::kCaseAct, Exec::kBlocking, ObjectTo);
  add(verb::post, "/api/v1/requests/{id}/decision", Permission::kCaseAct, Exec::kBlocking, Decide);
  add(verb::get, "/api/v1/grants", Permission::kShareRead, Exec::kBlocking, ListGrants);
  add(verb::get, "/api/v1/grants/{grant_id}", Permission::kShareRead, Exec::kBlocking, GetGrant);
  add(verb::post, "/api/v1/grants/{grant_id}/suspend", Permission::kCaseAct, Exec::kBlocking, Suspend);
  add(verb::post, "/api/v1/grants/{grant_id}/resume", Permission::kCaseAct, Exec::kBlocking, Resume);
  add(verb::post, "/api/v1/grants/{grant_id}/revoke", Permission::kCaseAct, Exec::kBlocking, Revoke);
}

}  // namespace govshare::http::handlers
