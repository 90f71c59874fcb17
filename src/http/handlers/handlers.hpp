#pragma once

#include "http/router.hpp"

namespace govshare::app {
class Platform;
}

namespace govshare::http::handlers {

/// Adds every route of the platform. Each capability has its own file and Register function.
void RegisterAll(Router& router, app::Platform& platform);

void RegisterSystemRoutes(Router& router, app::Platform& platform);
void RegisterAuthRoutes(Router& router, app::Platform& platform);
void RegisterOrgRoutes(Router& router, app::Platform& platform);
void RegisterCalendarRoutes(Router& router, app::Platform& platform);
void RegisterCaseRoutes(Router& router, app::Platform& platform);
void RegisterAuditRoutes(Router& router, app::Platform& platform);
void RegisterCatalogRoutes(Router& router, app::Platform& platform);
void RegisterSharingRoutes(Router& router, app::Platform& platform);
void RegisterDatasetRoutes(Router& router, app::Platform& platform);
void RegisterEndpointRoutes(Router& router, app::Platform& platform);
void RegisterDataRoutes(Router& router, app::Platform& platform);
void RegisterStatsRoutes(Router& router, app::Platform& platform);

/// The OpenAPI 3.1 document served at /api/openapi.json (docs/openapi.json, embedded at build time).
extern const char* const kOpenApiDocument;

}  // namespace govshare::http::handlers
