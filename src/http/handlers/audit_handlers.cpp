#include <fmt/format.h>

#include <charconv>
#include <limits>

#include "app/platform.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;
using common::Result;
using common::Status;
using org::Permission;

namespace {

Result<std::optional<std::int64_t>> IntQuery(const Context& ctx, std::string_view name, bool required) {
  auto text = ctx.Query(name);
  if (!text) {
    if (!required) return std::optional<std::int64_t>();
    return Status::Invalid("missing_parameter", fmt::format("query parameter '{}' is required", name),
                           fmt::format("?{}", name));
  }
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || ptr != text->data() + text->size() || v < 0) {
    return Status::Invalid("invalid_parameter", fmt::format("'{}' must be a non-negative integer", name),
                           fmt::format("?{}", name));
  }
  return std::optional<std::int64_t>(v);
}

void WriteHashes(common::JsonWriter& w, std::string_view key, const std::vector<audit::Hash>& hashes) {
  w.Key(key).StartArray();
  for (const auto& h : hashes) w.String(audit::ToHex(h));
  w.EndArray();
}

void Key(app::Platform& p, Context& ctx) {
  common::JsonWriter w;
  w.StartObject().Field("algorithm", "Ed25519").Field("public_key", p.audit().public_key_hex()).EndObject();
  ctx.Json(200, w.str());
}

void TreeHead(app::Platform& p, Context& ctx) {
  const auto head = p.audit().LatestHead();
  if (!head) return ctx.Problem(Status::NotFound("no tree head has been signed yet"));
  common::JsonWriter w;
  w.StartObject()
      .Field("tree_size", static_cast<std::int64_t>(head->tree_size))
      .Field("root_hash", audit::ToHex(head->root))
      .Field("timestamp_ms", head->timestamp_ms)
      .Field("timestamp", common::FormatRfc3339(head->timestamp_ms / 1000))
      .Field("signature", head->signature_hex)
      .Field("signed_message", audit::TreeHeadMessage(head->tree_size, head->root, head->timestamp_ms))
      .EndObject();
  ctx.Json(200, w.str());
}

void Inclusion(app::Platform& p, Context& ctx) {
  auto index = IntQuery(ctx, "leaf_index", true);
  auto size = IntQuery(ctx, "tree_size", true);
  if (!index.ok()) return ctx.Problem(index.status());
  if (!size.ok()) return ctx.Problem(size.status());
  const auto i = static_cast<std::uint64_t>(*index.value());
  const auto n = static_cast<std::uint64_t>(*size.value());
  auto proof = p.audit().InclusionProof(i, n);
  if (!proof.ok()) return ctx.Problem(proof.status());
  auto record = p.audit().Get(i);
  if (!record.ok()) return ctx.Problem(record.status());
  common::JsonWriter w;
  w.StartObject()
      .Field("leaf_index", static_cast<std::int64_t>(i))
      .Field("tree_size", static_cast<std::int64_t>(n))
      .Field("leaf_hash", audit::ToHex(record->leaf_hash));
  WriteHashes(w, "audit_path", proof.value());
  w.EndObject();
  ctx.Json(200, w.str());
}

void Consistency(app::Platform& p, Context& ctx) {
  auto first = IntQuery(ctx, "first", true);
  auto second = IntQuery(ctx, "second", true);
  if (!first.ok()) return ctx.Problem(first.status());
  if (!second.ok()) return ctx.Problem(second.status());
  auto proof = p.audit().ConsistencyProof(static_cast<std::uint64_t>(*first.value()),
                                          static_cast<std::uint64_t>(*second.value()));
  if (!proof.ok()) return ctx.Problem(proof.status());
  common::JsonWriter w;
  w.StartObject().Field("first", *first.value()).Field("second", *second.value());
  WriteHashes(w, "consistency_path", proof.value());
  w.EndObject();
  ctx.Json(200, w.str());
}

void WriteRecord(common::JsonWriter& w, const audit::StoredRecord& s) {
  const auto& r = s.record;
  w.StartObject()
      .Field("leaf_index", static_cast<std::int64_t>(s.leaf_index))
      .Field("leaf_hash", audit::ToHex(s.leaf_hash))
      .Field("time", common::FormatRfc3339(r.time_us / 1000000))
      .Field("time_us", r.time_us)
      .Field("actor_kind", r.actor_kind)
      .Field("actor_id", r.actor_id)
      .Field("actor_name", r.actor_name)
      .Field("department_id", r.department_id)
      .Field("role", r.role)
      .Field("action", r.action)
      .Field("target", r.target)
      .Field("decision", r.decision)
      .Field("reason", r.reason)
      .Field("grant_id", r.grant_id)
      .Field("scenario", r.scenario)
      .Field("business_ref", r.business_ref)
      .Field("fields", r.fields)
      .Field("row_count", r.row_count)
      .Field("content_hash", r.content_hash)
      .Field("client_address", r.client_address)
      .Field("request_id", r.request_id)
      .EndObject();
}

void ListRecords(app::Platform& p, Context& ctx) {
  auto page = ParsePage(ctx);
  if (!page.ok()) return ctx.Problem(page.status());
  audit::RecordFilter f;
  auto actor = IntQuery(ctx, "actor_id", false);
  auto dept = IntQuery(ctx, "department_id", false);
  auto from = IntQuery(ctx, "from_us", false);
  auto to = IntQuery(ctx, "to_us", false);
  for (const auto* r : {&actor, &dept, &from, &to}) {
    if (!r->ok()) return ctx.Problem(r->status());
  }
  f.actor_id = actor.value();
  f.department_id = dept.value();
  f.from_us = from.value();
  f.to_us = to.value();
  f.action = ctx.Query("action");
  f.decision = ctx.Query("decision");
  f.grant_id = ctx.Query("grant_id");
  const auto order = ctx.Query("order");
  if (order && *order != "asc" && *order != "desc") {
    return ctx.Problem(Status::Invalid("invalid_parameter", "order is asc or desc", "?order"));
  }
  f.newest_first = order && *order == "desc";
  // Oldest first from the cursor up; newest first from the cursor (or the end of the log) down.
  const bool has_cursor = ctx.Query("cursor").has_value();
  const auto start = f.newest_first && !has_cursor
                         ? static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                         : static_cast<std::uint64_t>(page->after_id);
  auto items = p.audit().List(f, start, page->limit);
  if (!items.ok()) return ctx.Problem(items.status());
  common::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& r : items.value()) WriteRecord(w, r);
  w.EndArray().Key("next_cursor");
  // The cursor is the first leaf index of the next page.
  const bool full = static_cast<int>(items->size()) == page->limit && !items->empty();
  if (full && !f.newest_first) {
    w.String(std::to_string(items->back().leaf_index + 1));
  } else if (full && items->back().leaf_index > 0) {
    w.String(std::to_string(items->back().leaf_index - 1));
  } else {
    w.Null();
  }
  w.EndObject();
  ctx.Json(200, w.str());
}

void GetRecord(app::Platform& p, Context& ctx) {
  const auto text = ctx.Param("leaf_index");
  std::uint64_t index = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec != std::errc() || ptr != text.data() + text.size()) return ctx.Problem(Status::NotFound("no such record"));
  auto record = p.audit().Get(index);
  if (!record.ok()) return ctx.Problem(record.status());
  common::JsonWriter w;
  WriteRecord(w, record.value());
  ctx.Json(200, w.str());
}

}  // namespace

void RegisterAuditRoutes(Router& router, app::Platform& platform) {
  // On SQLite the reads are a local file's, short enough for the I/O thread; on PostgreSQL they wait for the server.
  const Exec exec = platform.postgres() != nullptr ? Exec::kBlocking : Exec::kInline;
  auto add = [&](verb method, std::string pattern, Permission perm, PlatformHandler fn) {
    AddRoute(router, platform, method, std::move(pattern), perm, exec, fn);
  };
  add(verb::get, "/api/v1/audit/key", Permission::kAuditVerify, Key);
  add(verb::get, "/api/v1/audit/sth", Permission::kAuditVerify, TreeHead);
  add(verb::get, "/api/v1/audit/proof/inclusion", Permission::kAuditVerify, Inclusion);
  add(verb::get, "/api/v1/audit/proof/consistency", Permission::kAuditVerify, Consistency);
  add(verb::get, "/api/v1/audit/records", Permission::kAuditRead, ListRecords);
  add(verb::get, "/api/v1/audit/records/{leaf_index}", Permission::kAuditRead, GetRecord);
}

}  // namespace govshare::http::handlers
