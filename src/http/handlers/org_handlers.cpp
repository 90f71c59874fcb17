#include <fmt/format.h>

#include <charconv>

#include "app/platform.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/org_json.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;
using common::Result;
using common::Status;
using org::Permission;

namespace {

constexpr std::size_t kMaxQueryChars = 64;

Result<std::int64_t> PositiveInt(const std::optional<std::string>& text, std::string_view name) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || ptr != text->data() + text->size() || v < 0) {
    return Status::Invalid("invalid_parameter",
                           fmt::format("query parameter '{}' must be a non-negative integer", name),
                           fmt::format("?{}", name));
  }
  return v;
}

Result<std::optional<std::string>> TextQuery(const Context& ctx, std::string_view name) {
  auto raw = ctx.Query(name);
  if (!raw && !ctx.query.empty() && ctx.query.find(std::string(name) + "=") != std::string_view::npos) {
    return Status::Invalid("invalid_parameter", fmt::format("query parameter '{}' is not valid UTF-8 text", name));
  }
  if (raw && common::Utf8Length(*raw) > kMaxQueryChars) {
    return Status::Invalid("invalid_parameter", fmt::format("query parameter '{}' is too long", name));
  }
  if (raw && raw->empty()) return std::optional<std::string>();
  return raw;
}

/// Department names for list responses, read once per department per request.
class DepartmentNames {
 public:
  explicit DepartmentNames(app::Platform& p, const org::Principal& who) : p_(p), who_(who) {}
  const std::string& Of(std::int64_t id) {
    auto it = names_.find(id);
    if (it == names_.end()) {
      auto d = p_.org().GetDepartment(who_, id);
      it = names_.emplace(id, d.ok() ? d->name : std::string()).first;
    }
    return it->second;
  }

 private:
  app::Platform& p_;
  const org::Principal& who_;
  std::map<std::int64_t, std::string> names_;
};

Status ParseDepartment(const common::JsonObject& body, org::Department& d) {
  std::string kind;
  Status s = body.OnlyFields(
      {"name", "credit_code", "region_id", "kind", "responsible_unit", "contact_name", "contact_phone"});
  if (s.ok()) s = body.RequiredString("name", d.name, 100);
  if (s.ok()) s = body.RequiredString("credit_code", d.credit_code, 18);
  if (s.ok()) s = body.RequiredString("region_id", d.region_id, 16);
  if (s.ok()) s = body.RequiredString("kind", kind, 16);
  if (s.ok()) {
    auto parsed = org::ParseDepartmentKind(kind);
    if (!parsed) return Status::Invalid("invalid_enum", "kind must be 'authority' or 'department'", "/kind");
    d.kind = *parsed;
  }
  if (s.ok()) s = body.RequiredString("responsible_unit", d.responsible_unit, 100);
  if (s.ok()) s = body.RequiredString("contact_name", d.contact_name, 50);
  if (s.ok()) s = body.RequiredString("contact_phone", d.contact_phone, 20);
  return s;
}

Status ParseStatus(const common::JsonObject& body, std::optional<bool>& active) {
  std::optional<std::string> status;
  GOVSHARE_RETURN_IF_ERROR(body.OptionalString("status", status, 16));
  if (!status) return Status::Ok();
  if (*status != "active" && *status != "disabled") {
    return Status::Invalid("invalid_enum", "status must be 'active' or 'disabled'", "/status");
  }
  active = *status == "active";
  return Status::Ok();
}

// ---- regions ----

void ListRegions(app::Platform& p, Context& ctx) {
  common::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& r : p.regions().all()) WriteRegion(w, r);
  w.EndArray().EndObject();
  ctx.Json(200, w.str());
}

void GetRegion(app::Platform& p, Context& ctx) {
  const auto* r = p.regions().Find(ctx.Param("id"));
  if (r == nullptr) return ctx.Problem(Status::NotFound("no such region"));
  common::JsonWriter w;
  WriteRegion(w, *r);
  ctx.Json(200, w.str());
}

// ---- departments ----

void ListDepartments(app::Platform& p, Context& ctx) {
  using F = org::SortField;
  auto page = ParsePage(ctx, {F::kId, F::kName, F::kRegion, F::kKind, F::kCreatedAt, F::kUpdatedAt});
  if (!page.ok()) return ctx.Problem(page.status());
  org::DepartmentFilter filter;
  auto region = TextQuery(ctx, "region_id");
  auto kind = TextQuery(ctx, "kind");
  auto q = TextQuery(ctx, "q");
  for (const auto* r : {&region, &kind, &q}) {
    if (!r->ok()) return ctx.Problem(r->status());
  }
  filter.region_id = region.value();
  filter.query = q.value();
  if (kind.value()) {
    filter.kind = org::ParseDepartmentKind(*kind.value());
    if (!filter.kind) return ctx.Problem(Status::Invalid("invalid_enum", "kind must be 'authority' or 'department'"));
  }
  auto items = p.org().ListDepartments(ctx.who(), filter, page.value());
  if (!items.ok()) return ctx.Problem(items.status());
  WritePage(ctx, items.value(), page.value(),
            [&](common::JsonWriter& w, const org::Department& d) { WriteDepartment(w, d, p.regions()); });
}

void GetDepartment(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto d = p.org().GetDepartment(ctx.who(), id.value());
  if (!d.ok()) return ctx.Problem(d.status());
  common::JsonWriter w;
  WriteDepartment(w, d.value(), p.regions());
  ctx.Json(200, w.str());
}

void CreateDepartment(app::Platform& p, Context& ctx) {
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  org::Department d;
  if (auto s = ParseDepartment(body.value(), d); !s.ok()) return ctx.Problem(s);
  auto created = p.org().CreateDepartment(ctx.who(), std::move(d));
  if (!created.ok()) return ctx.Problem(created.status());
  common::JsonWriter w;
  WriteDepartment(w, created.value(), p.regions());
  ctx.headers.emplace_back("Location", fmt::format("/api/v1/departments/{}", created->id));
  ctx.Json(201, w.str());
}

void UpdateDepartment(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  org::DepartmentPatch patch;
  Status s = body->OnlyFields({"version", "name", "responsible_unit", "contact_name", "contact_phone", "status"});
  if (s.ok()) s = body->RequiredInt("version", patch.version);
  if (s.ok()) s = body->OptionalString("name", patch.name, 100);
  if (s.ok()) s = body->OptionalString("responsible_unit", patch.responsible_unit, 100);
  if (s.ok()) s = body->OptionalString("contact_name", patch.contact_name, 50);
  if (s.ok()) s = body->OptionalString("contact_phone", patch.contact_phone, 20);
  if (s.ok()) s = ParseStatus(body.value(), patch.active);
  if (!s.ok()) return ctx.Problem(s);
  auto updated = p.org().UpdateDepartment(ctx.who(), id.value(), patch);
  if (!updated.ok()) return ctx.Problem(updated.status());
  common::JsonWriter w;
  WriteDepartment(w, updated.value(), p.regions());
  ctx.Json(200, w.str());
}

// ---- users ----

void ListUsers(app::Platform& p, Context& ctx) {
  using F = org::SortField;
  auto page = ParsePage(ctx, {F::kId, F::kUsername, F::kDisplayName, F::kCreatedAt, F::kUpdatedAt});
  if (!page.ok()) return ctx.Problem(page.status());
  org::UserFilter filter;
  if (auto dept = ctx.Query("department_id")) {
    auto v = PositiveInt(dept, "department_id");
    if (!v.ok()) return ctx.Problem(v.status());
    filter.department_id = v.value();
  }
  auto q = TextQuery(ctx, "q");
  if (!q.ok()) return ctx.Problem(q.status());
  filter.query = q.value();
  auto items = p.org().ListUsers(ctx.who(), filter, page.value());
  if (!items.ok()) return ctx.Problem(items.status());
  DepartmentNames names(p, ctx.who());
  WritePage(ctx, items.value(), page.value(),
            [&](common::JsonWriter& w, const org::User& u) { WriteUser(w, u, names.Of(u.department_id)); });
}

void WriteOneUser(app::Platform& p, Context& ctx, const org::User& u, unsigned status) {
  DepartmentNames names(p, ctx.who());
  common::JsonWriter w;
  WriteUser(w, u, names.Of(u.department_id));
  ctx.Json(status, w.str());
}

void GetUser(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto u = p.org().GetUser(ctx.who(), id.value());
  if (!u.ok()) return ctx.Problem(u.status());
  WriteOneUser(p, ctx, u.value(), 200);
}

void CreateUser(app::Platform& p, Context& ctx) {
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  org::NewUser request;
  Status s = body->OnlyFields({"username", "display_name", "department_id", "roles", "valid_until"});
  if (s.ok()) s = body->RequiredString("username", request.username, 64);
  if (s.ok()) s = body->RequiredString("display_name", request.display_name, 50);
  if (s.ok()) s = body->RequiredInt("department_id", request.department_id);
  if (s.ok()) s = body->StringArray("roles", request.roles, /*required=*/true, org::kRoleCount, 32);
  if (s.ok()) s = body->OptionalString("valid_until", request.valid_until, 10);
  if (!s.ok()) return ctx.Problem(s);
  auto created = p.org().CreateUser(ctx.who(), request);
  if (!created.ok()) return ctx.Problem(created.status());
  DepartmentNames names(p, ctx.who());
  common::JsonWriter w;
  w.StartObject().Key("user");
  WriteUser(w, created->user, names.Of(created->user.department_id));
  w.Field("initial_password", created->initial_password).EndObject();
  ctx.headers.emplace_back("Location", fmt::format("/api/v1/users/{}", created->user.id));
  ctx.Json(201, w.str());
}

void UpdateUser(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  org::UserPatch patch;
  std::optional<bool> unlock;
  Status s = body->OnlyFields({"version", "display_name", "roles", "status", "valid_until", "unlock"});
  if (s.ok()) s = body->RequiredInt("version", patch.version);
  if (s.ok()) s = body->OptionalString("display_name", patch.display_name, 50);
  if (s.ok() && body->Has("roles")) {
    std::vector<std::string> roles;
    s = body->StringArray("roles", roles, true, org::kRoleCount, 32);
    patch.roles = std::move(roles);
  }
  if (s.ok()) s = ParseStatus(body.value(), patch.active);
  if (s.ok()) s = body->OptionalString("valid_until", patch.valid_until, 10);
  if (s.ok()) s = body->OptionalBool("unlock", unlock);
  if (!s.ok()) return ctx.Problem(s);
  patch.unlock = unlock.value_or(false);
  auto updated = p.org().UpdateUser(ctx.who(), id.value(), patch);
  if (!updated.ok()) return ctx.Problem(updated.status());
  WriteOneUser(p, ctx, updated.value(), 200);
}

void ResetPassword(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto password = p.org().ResetPassword(ctx.who(), id.value());
  if (!password.ok()) return ctx.Problem(password.status());
  common::JsonWriter w;
  w.StartObject().Field("initial_password", password.value()).EndObject();
  ctx.Json(200, w.str());
}

// ---- applications and keys ----

void ListApplications(app::Platform& p, Context& ctx) {
  using F = org::SortField;
  auto page = ParsePage(ctx, {F::kId, F::kName, F::kCreatedAt, F::kUpdatedAt});
  if (!page.ok()) return ctx.Problem(page.status());
  org::ApplicationFilter filter;
  if (auto dept = ctx.Query("department_id")) {
    auto v = PositiveInt(dept, "department_id");
    if (!v.ok()) return ctx.Problem(v.status());
    filter.department_id = v.value();
  }
  auto items = p.org().ListApplications(ctx.who(), filter, page.value());
  if (!items.ok()) return ctx.Problem(items.status());
  DepartmentNames names(p, ctx.who());
  WritePage(ctx, items.value(), page.value(), [&](common::JsonWriter& w, const org::Application& a) {
    WriteApplication(w, a, names.Of(a.department_id));
  });
}

void WriteOneApplication(app::Platform& p, Context& ctx, const org::Application& a, unsigned status) {
  DepartmentNames names(p, ctx.who());
  common::JsonWriter w;
  WriteApplication(w, a, names.Of(a.department_id));
  ctx.Json(status, w.str());
}

void GetApplication(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto a = p.org().GetApplication(ctx.who(), id.value());
  if (!a.ok()) return ctx.Problem(a.status());
  WriteOneApplication(p, ctx, a.value(), 200);
}

void CreateApplication(app::Platform& p, Context& ctx) {
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  org::Application a;
  std::optional<std::string> description;
  Status s = body->OnlyFields({"department_id", "name", "description"});
  if (s.ok()) s = body->RequiredInt("department_id", a.department_id);
  if (s.ok()) s = body->RequiredString("name", a.name, 100);
  if (s.ok()) s = body->OptionalString("description", description, 500);
  if (!s.ok()) return ctx.Problem(s);
  a.description = description.value_or("");
  auto created = p.org().CreateApplication(ctx.who(), std::move(a));
  if (!created.ok()) return ctx.Problem(created.status());
  ctx.headers.emplace_back("Location", fmt::format("/api/v1/applications/{}", created->id));
  WriteOneApplication(p, ctx, created.value(), 201);
}

void UpdateApplication(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  org::ApplicationPatch patch;
  Status s = body->OnlyFields({"version", "description", "status"});
  if (s.ok()) s = body->RequiredInt("version", patch.version);
  if (s.ok()) s = body->OptionalString("description", patch.description, 500);
  if (s.ok()) s = ParseStatus(body.value(), patch.active);
  if (!s.ok()) return ctx.Problem(s);
  auto updated = p.org().UpdateApplication(ctx.who(), id.value(), patch);
  if (!updated.ok()) return ctx.Problem(updated.status());
  WriteOneApplication(p, ctx, updated.value(), 200);
}

void ListKeys(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto keys = p.org().ListApiKeys(ctx.who(), id.value());
  if (!keys.ok()) return ctx.Problem(keys.status());
  const auto now = p.clock().Now();
  common::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& k : keys.value()) WriteApiKey(w, k, now);
  w.EndArray().EndObject();
  ctx.Json(200, w.str());
}

void CreateKey(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  std::string label;
  std::optional<std::int64_t> days;
  Status s = body->OnlyFields({"label", "expires_in_days"});
  if (s.ok()) s = body->RequiredString("label", label, 50);
  if (s.ok()) s = body->OptionalInt("expires_in_days", days);
  if (!s.ok()) return ctx.Problem(s);
  auto created = p.org().CreateApiKey(ctx.who(), id.value(), label, days);
  if (!created.ok()) return ctx.Problem(created.status());
  common::JsonWriter w;
  w.StartObject().Key("key");
  WriteApiKey(w, created->key, p.clock().Now());
  w.Field("api_key", created->api_key).EndObject();
  ctx.Json(201, w.str());
}

void RevokeKey(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  auto key_id = ctx.IdParam("key_id");
  if (!id.ok()) return ctx.Problem(id.status());
  if (!key_id.ok()) return ctx.Problem(key_id.status());
  if (auto s = p.org().RevokeApiKey(ctx.who(), id.value(), key_id.value()); !s.ok()) return ctx.Problem(s);
  ctx.NoContent();
}

}  // namespace

void RegisterOrgRoutes(Router& router, app::Platform& platform) {
  auto& p = platform;
  auto add = [&](verb method, std::string pattern, Permission perm, Exec exec, void (*fn)(app::Platform&, Context&)) {
    router.Add(
        {method, std::move(pattern), Access::kAuthenticated, perm, exec, [&p, fn](Context& ctx) { fn(p, ctx); }});
  };
  add(verb::get, "/api/v1/regions", Permission::kRegionRead, Exec::kInline, ListRegions);
  add(verb::get, "/api/v1/regions/{id}", Permission::kRegionRead, Exec::kInline, GetRegion);
  add(verb::get, "/api/v1/departments", Permission::kDepartmentRead, Exec::kInline, ListDepartments);
  add(verb::post, "/api/v1/departments", Permission::kDepartmentCreate, Exec::kBlocking, CreateDepartment);
  add(verb::get, "/api/v1/departments/{id}", Permission::kDepartmentRead, Exec::kInline, GetDepartment);
  add(verb::patch, "/api/v1/departments/{id}", Permission::kDepartmentUpdate, Exec::kBlocking, UpdateDepartment);
  add(verb::get, "/api/v1/users", Permission::kUserRead, Exec::kInline, ListUsers);
  add(verb::post, "/api/v1/users", Permission::kUserCreate, Exec::kBlocking, CreateUser);
  add(verb::get, "/api/v1/users/{id}", Permission::kUserRead, Exec::kInline, GetUser);
  add(verb::patch, "/api/v1/users/{id}", Permission::kUserUpdate, Exec::kBlocking, UpdateUser);
  add(verb::post, "/api/v1/users/{id}/reset-password", Permission::kUserUpdate, Exec::kBlocking, ResetPassword);
  add(verb::get, "/api/v1/applications", Permission::kApplicationRead, Exec::kInline, ListApplications);
  add(verb::post, "/api/v1/applications", Permission::kApplicationCreate, Exec::kBlocking, CreateApplication);
  add(verb::get, "/api/v1/applications/{id}", Permission::kApplicationRead, Exec::kInline, GetApplication);
  add(verb::patch, "/api/v1/applications/{id}", Permission::kApplicationUpdate, Exec::kBlocking, UpdateApplication);
  add(verb::get, "/api/v1/applications/{id}/keys", Permission::kApplicationRead, Exec::kInline, ListKeys);
  add(verb::post, "/api/v1/applications/{id}/keys", Permission::kApiKeyCreate, Exec::kBlocking, CreateKey);
  add(verb::delete_, "/api/v1/applications/{id}/keys/{key_id}", Permission::kApiKeyRevoke, Exec::kBlocking, RevokeKey);
}

}  // namespace govshare::http::handlers
