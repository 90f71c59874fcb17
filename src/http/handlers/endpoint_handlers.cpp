// Providers' service interfaces for logical access (Art. 12, 16): registration, reading (never the secret) and a
// health check with the circuit's state.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/platform.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;
using common::Status;
using nlohmann::json;
using org::Permission;

namespace {

json EndpointJson(app::Platform& p, const exchange::Endpoint& e) {
  const auto circuit = p.endpoints().client().Circuit(e.entry_id);
  return {{"entry_id", e.entry_id},
          {"url", e.url},
          {"method", e.method},
          {"key_param", e.key_param},
          {"field_map", e.field_map},
          {"auth", e.auth},
          {"auth_header", e.auth_header},
          {"timeout_ms", e.timeout_ms},
          {"health_url", e.health_url},
          {"updated_by", e.updated_by},
          {"updated_at", common::FormatRfc3339(e.updated_at)},
          {"circuit",
           {{"state", circuit.state},
            {"consecutive_failures", circuit.consecutive_failures},
            {"retry_at", circuit.retry_at ? json(common::FormatRfc3339(*circuit.retry_at)) : json(nullptr)}}}};
}

void PutEndpoint(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  json body;
  if (auto s = ctx.JsonDocument(body); !s.ok()) return ctx.Problem(s);
  if (!body.is_object()) return ctx.Problem(Status::Invalid("wrong_type", "the body is a JSON object"));
  exchange::Endpoint e;
  e.entry_id = id.value();
  static const std::vector<std::string> kAllowed = {"url",         "method", "key_param",  "field_map", "auth",
                                                    "auth_header", "secret", "timeout_ms", "health_url"};
  for (const auto& [k, v] : body.items()) {
    if (std::find(kAllowed.begin(), kAllowed.end(), k) == kAllowed.end()) {
      return ctx.Problem(Status::Invalid("unknown_field", fmt::format("unknown field '{}'", k), "/" + k));
    }
  }
  auto text = [&](const char* name, std::string& out, bool required) -> Status {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
      return required ? Status::Invalid("missing_field", fmt::format("field '{}' is required", name),
                                        std::string("/") + name)
                      : Status::Ok();
    }
    if (!it->is_string() || it->get_ref<const std::string&>().size() > 2048) {
      return Status::Invalid("wrong_type", fmt::format("'{}' must be text", name), std::string("/") + name);
    }
    out = it->get<std::string>();
    return Status::Ok();
  };
  Status s = text("url", e.url, true);
  if (s.ok()) s = text("method", e.method, false);
  if (s.ok()) s = text("key_param", e.key_param, false);
  if (s.ok()) s = text("auth", e.auth, false);
  if (s.ok()) s = text("auth_header", e.auth_header, false);
  if (s.ok()) s = text("secret", e.secret, false);
  if (s.ok()) s = text("health_url", e.health_url, false);
  if (s.ok()) {
    if (auto it = body.find("timeout_ms"); it != body.end() && !it->is_null()) {
      if (!it->is_number_integer()) {
        s = Status::Invalid("wrong_type", "'timeout_ms' must be an integer", "/timeout_ms");
      } else {
        e.timeout_ms = it->get<std::int64_t>();
      }
    }
  }
  if (s.ok()) {
    if (auto it = body.find("field_map"); it != body.end() && !it->is_null()) {
      if (!it->is_object() || it->size() > 500) {
        s = Status::Invalid("wrong_type", "'field_map' maps item names to answer fields", "/field_map");
      } else {
        for (const auto& [item, field] : it->items()) {
          if (!field.is_string()) {
            s = Status::Invalid("wrong_type", "'field_map' maps item names to answer fields", "/field_map");
            break;
          }
          e.field_map[item] = field.get<std::string>();
        }
      }
    }
  }
  if (!s.ok()) return ctx.Problem(s);
  auto saved = p.endpoints().Register(ctx.who(), e);
  if (!saved.ok()) return ctx.Problem(saved.status());
  ctx.Json(200, EndpointJson(p, saved.value()).dump());
}

void GetEndpoint(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto e = p.endpoints().Get(ctx.who(), id.value());
  if (!e.ok()) return ctx.Problem(e.status());
  ctx.Json(200, EndpointJson(p, e.value()).dump());
}

void CheckEndpoint(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto latency = p.endpoints().CheckHealth(ctx.who(), id.value());
  if (!latency.ok() && (latency.status().code() == "not_found" || latency.status().code() == "no_health_url")) {
    return ctx.Problem(latency.status());
  }
  json out = {{"healthy", latency.ok()}};
  if (latency.ok()) {
    out["latency_ms"] = latency.value();
  } else {
    out["error"] = latency.status().message();
  }
  ctx.Json(200, out.dump());
}

}  // namespace

void RegisterEndpointRoutes(Router& router, app::Platform& platform) {
  auto add = [&](verb method, std::string pattern, Permission perm, Exec exec, PlatformHandler fn) {
    AddRoute(router, platform, method, std::move(pattern), perm, exec, fn);
  };
  // Route level: anyone who may read the catalog; the service lets only the provider's staff register, and only
  // them, their authority and the administrator read (deny by default, 404 for what one may not see).
  add(verb::put, "/api/v1/datasets/{id}/endpoint", Permission::kCatalogRead, Exec::kBlocking, PutEndpoint);
  add(verb::get, "/api/v1/datasets/{id}/endpoint", Permission::kCatalogRead, Exec::kBlocking, GetEndpoint);
  add(verb::post, "/api/v1/datasets/{id}/endpoint/check", Permission::kCatalogRead, Exec::kBlocking, CheckEndpoint);
}

}  // namespace govshare::http::handlers
