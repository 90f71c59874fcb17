#include <fmt/format.h>

#include "app/platform.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/org_json.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;
using common::Status;

namespace {

constexpr std::size_t kMaxUsernameChars = 64;
constexpr std::size_t kMaxPasswordChars = 128;

std::string SessionCookie(std::string_view name, std::string_view value, std::int64_t max_age, bool http_only) {
  return fmt::format("{}={}; Path=/; Max-Age={}; SameSite=Strict{}", name, value, max_age,
                     http_only ? "; HttpOnly" : "");
}

void Login(app::Platform& platform, Context& ctx) {
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  std::string username;
  std::string password;
  Status s = body->OnlyFields({"username", "password"});
  if (s.ok()) s = body->RequiredString("username", username, kMaxUsernameChars);
  if (s.ok()) s = body->RequiredString("password", password, kMaxPasswordChars);
  if (!s.ok()) return ctx.Problem(s);
  ctx.audit_subject = username;
  auto result = platform.org().Login(username, password, ctx.client_address);
  if (!result.ok()) return ctx.Problem(result.status());
  const auto& r = result.value();
  const std::int64_t ttl = r.session.expires_at - r.session.created_at;
  ctx.headers.emplace_back("Set-Cookie", SessionCookie("gs_session", r.token, ttl, true));
  ctx.headers.emplace_back("Set-Cookie", SessionCookie("gs_csrf", r.session.csrf_token, ttl, false));
  common::JsonWriter w;
  w.StartObject()
      .Field("token", r.token)
      .Field("csrf_token", r.session.csrf_token)
      .Field("expires_at", common::FormatRfc3339(r.session.expires_at));
  w.Key("user");
  WritePrincipalUser(w, r.principal);
  w.EndObject();
  ctx.Json(200, w.str());
}

void Logout(app::Platform& platform, Context& ctx) {
  if (ctx.who().kind != org::Principal::Kind::kUser) {
    return ctx.Problem(Status::Invalid("not_a_session", "API keys are revoked, not logged out"));
  }
  if (auto s = platform.org().Logout(ctx.bearer_token); !s.ok()) return ctx.Problem(s);
  ctx.headers.emplace_back("Set-Cookie", SessionCookie("gs_session", "", 0, true));
  ctx.headers.emplace_back("Set-Cookie", SessionCookie("gs_csrf", "", 0, false));
  ctx.NoContent();
}

void Me(app::Platform& platform, Context& ctx) {
  const auto& p = ctx.who();
  common::JsonWriter w;
  w.StartObject();
  if (p.kind == org::Principal::Kind::kUser) {
    w.Field("kind", "user").Key("user");
    WritePrincipalUser(w, p);
    w.Field("permissions", platform.authorizer().PermissionNames(p));
    w.Key("session").StartObject().Field("expires_at", common::FormatRfc3339(p.expires_at)).EndObject();
  } else {
    w.Field("kind", "application").Key("application").StartObject();
    w.Field("id", p.id)
        .Field("name", p.name)
        .Field("department_id", p.department_id)
        .Field("department_name", p.department_name)
        .Field("region_id", p.region_id)
        .Field("key_expires_at", common::FormatRfc3339(p.expires_at))
        .EndObject();
    w.Field("permissions", std::vector<std::string>{});
  }
  w.EndObject();
  ctx.Json(200, w.str());
}

void ChangePassword(app::Platform& platform, Context& ctx) {
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  std::string current;
  std::string next;
  Status s = body->OnlyFields({"current_password", "new_password"});
  if (s.ok()) s = body->RequiredString("current_password", current, kMaxPasswordChars);
  if (s.ok()) s = body->RequiredString("new_password", next, kMaxPasswordChars);
  if (s.ok()) s = platform.org().ChangePassword(ctx.who(), current, next);
  if (!s.ok()) return ctx.Problem(s);
  ctx.NoContent();
}

void Roles(Context& ctx) {
  common::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (int i = 0; i < org::kRoleCount; ++i) {
    const auto role = static_cast<org::Role>(i);
    w.StartObject()
        .Field("name", org::RoleName(role))
        .Field("description", org::RoleDescription(role))
        .Field("permissions", org::Authorizer::PermissionsOfRole(role))
        .EndObject();
  }
  w.EndArray().EndObject();
  ctx.Json(200, w.str());
}

}  // namespace

void RegisterAuthRoutes(Router& router, app::Platform& platform) {
  auto& p = platform;
  router.Add({verb::post, "/api/v1/auth/login", Access::kPublic, std::nullopt, Exec::kBlocking,
              [&p](Context& ctx) { Login(p, ctx); }});
  router.Add({verb::post, "/api/v1/auth/logout", Access::kAuthenticated, std::nullopt, Exec::kBlocking,
              [&p](Context& ctx) { Logout(p, ctx); }, /*before_password_change=*/true});
  router.Add({verb::get, "/api/v1/me", Access::kAuthenticated, std::nullopt, Exec::kInline,
              [&p](Context& ctx) { Me(p, ctx); }, /*before_password_change=*/true});
  router.Add({verb::post, "/api/v1/me/password", Access::kAuthenticated, std::nullopt, Exec::kBlocking,
              [&p](Context& ctx) { ChangePassword(p, ctx); }, /*before_password_change=*/true});
  router.Add({verb::get, "/api/v1/roles", Access::kAuthenticated, std::nullopt, Exec::kInline,
              [](Context& ctx) { Roles(ctx); }});
}

}  // namespace govshare::http::handlers
