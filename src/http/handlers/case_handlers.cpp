#include <fmt/format.h>

#include <charconv>

#include "app/platform.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;
using common::Result;
using common::Status;
using org::Permission;

namespace {

constexpr std::size_t kMaxIdempotencyKey = 128;

void WriteCase(common::JsonWriter& w, const workflow::Case& c, const app::Platform& p) {
  const auto* step = c.step ? p.rules().Find(*c.step) : nullptr;
  w.StartObject()
      .Field("id", c.id)
      .Field("type", c.type)
      .Field("state", c.state)
      .Field("subject", c.subject)
      .Field("reference", c.reference)
      .Field("parent_id", c.parent_id)
      .Field("requester_department_id", c.requester_department_id)
      .Field("provider_department_id", c.provider_department_id)
      .Field("region_id", c.region_id)
      .Field("step", c.step);
  w.Key("step_name").OptString(step ? std::optional<std::string>(step->name) : std::nullopt);
  w.Key("article").OptString(step ? std::optional<std::string>(step->article) : std::nullopt);
  WriteOptionalTime(w, "due_at", c.due_at);
  w.Field("responsible_department_id", c.responsible_department_id)
      .Field("overdue", c.overdue)
      .Field("reminded", c.reminded)
      .Field("extensions_used", c.extensions_used);
  WriteOptionalTime(w, "created_at", c.created_at);
  WriteOptionalTime(w, "updated_at", c.updated_at);
  WriteOptionalTime(w, "closed_at", c.closed_at);
  w.Field("version", c.version).EndObject();
}

Result<std::optional<bool>> BoolQuery(const Context& ctx, std::string_view name) {
  auto text = ctx.Query(name);
  if (!text) return std::optional<bool>();
  if (*text == "true") return std::optional<bool>(true);
  if (*text == "false") return std::optional<bool>(false);
  return Status::Invalid("invalid_parameter", fmt::format("'{}' must be true or false", name),
                         fmt::format("?{}", name));
}

void ListCases(app::Platform& p, Context& ctx) {
  using F = org::SortField;
  auto page = ParsePage(ctx, {F::kId, F::kType, F::kState, F::kSubject, F::kDueAt, F::kCreatedAt, F::kUpdatedAt});
  if (!page.ok()) return ctx.Problem(page.status());
  workflow::CaseFilter filter;
  filter.type = ctx.Query("type");
  filter.state = ctx.Query("state");
  auto overdue = BoolQuery(ctx, "overdue");
  auto mine = BoolQuery(ctx, "mine");
  auto open = BoolQuery(ctx, "open");
  for (const auto* r : {&overdue, &mine, &open}) {
    if (!r->ok()) return ctx.Problem(r->status());
  }
  filter.overdue = overdue.value();
  filter.open_only = open.value().value_or(false);
  if (auto before = ctx.Query("due_before")) {
    auto day = common::ParseDate(*before);
    if (!day) return ctx.Problem(Status::Invalid("invalid_date", "due_before must be YYYY-MM-DD", "?due_before"));
    filter.due_before = calendar::EndOfShanghaiDay(*day);
  }
  auto items = p.cases().List(ctx.who(), filter, mine.value().value_or(false), page.value());
  if (!items.ok()) return ctx.Problem(items.status());
  common::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& c : items.value()) WriteCase(w, c, p);
  w.EndArray();
  WriteNextCursor(w, items.value(), page.value());
  w.EndObject();
  ctx.Json(200, w.str());
}

void WriteView(app::Platform& p, Context& ctx, std::int64_t id, unsigned status) {
  auto view = p.cases().Get(ctx.who(), id);
  if (!view.ok()) return ctx.Problem(view.status());
  common::JsonWriter w;
  w.StartObject().Key("case");
  WriteCase(w, view->c, p);
  w.Field("type_name", view->type ? view->type->name : std::string());
  w.Key("history").StartArray();
  for (const auto& h : view->history) {
    w.StartObject()
        .Field("actor_id", h.actor_id)
        .Field("actor_role", h.actor_role)
        .Field("action", h.action)
        .Field("from", h.from_state)
        .Field("to", h.to_state)
        .Field("comment", h.comment)
        .Field("at", common::FormatRfc3339(h.at))
        .EndObject();
  }
  w.EndArray().Key("available_actions").StartArray();
  for (const auto* t : view->available) {
    w.StartObject()
        .Field("action", t->action)
        .Field("to", t->to)
        .Field("requires_comment", t->requires_comment)
        .EndObject();
  }
  w.EndArray().Key("attachments").StartArray();
  for (const auto& a : view->attachments) {
    w.StartObject()
        .Field("id", a.id)
        .Field("filename", a.filename)
        .Field("content_type", a.content_type)
        .Field("size", a.size)
        .Field("sha256", a.sha256)
        .Field("uploaded_by", a.uploaded_by)
        .Field("uploaded_at", common::FormatRfc3339(a.uploaded_at))
        .EndObject();
  }
  w.EndArray().EndObject();
  ctx.Json(status, w.str());
}

void GetCase(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  WriteView(p, ctx, id.value(), 200);
}

void Transition(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  workflow::TransitionRequest request;
  std::optional<std::string> comment;
  Status s = body->OnlyFields({"action", "comment", "version"});
  if (s.ok()) s = body->RequiredString("action", request.action, 64);
  if (s.ok()) s = body->OptionalString("comment", comment, 2000);
  if (s.ok()) s = body->RequiredInt("version", request.version);
  if (!s.ok()) return ctx.Problem(s);
  request.comment = comment.value_or("");
  const auto key = ctx.request["Idempotency-Key"];
  if (!key.empty()) {
    if (key.size() > kMaxIdempotencyKey || !common::IsCleanText(key)) {
      return ctx.Problem(
          Status::Invalid("invalid_idempotency_key", "Idempotency-Key must be 1-128 printable characters"));
    }
    request.idempotency_key = std::string(key);
  }
  auto result = p.cases().Fire(ctx.who(), id.value(), request);
  if (!result.ok()) return ctx.Problem(result.status());
  WriteView(p, ctx, id.value(), 200);
  if (ctx.status == 404) {
    // The transition moved the case out of the caller's view (e.g. routed up to the next authority, Art. 17): the
    // answer is the case as it now stands, without its history.
    common::JsonWriter w;
    w.StartObject().Key("case");
    WriteCase(w, result.value(), p);
    w.Key("history").StartArray().EndArray().Key("available_actions").StartArray().EndArray();
    w.Key("attachments").StartArray().EndArray().EndObject();
    ctx.problem_code.clear();
    ctx.Json(200, w.str());
  }
}

void RequestExtension(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  std::string reason;
  Status s = body->OnlyFields({"reason"});
  if (s.ok()) s = body->RequiredString("reason", reason, 2000);
  if (!s.ok()) return ctx.Problem(s);
  auto created = p.cases().RequestExtension(ctx.who(), id.value(), reason);
  if (!created.ok()) return ctx.Problem(created.status());
  ctx.headers.emplace_back("Location", fmt::format("/api/v1/cases/{}", created->id));
  WriteView(p, ctx, created->id, 201);
}

void Attach(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  const auto filename = ctx.Query("filename").value_or("");
  const std::string content_type(ctx.request[boost::beast::http::field::content_type].substr(0, 100));
  if (!common::IsCleanText(content_type)) {
    return ctx.Problem(Status::Invalid("invalid_content_type", "Content-Type is not printable text"));
  }
  auto a = p.cases().Attach(ctx.who(), id.value(), filename, content_type, ctx.request.body());
  if (!a.ok()) return ctx.Problem(a.status());
  ctx.headers.emplace_back("Location", fmt::format("/api/v1/cases/{}/attachments/{}", id.value(), a->id));
  WriteView(p, ctx, id.value(), 201);
}

void DownloadAttachment(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  auto attachment_id = ctx.IdParam("attachment_id");
  if (!id.ok()) return ctx.Problem(id.status());
  if (!attachment_id.ok()) return ctx.Problem(attachment_id.status());
  auto file = p.cases().Download(ctx.who(), id.value(), attachment_id.value());
  if (!file.ok()) return ctx.Problem(file.status());
  auto& [a, bytes] = file.value();
  ctx.status = 200;
  ctx.content_type = a.content_type;
  ctx.body = std::move(bytes);
  // RFC 6266 with RFC 8187 encoding, so that Chinese file names survive.
  std::string encoded;
  for (unsigned char ch : a.filename) {
    if (std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_') {
      encoded.push_back(static_cast<char>(ch));
    } else {
      encoded += fmt::format("%{:02X}", ch);
    }
  }
  ctx.headers.emplace_back("Content-Disposition", "attachment; filename*=UTF-8''" + encoded);
  ctx.headers.emplace_back("X-Content-SHA256", a.sha256);
}

void WriteWebhook(common::JsonWriter& w, const workflow::Webhook& h) {
  w.StartObject()
      .Field("id", h.id)
      .Field("department_id", h.department_id)
      .Field("url", h.url)
      .Field("active", h.active)
      .Field("created_at", common::FormatRfc3339(h.created_at))
      .EndObject();
}

void ListWebhooks(app::Platform& p, Context& ctx) {
  auto dept = ctx.IdParam("id");
  if (!dept.ok()) return ctx.Problem(dept.status());
  auto hooks = p.webhooks().List(ctx.who(), dept.value());
  if (!hooks.ok()) return ctx.Problem(hooks.status());
  common::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& h : hooks.value()) WriteWebhook(w, h);
  w.EndArray().EndObject();
  ctx.Json(200, w.str());
}

void CreateWebhook(app::Platform& p, Context& ctx) {
  auto dept = ctx.IdParam("id");
  if (!dept.ok()) return ctx.Problem(dept.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  std::string url;
  Status s = body->OnlyFields({"url"});
  if (s.ok()) s = body->RequiredString("url", url, 2048);
  if (!s.ok()) return ctx.Problem(s);
  auto created = p.webhooks().Register(ctx.who(), dept.value(), url);
  if (!created.ok()) return ctx.Problem(created.status());
  common::JsonWriter w;
  w.StartObject().Key("webhook");
  WriteWebhook(w, created->webhook);
  w.Field("secret", created->secret).EndObject();
  ctx.Json(201, w.str());
}

void DeleteWebhook(app::Platform& p, Context& ctx) {
  auto dept = ctx.IdParam("id");
  auto hook = ctx.IdParam("webhook_id");
  if (!dept.ok()) return ctx.Problem(dept.status());
  if (!hook.ok()) return ctx.Problem(hook.status());
  if (auto s = p.webhooks().Remove(ctx.who(), dept.value(), hook.value()); !s.ok()) return ctx.Problem(s);
  ctx.NoContent();
}

void ListDeliveries(app::Platform& p, Context& ctx) {
  auto dept = ctx.IdParam("id");
  auto hook = ctx.IdParam("webhook_id");
  if (!dept.ok()) return ctx.Problem(dept.status());
  if (!hook.ok()) return ctx.Problem(hook.status());
  auto page = ParsePage(ctx);
  if (!page.ok()) return ctx.Problem(page.status());
  auto items = p.webhooks().Deliveries(ctx.who(), dept.value(), hook.value(), page.value());
  if (!items.ok()) return ctx.Problem(items.status());
  common::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& d : items.value()) {
    w.StartObject()
        .Field("id", d.id)
        .Field("event", d.event)
        .Field("status", d.status)
        .Field("attempts", d.attempts)
        .Field("last_status", d.last_status)
        .Field("last_error", d.last_error);
    WriteOptionalTime(w, "next_attempt_at", d.status == "pending" ? std::optional(d.next_attempt_at) : std::nullopt);
    WriteOptionalTime(w, "delivered_at", d.delivered_at);
    w.Field("created_at", common::FormatRfc3339(d.created_at)).Key("payload").Raw(d.payload).EndObject();
  }
  w.EndArray();
  WriteNextCursor(w, items.value(), page->limit);
  w.EndObject();
  ctx.Json(200, w.str());
}

void Inbox(app::Platform& p, Context& ctx) {
  using F = org::SortField;
  auto page = ParsePage(ctx, {F::kId, F::kKind, F::kCreatedAt});
  if (!page.ok()) return ctx.Problem(page.status());
  auto unread = BoolQuery(ctx, "unread");
  if (!unread.ok()) return ctx.Problem(unread.status());
  auto items = p.cases().Inbox(ctx.who(), unread.value().value_or(false), page.value());
  if (!items.ok()) return ctx.Problem(items.status());
  common::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& i : items.value()) {
    w.StartObject()
        .Field("id", i.id)
        .Field("case_id", i.case_id)
        .Field("kind", i.kind)
        .Field("message", i.message)
        .Field("for", i.user_id ? "user" : "department")
        .Field("created_at", common::FormatRfc3339(i.created_at));
    WriteOptionalTime(w, "read_at", i.read_at);
    w.EndObject();
  }
  w.EndArray();
  WriteNextCursor(w, items.value(), page.value());
  w.EndObject();
  ctx.Json(200, w.str());
}

void MarkRead(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  if (auto s = p.cases().MarkRead(ctx.who(), id.value()); !s.ok()) return ctx.Problem(s);
  ctx.NoContent();
}

}  // namespace

void RegisterCaseRoutes(Router& router, app::Platform& platform) {
  auto& p = platform;
  auto add = [&](verb method, std::string pattern, Permission perm, Exec exec, void (*fn)(app::Platform&, Context&)) {
    router.Add(
        {method, std::move(pattern), Access::kAuthenticated, perm, exec, [&p, fn](Context& ctx) { fn(p, ctx); }});
  };
  add(verb::get, "/api/v1/cases", Permission::kCaseRead, Exec::kInline, ListCases);
  add(verb::get, "/api/v1/cases/{id}", Permission::kCaseRead, Exec::kInline, GetCase);
  add(verb::post, "/api/v1/cases/{id}/transitions", Permission::kCaseAct, Exec::kBlocking, Transition);
  add(verb::post, "/api/v1/cases/{id}/extensions", Permission::kCaseAct, Exec::kBlocking, RequestExtension);
  add(verb::post, "/api/v1/cases/{id}/attachments", Permission::kCaseAct, Exec::kBlocking, Attach);
  add(verb::get, "/api/v1/cases/{id}/attachments/{attachment_id}", Permission::kCaseRead, Exec::kBlocking,
      DownloadAttachment);
  add(verb::get, "/api/v1/inbox", Permission::kCaseRead, Exec::kInline, Inbox);
  add(verb::get, "/api/v1/departments/{id}/webhooks", Permission::kWebhookManage, Exec::kInline, ListWebhooks);
  add(verb::post, "/api/v1/departments/{id}/webhooks", Permission::kWebhookManage, Exec::kBlocking, CreateWebhook);
  add(verb::delete_, "/api/v1/departments/{id}/webhooks/{webhook_id}", Permission::kWebhookManage, Exec::kBlocking,
      DeleteWebhook);
  add(verb::get, "/api/v1/departments/{id}/webhooks/{webhook_id}/deliveries", Permission::kWebhookManage, Exec::kInline,
      ListDeliveries);
  add(verb::post, "/api/v1/inbox/{id}/read", Permission::kCaseAct, Exec::kBlocking, MarkRead);
}

}  // namespace govshare::http::handlers
