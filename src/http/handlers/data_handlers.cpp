// The data access API for applications (Art. 12, 14, 16, 21, 30): key lookup and verification under a grant, every
// call recorded in the audit log before its answer leaves (Route::audit = kOutcome), denials included.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/platform.hpp"
#include "common/json.hpp"
#include "http/handlers/handlers.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;
using common::Status;

namespace {

constexpr std::size_t kMaxVerifyFields = 64;

exchange::DataCall Call(const Context& ctx, std::int64_t dataset) {
  exchange::DataCall call;
  call.grant_id = std::string(ctx.request["X-Grant-Id"]);
  call.business_ref = std::string(ctx.request["X-Business-Ref"]);
  call.dataset_id = dataset;
  return call;
}

/// The audit record's data-access fields, as far as the call got (denials included).
void Record(Context& ctx, const exchange::Served& served) {
  ctx.audit.grant_id = served.grant_id;
  ctx.audit.scenario = served.scenario;
  ctx.audit.business_ref = served.business_ref;
  ctx.audit.fields = served.fields;
  ctx.audit.row_count = served.rows;
  ctx.audit.hash_body = true;  // the SHA-256 of the body as sent (successes only)
}

std::int64_t DatasetParam(const Context& ctx) {
  auto id = ctx.IdParam("dataset");
  return id.ok() ? id.value() : 0;
}

void LookupRecord(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("dataset");
  if (!id.ok()) return ctx.Problem(id.status());
  auto key = UrlDecode(ctx.Param("key"));
  if (!key || key->size() > 256) return ctx.Problem(Status::Invalid("invalid_key", "the key is malformed", "key"));
  exchange::Served served;
  auto body = p.data().Lookup(ctx.who(), Call(ctx, id.value()), *key, served);
  Record(ctx, served);
  if (!body.ok()) return ctx.Problem(body.status());
  ctx.Json(200, std::move(body.value()));
}

void Verify(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("dataset");
  if (!id.ok()) return ctx.Problem(id.status());
  exchange::Served served;
  exchange::DataCall call = Call(ctx, id.value());
  served.grant_id = call.grant_id;
  served.business_ref = call.business_ref;
  nlohmann::json body;
  Status s = ctx.JsonDocument(body);
  // {"fields": {"公民身份号码": "…", "姓名": "…"}}: every value a string.
  std::vector<std::pair<std::string, std::string>> fields;
  if (s.ok() && (!body.is_object() || body.size() != 1 || !body.contains("fields") || !body["fields"].is_object() ||
                 body["fields"].size() > kMaxVerifyFields)) {
    s = Status::Invalid("wrong_type", "the body is {\"fields\": {item: value, …}} with at most 64 fields", "/fields");
  }
  if (s.ok()) {
    for (const auto& [item, value] : body["fields"].items()) {
      if (!value.is_string() || value.get_ref<const std::string&>().size() > 256 ||
          !common::IsCleanText(value.get_ref<const std::string&>())) {
        s = Status::Invalid("wrong_type", fmt::format("'{}' must be a text of at most 256 bytes", item),
                            "/fields/" + item);
        break;
      }
      fields.emplace_back(item, value.get<std::string>());
    }
  }
  if (!s.ok()) {
    Record(ctx, served);
    return ctx.Problem(s);
  }
  auto answer = p.data().Verify(ctx.who(), call, fields, served);
  Record(ctx, served);
  if (!answer.ok()) return ctx.Problem(answer.status());
  ctx.Json(200, std::move(answer.value()));
}

}  // namespace

void RegisterDataRoutes(Router& router, app::Platform& platform) {
  auto add = [&](verb method, std::string pattern, void (*fn)(app::Platform&, Context&)) {
    Route r;
    r.method = method;
    r.pattern = std::move(pattern);
    r.access = Access::kAuthenticated;  // applications' API keys; the service refuses users (applications_only)
    r.exec = Exec::kInline;             // a physical read is a prepared statement on the read pool
    r.audit = AuditPolicy::kOutcome;    // one durable record per call, before the answer leaves
    r.handler = [&platform, fn](Context& ctx) { fn(platform, ctx); };
    r.blocking_when = [&platform](const Context& ctx) { return platform.data().IsLogical(DatasetParam(ctx)); };
    router.Add(std::move(r));
  };
  add(verb::get, "/api/v1/data/{dataset}/records/{key}", LookupRecord);
  add(verb::post, "/api/v1/data/{dataset}/verify", Verify);
}

}  // namespace govshare::http::handlers
