// The data access API for applications (Art. 12, 14, 16, 21, 30): key lookup, verification, filtered queries with
// cursors, streamed exports and the change feed under a grant, every call recorded in the audit log before its answer
// leaves (Route::audit = kOutcome), denials included; an export's stream is closed by a second record with its row
// count and the SHA-256 of the whole body.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

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

constexpr std::string_view kCsvType = "text/csv; charset=utf-8";
constexpr std::string_view kJsonLinesType = "application/x-ndjson";

/// The filter of a query parameter named `<op>.<item>` (eq, gte, lte, prefix), or nullopt if the name is not one.
std::optional<exchange::ItemFilter> ParseFilter(const std::string& name, std::string value) {
  static const std::pair<std::string_view, exchange::Filter::Op> kOps[] = {{"eq.", exchange::Filter::Op::kEq},
                                                                           {"gte.", exchange::Filter::Op::kGe},
                                                                           {"lte.", exchange::Filter::Op::kLe},
                                                                           {"prefix.", exchange::Filter::Op::kPrefix}};
  for (const auto& [prefix, op] : kOps) {
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0) {
      return exchange::ItemFilter{name.substr(prefix.size()), op, std::move(value)};
    }
  }
  return std::nullopt;
}

/// A non-negative integer query parameter; nullopt if malformed.
std::optional<std::int64_t> Number(const std::string& text) {
  constexpr std::size_t kMaxDigits = 18;
  if (text.empty() || text.size() > kMaxDigits ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoll(text);
}

/// The query string of a query or export: filters, and the parameters in `allowed` (limit, cursor, format). Unknown
/// parameters are refused, so that a misspelt filter never silently widens the answer.
Status ParseQuery(const Context& ctx, std::initializer_list<std::string_view> allowed, exchange::QueryCall& q,
                  std::string& format) {
  auto pairs = ctx.QueryPairs();
  if (!pairs) return Status::Invalid("invalid_parameter", "the query string is malformed");
  for (auto& [name, value] : *pairs) {
    const bool known = std::find(allowed.begin(), allowed.end(), name) != allowed.end();
    if (known && name == "limit") {
      auto n = Number(value);
      if (!n || *n < 1 || *n > exchange::kMaxQueryLimit) {
        return Status::Invalid("invalid_limit", fmt::format("limit must be 1..{}", exchange::kMaxQueryLimit), "limit");
      }
      q.limit = static_cast<int>(*n);
    } else if (known && name == "cursor") {
      if (value.empty()) return Status::Invalid("invalid_cursor", "the cursor is empty", "cursor");
      q.cursor = std::move(value);
    } else if (known && name == "format") {
      format = std::move(value);
    } else if (auto f = ParseFilter(name, std::move(value))) {
      q.filters.push_back(std::move(*f));
    } else {
      return Status::Invalid(
          "invalid_parameter",
          fmt::format("unknown parameter '{}' (filters are eq.ITEM, gte.ITEM, lte.ITEM, prefix.ITEM)", name), name);
    }
  }
  return Status::Ok();
}

/// Runs a data call whose parameters have been parsed (`parsed`): a refusal is audited like any denial.
template <typename Fn>
void Answer(Context& ctx, const exchange::DataCall& call, const Status& parsed, Fn fn) {
  exchange::Served served;
  served.grant_id = call.grant_id;
  served.business_ref = call.business_ref;
  ctx.audit.query = std::string(ctx.query);
  if (!parsed.ok()) {
    Record(ctx, served);
    return ctx.Problem(parsed);
  }
  auto body = fn(served);
  Record(ctx, served);
  if (!body.ok()) return ctx.Problem(body.status());
  ctx.Json(200, std::move(body.value()));
}

void QueryRecords(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("dataset");
  if (!id.ok()) return ctx.Problem(id.status());
  exchange::QueryCall query;
  std::string format;
  const Status parsed = ParseQuery(ctx, {"limit", "cursor"}, query, format);
  const auto call = Call(ctx, id.value());
  Answer(ctx, call, parsed, [&](exchange::Served& served) { return p.data().Query(ctx.who(), call, query, served); });
}

void Changes(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("dataset");
  if (!id.ok()) return ctx.Problem(id.status());
  std::int64_t since = 0;
  int limit = exchange::QueryCall::kDefaultPageRows;
  Status parsed = Status::Ok();
  auto pairs = ctx.QueryPairs();
  if (!pairs) parsed = Status::Invalid("invalid_parameter", "the query string is malformed");
  for (const auto& [name, value] : pairs.value_or(decltype(pairs)::value_type{})) {
    if (!parsed.ok()) break;
    auto n = Number(value);
    if (name == "since") {
      if (!n) parsed = Status::Invalid("invalid_since", "since is a change sequence number, 0 or more", "since");
      since = n.value_or(0);
    } else if (name == "limit") {
      if (!n || *n < 1 || *n > exchange::kMaxQueryLimit) {
        parsed =
            Status::Invalid("invalid_limit", fmt::format("limit must be 1..{}", exchange::kMaxQueryLimit), "limit");
      }
      limit = static_cast<int>(n.value_or(0));
    } else {
      parsed = Status::Invalid("invalid_parameter", fmt::format("unknown parameter '{}' (since, limit)", name), name);
    }
  }
  const auto call = Call(ctx, id.value());
  Answer(ctx, call, parsed,
         [&](exchange::Served& served) { return p.data().Changes(ctx.who(), call, since, limit, served); });
}

/// The export's format: ?format=csv|jsonl, else the Accept header (text/csv, application/x-ndjson or
/// application/jsonl), else CSV.
std::optional<exchange::ExportFormat> FormatOf(const Context& ctx, const std::string& format) {
  if (format == "csv") return exchange::ExportFormat::kCsv;
  if (format == "jsonl") return exchange::ExportFormat::kJsonLines;
  if (!format.empty()) return std::nullopt;
  const std::string_view accept = ctx.request[boost::beast::http::field::accept];
  if (accept.find("ndjson") != std::string_view::npos || accept.find("jsonl") != std::string_view::npos) {
    return exchange::ExportFormat::kJsonLines;
  }
  return exchange::ExportFormat::kCsv;
}

void ExportRecords(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("dataset");
  if (!id.ok()) return ctx.Problem(id.status());
  exchange::QueryCall query;
  std::string format_name;
  Status parsed = ParseQuery(ctx, {"format"}, query, format_name);
  const auto format = FormatOf(ctx, format_name);
  if (parsed.ok() && !format) parsed = Status::Invalid("invalid_format", "format is csv or jsonl", "format");
  const auto call = Call(ctx, id.value());
  exchange::Served served;
  served.grant_id = call.grant_id;
  served.business_ref = call.business_ref;
  ctx.audit.query = std::string(ctx.query);
  common::Result<exchange::ExportPlan> plan =
      parsed.ok() ? p.data().Export(ctx.who(), call, query, served) : common::Result<exchange::ExportPlan>(parsed);
  Record(ctx, served);
  // The body is not known yet: this record (durable before the first byte) names the query; the record that closes
  // the stream carries the row count and the SHA-256 of the whole body (AuditPhase::kStreamEnd).
  ctx.audit.hash_body = false;
  if (!plan.ok()) return ctx.Problem(plan.status());
  const bool csv = *format == exchange::ExportFormat::kCsv;
  ctx.headers.emplace_back("Content-Disposition",
                           fmt::format("attachment; filename=\"dataset-{}.{}\"", id.value(), csv ? "csv" : "jsonl"));
  ctx.Stream(200, std::string(csv ? kCsvType : kJsonLinesType),
             [plan = std::move(plan.value()), format = *format](BodyWriter& out, AuditDetail& end) {
               return plan.Run(
                   format, [&out](std::string_view bytes) { return out.Write(bytes); }, end.row_count);
             });
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
  // A physical lookup is a prepared statement on the read pool (inline); a page of up to 1,000 rows or change-feed
  // entries runs on the blocking pool; an export's checks are inline and its rows are streamed from the blocking pool.
  auto add = [&](verb method, std::string pattern, void (*fn)(app::Platform&, Context&), Exec exec = Exec::kInline) {
    Route r;
    r.method = method;
    r.pattern = std::move(pattern);
    r.access = Access::kAuthenticated;  // applications' API keys; the service refuses users (applications_only)
    r.exec = exec;
    r.audit = AuditPolicy::kOutcome;  // one durable record per call, before the answer leaves
    r.handler = [&platform, fn](Context& ctx) { fn(platform, ctx); };
    r.blocking_when = [&platform](const Context& ctx) { return platform.data().IsLogical(DatasetParam(ctx)); };
    router.Add(std::move(r));
  };
  add(verb::get, "/api/v1/data/{dataset}/records/{key}", LookupRecord);
  add(verb::post, "/api/v1/data/{dataset}/verify", Verify);
  add(verb::get, "/api/v1/data/{dataset}/records", QueryRecords, Exec::kBlocking);
  add(verb::get, "/api/v1/data/{dataset}/export", ExportRecords);
  add(verb::get, "/api/v1/data/{dataset}/changes", Changes, Exec::kBlocking);
}

}  // namespace govshare::http::handlers
