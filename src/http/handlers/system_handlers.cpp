#include "app/platform.hpp"
#include "http/handlers/handlers.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;

void RegisterAll(Router& router, app::Platform& platform) {
  RegisterSystemRoutes(router, platform);
  RegisterAuthRoutes(router, platform);
  RegisterOrgRoutes(router, platform);
  RegisterCalendarRoutes(router, platform);
  RegisterCaseRoutes(router, platform);
  RegisterAuditRoutes(router, platform);
  RegisterCatalogRoutes(router, platform);
  RegisterSharingRoutes(router, platform);
  RegisterDatasetRoutes(router, platform);
  RegisterEndpointRoutes(router, platform);
  RegisterDataRoutes(router, platform);
  RegisterStatsRoutes(router, platform);
}

void RegisterSystemRoutes(Router& router, app::Platform& platform) {
  router.Add({verb::get, "/healthz", Access::kPublic, std::nullopt, Exec::kInline,
              [](Context& ctx) { ctx.Json(200, R"({"status":"ok"})"); }});
  // Blocking: on PostgreSQL readiness asks the server.
  router.Add({verb::get, "/readyz", Access::kPublic, std::nullopt, Exec::kBlocking, [&platform](Context& ctx) {
                const auto status = platform.Ready();
                if (!status.ok()) return ctx.Problem(status);
                ctx.Json(200, R"({"status":"ready"})");
              }});
  router.Add({verb::get, "/metrics", Access::kPublic, std::nullopt, Exec::kBlocking, [&platform](Context& ctx) {
                ctx.status = 200;
                ctx.body = platform.metrics().Render();
                ctx.content_type = "text/plain; version=0.0.4; charset=utf-8";
              }});
  router.Add({verb::get, "/api/openapi.json", Access::kPublic, std::nullopt, Exec::kInline,
              [](Context& ctx) { ctx.Json(200, kOpenApiDocument); }});
}

}  // namespace govshare::http::handlers
