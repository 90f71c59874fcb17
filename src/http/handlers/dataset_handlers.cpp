// Datasets and aggregation for providers (Art. 12): list, describe, snapshot loads, incremental batches, staleness.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstring>

#include "app/platform.hpp"
#include "common/crypto.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;
using common::Status;
using nlohmann::json;
using org::Permission;
namespace ex = govshare::exchange;

namespace {

constexpr std::size_t kMaxIdempotencyKey = 128;

const char* StorageName(ex::Storage s) {
  switch (s) {
    case ex::Storage::kText:
      return "text";
    case ex::Storage::kInteger:
      return "integer";
    case ex::Storage::kReal:
      return "real";
    case ex::Storage::kNumeric:
      return "numeric";
  }
  return "text";
}

json Time(const std::optional<common::UnixSeconds>& t) { return t ? json(common::FormatRfc3339(*t)) : json(nullptr); }

bool IsStale(const ex::Dataset& d, common::UnixSeconds now) {
  const auto max_age = ex::MaxAgeSeconds(d.update_frequency);
  return max_age && (!d.last_load_at || now - *d.last_load_at > *max_age);
}

json Summary(const ex::Dataset& d, common::UnixSeconds now) {
  return {{"id", d.id},
          {"name", d.name},
          {"resource_code", d.resource_code},
          {"provider_department_id", d.provider_department_id},
          {"region_id", d.region_id},
          {"entry_version", d.entry_version},
          {"update_frequency", d.update_frequency},
          {"row_count", d.row_count},
          {"last_load_at", Time(d.last_load_at)},
          {"last_seq", d.last_seq},
          {"stale", IsStale(d, now)},
          {"created_at", common::FormatRfc3339(d.created_at)}};
}

json Detail(const ex::Dataset& d, common::UnixSeconds now) {
  json out = Summary(d, now);
  json columns = json::array();
  for (const auto& c : d.columns) {
    columns.push_back({{"position", c.position},
                       {"name", c.name},
                       {"element", c.element},
                       {"data_type", c.data_type},
                       {"length", c.length},
                       {"key", c.key_order > 0},
                       {"personal", c.personal},
                       {"level", c.level},
                       {"storage", StorageName(c.storage)},
                       {"added_in", c.added_in},
                       {"retired_in", c.retired_in ? json(*c.retired_in) : json(nullptr)}});
  }
  out["columns"] = std::move(columns);
  json key = json::array();
  for (int k : d.key) key.push_back(d.columns[static_cast<std::size_t>(k)].name);
  out["key"] = std::move(key);
  out["region_column"] = d.region_column ? json(d.columns[static_cast<std::size_t>(*d.region_column)].name) : json();
  return out;
}

common::Result<ex::LoadMode> ModeOf(const std::optional<std::string>& mode, const char* field) {
  if (!mode || *mode == "reject") return ex::LoadMode::kReject;
  if (*mode == "keep_good") return ex::LoadMode::kKeepGood;
  return Status::Invalid("invalid_enum", "mode is reject or keep_good", field);
}

/// The report as the answer: 200 when applied; 422 rows_rejected (every rejection in `errors`) when reject mode
/// refused the load. Both carry the report's counts.
void WriteReport(Context& ctx, const ex::LoadReport& r) {
  if (r.applied) return ctx.Json(200, ex::ReportJson(r));
  json report = json::parse(ex::ReportJson(r));
  json errors = std::move(report["rejections"]);
  ctx.Problem(
      Status::Unprocessable("rows_rejected", fmt::format("nothing was loaded: {} of {} row(s) rejected; first "
                                                         "on row {} ({})",
                                                         r.rows_rejected, r.rows_read,
                                                         r.rejections.empty() ? 0 : r.rejections.front().row,
                                                         r.rejections.empty() ? "" : r.rejections.front().rule)),
      errors.dump());
}

constexpr auto kDatasetSorts = {org::SortField::kId, org::SortField::kName, org::SortField::kResourceCode,
                                org::SortField::kRowCount, org::SortField::kLastLoadAt};

/// Responds {"items":[...],"next_cursor":...} for a page of a dataset list; `dataset(row)` is the row's dataset.
template <typename Row, typename DatasetOf, typename WriteItem>
void RespondDatasets(Context& ctx, const std::vector<Row>& rows, const org::PageRequest& page, DatasetOf dataset,
                     WriteItem item) {
  json items = json::array();
  for (const auto& r : rows) items.push_back(item(r));
  json out = {{"items", items}, {"next_cursor", nullptr}};
  if (static_cast<int>(rows.size()) == page.limit && !rows.empty()) {
    const ex::Dataset& last = dataset(rows.back());
    out["next_cursor"] = PageCursor(page, last.id, ex::SortValueOf(last, page.sort));
  }
  ctx.Json(200, out.dump());
}

void List(app::Platform& p, Context& ctx) {
  auto page = ParsePage(ctx, kDatasetSorts);
  if (!page.ok()) return ctx.Problem(page.status());
  const auto now = p.clock().Now();
  const auto rows = p.exchange().List(ctx.Query("q").value_or(""), page.value());
  RespondDatasets(
      ctx, rows, page.value(), [](const auto& d) -> const ex::Dataset& { return *d; },
      [&](const auto& d) { return Summary(*d, now); });
}

void Stale(app::Platform& p, Context& ctx) {
  auto page = ParsePage(ctx, kDatasetSorts);
  if (!page.ok()) return ctx.Problem(page.status());
  const auto now = p.clock().Now();
  const auto rows = p.exchange().Stale(ctx.Query("q").value_or(""), page.value());
  RespondDatasets(
      ctx, rows, page.value(), [](const ex::StaleDataset& s) -> const ex::Dataset& { return *s.dataset; },
      [&](const ex::StaleDataset& s) {
        json j = Summary(*s.dataset, now);
        j["overdue_seconds"] = s.overdue_seconds ? json(*s.overdue_seconds) : json(nullptr);
        return j;
      });
}

void Get(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto d = p.exchange().Ensure(id.value());
  if (!d.ok()) return ctx.Problem(d.status());
  ctx.Json(200, Detail(*d.value(), p.clock().Now()).dump());
}

void Load(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  if (auto d = p.exchange().Loadable(ctx.who(), id.value()); !d.ok()) return ctx.Problem(d.status());
  ex::DatasetStore::LoadOptions options;
  const std::string type(ctx.request[boost::beast::http::field::content_type]);
  const std::string media = type.substr(0, type.find(';'));
  const auto format = ctx.Query("format");
  if (format ? *format == "csv" : media == "text/csv") {
    options.format = ex::LoadFormat::kCsv;
  } else if (format ? (*format == "jsonl" || *format == "ndjson")
                    : (media == "application/x-ndjson" || media == "application/jsonl")) {
    options.format = ex::LoadFormat::kJsonLines;
  } else {
    return ctx.Problem({common::ErrorKind::kUnsupportedMedia, "unsupported_media_type",
                        "send text/csv or application/x-ndjson (or ?format=csv|jsonl)"});
  }
  const auto encoding = ctx.Query("encoding")
                            .value_or(type.find("charset=gb18030") != std::string::npos ||
                                              type.find("charset=GB18030") != std::string::npos
                                          ? "gb18030"
                                          : "utf-8");
  if (encoding == "gb18030" || encoding == "GB18030") {
    options.encoding = ex::Encoding::kGb18030;
  } else if (encoding != "utf-8" && encoding != "UTF-8" && encoding != "utf8") {
    return ctx.Problem(Status::Invalid("invalid_enum", "encoding is utf-8 or gb18030", "?encoding"));
  }
  auto mode = ModeOf(ctx.Query("mode"), "?mode");
  if (!mode.ok()) return ctx.Problem(mode.status());
  options.mode = mode.value();
  const std::string& body = ctx.request.body();
  std::size_t offset = 0;
  common::ByteSource source = [&body, &offset](char* out, std::size_t capacity) {
    const std::size_t n = std::min(capacity, body.size() - offset);
    std::memcpy(out, body.data() + offset, n);
    offset += n;
    return n;
  };
  auto report = p.exchange().Load(ctx.who(), id.value(), source, options);
  if (!report.ok()) return ctx.Problem(report.status());
  WriteReport(ctx, report.value());
}

/// A JSON scalar as a cell: text as is, numbers and booleans as their JSON text, null as absent.
common::Result<std::optional<std::string>> Cell(const json& v, const std::string& where) {
  if (v.is_null()) return std::optional<std::string>();
  if (v.is_string()) return std::optional<std::string>(v.get<std::string>());
  if (v.is_number() || v.is_boolean()) return std::optional<std::string>(v.dump());
  return Status::Invalid("wrong_type", "values are text, numbers, booleans or null", where);
}

void Batch(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  if (auto d = p.exchange().Loadable(ctx.who(), id.value()); !d.ok()) return ctx.Problem(d.status());
  const auto key = ctx.request["Idempotency-Key"];
  if (key.empty()) {
    return ctx.Problem(Status::Invalid("idempotency_key_required",
                                       "a batch needs an Idempotency-Key header (so that a retry is applied once)"));
  }
  if (key.size() > kMaxIdempotencyKey || !common::IsCleanText(key)) {
    return ctx.Problem(
        Status::Invalid("invalid_idempotency_key", "Idempotency-Key must be 1-128 printable characters"));
  }
  json body;
  if (auto s = ctx.JsonDocument(body); !s.ok()) return ctx.Problem(s);
  if (!body.is_object()) return ctx.Problem(Status::Invalid("invalid_json", "the body must be a JSON object"));
  ex::Batch batch;
  std::optional<std::string> mode_text;
  for (const auto& [k, v] : body.items()) {
    if (k == "mode") {
      if (!v.is_string()) return ctx.Problem(Status::Invalid("wrong_type", "mode is text", "/mode"));
      mode_text = v.get<std::string>();
    } else if (k == "upserts" || k == "deletes") {
      if (!v.is_array()) return ctx.Problem(Status::Invalid("wrong_type", k + " is an array", "/" + k));
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string where = fmt::format("/{}/{}", k, i);
        if (!v[i].is_object()) return ctx.Problem(Status::Invalid("wrong_type", "each row is an object", where));
        if (k == "upserts") {
          auto& row = batch.upserts.emplace_back();
          for (const auto& [name, value] : v[i].items()) {
            auto cell = Cell(value, where + "/" + name);
            if (!cell.ok()) return ctx.Problem(cell.status());
            row.emplace_back(name, std::move(cell.value()));
          }
        } else {
          auto& row = batch.deletes.emplace_back();
          for (const auto& [name, value] : v[i].items()) {
            auto cell = Cell(value, where + "/" + name);
            if (!cell.ok()) return ctx.Problem(cell.status());
            row.emplace_back(name, cell.value().value_or(""));
          }
        }
      }
    } else {
      return ctx.Problem(Status::Invalid("unknown_field", fmt::format("unknown field '{}'", k), "/" + k));
    }
  }
  auto mode = ModeOf(mode_text, "/mode");
  if (!mode.ok()) return ctx.Problem(mode.status());
  auto report = p.exchange().ApplyBatch(ctx.who(), id.value(), batch, mode.value(), std::string(key),
                                        common::Sha256Hex(ctx.request.body()));
  if (!report.ok()) return ctx.Problem(report.status());
  WriteReport(ctx, report.value());
}

}  // namespace

void RegisterDatasetRoutes(Router& router, app::Platform& platform) {
  auto add = [&](verb method, const char* pattern, Permission permission, Exec exec, PlatformHandler h) {
    AddRoute(router, platform, method, pattern, permission, exec, h);
  };
  // Lists sync datasets with newly published catalog versions (a write): blocking.
  add(verb::get, "/api/v1/datasets", Permission::kDatasetRead, Exec::kBlocking, List);
  add(verb::get, "/api/v1/datasets/stale", Permission::kDatasetRead, Exec::kInline, Stale);
  add(verb::get, "/api/v1/datasets/{id}", Permission::kDatasetRead, Exec::kBlocking, Get);
  // Loads and batches: no route-level permission, because the provider's applications (API keys, which hold no
  // permission of the table) may load too; ExchangeService::CheckProvider decides (data.load of the provider
  // department, or an application of it), deny by default.
  auto provider_route = [&](const char* pattern, PlatformHandler h) {
    router.Add({verb::post, pattern, Access::kAuthenticated, std::nullopt, Exec::kBlocking,
                [&platform, h](Context& ctx) { h(platform, ctx); }});
  };
  provider_route("/api/v1/datasets/{id}/loads", Load);
  provider_route("/api/v1/datasets/{id}/batches", Batch);
}

}  // namespace govshare::http::handlers
