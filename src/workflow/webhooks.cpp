#include "workflow/webhooks.hpp"

#include <fmt/format.h>

#include "common/crypto.hpp"
#include "common/url.hpp"

namespace govshare::workflow {

using common::Result;
using common::Status;

namespace {

constexpr int kDeliveriesPerPass = 50;
constexpr std::int64_t kFirstBackoffSeconds = 10;
constexpr std::int64_t kMaxBackoffSeconds = 3600;

}  // namespace

WebhookService::WebhookService(CaseStore& store, org::OrgStore& org, const org::Authorizer& authorizer,
                               const common::Clock& clock, WebhookSender sender)
    : store_(store), org_(org), authorizer_(authorizer), clock_(clock), sender_(std::move(sender)) {}

std::string WebhookService::Signature(const std::string& secret, common::UnixSeconds timestamp,
                                      const std::string& body) {
  return "sha256=" + common::HmacSha256Hex(secret, fmt::format("{}.{}", timestamp, body));
}

std::int64_t WebhookService::Backoff(int attempts) {
  std::int64_t seconds = kFirstBackoffSeconds;
  for (int i = 1; i < attempts && seconds < kMaxBackoffSeconds; ++i) seconds *= 2;
  return std::min(seconds, kMaxBackoffSeconds);
}

Status WebhookService::CheckDepartment(const org::Principal& p, std::int64_t department_id) {
  auto dept = org_.GetDepartment(department_id);
  if (!dept.ok()) return dept.status();
  if (!dept.value()) return Status::NotFound(fmt::format("department {} does not exist", department_id));
  return authorizer_.Check(p, org::Permission::kWebhookManage, {dept.value()->region_id, department_id});
}

Result<RegisteredWebhook> WebhookService::Register(const org::Principal& p, std::int64_t department_id,
                                                   const std::string& url) {
  GOVSHARE_RETURN_IF_ERROR(CheckDepartment(p, department_id));
  GOVSHARE_RETURN_IF_ERROR(common::ParseHttpUrl(url).status());
  RegisteredWebhook out;
  out.secret = common::RandomToken(32);
  out.webhook.department_id = department_id;
  out.webhook.url = url;
  out.webhook.secret = out.secret;
  out.webhook.created_by = p.id;
  out.webhook.created_at = clock_.Now();
  GOVSHARE_RETURN_IF_ERROR(store_.CreateWebhook(out.webhook));
  return out;
}

Result<std::vector<Webhook>> WebhookService::List(const org::Principal& p, std::int64_t department_id) {
  GOVSHARE_RETURN_IF_ERROR(CheckDepartment(p, department_id));
  return store_.ListWebhooks(department_id);
}

Status WebhookService::Remove(const org::Principal& p, std::int64_t department_id, std::int64_t webhook_id) {
  GOVSHARE_RETURN_IF_ERROR(CheckDepartment(p, department_id));
  return store_.DeactivateWebhook(department_id, webhook_id);
}

Result<std::vector<Delivery>> WebhookService::Deliveries(const org::Principal& p, std::int64_t department_id,
                                                         std::int64_t webhook_id, const org::PageRequest& page) {
  GOVSHARE_RETURN_IF_ERROR(CheckDepartment(p, department_id));
  auto hooks = store_.ListWebhooks(department_id);
  if (!hooks.ok()) return hooks.status();
  bool found = false;
  for (const auto& h : hooks.value()) found |= h.id == webhook_id;
  if (!found) return Status::NotFound("no such webhook for this department");
  return store_.ListDeliveries(webhook_id, page);
}

Result<int> WebhookService::DeliverDue() {
  const common::UnixSeconds now = clock_.Now();
  auto due = store_.DueDeliveries(now, kDeliveriesPerPass);
  if (!due.ok()) return due.status();
  for (const auto& d : due.value()) {
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"X-Govshare-Event", d.event},
        {"X-Govshare-Delivery", std::to_string(d.id)},
        {"X-Govshare-Timestamp", std::to_string(now)},
        {"X-Govshare-Signature", Signature(d.secret, now, d.payload)},
    };
    auto sent = sender_(d.url, d.payload, headers);
    const bool delivered = sent.ok() && sent.value() >= 200 && sent.value() < 300;
    std::optional<std::int64_t> status;
    std::optional<std::string> error;
    if (sent.ok()) {
      status = sent.value();
      if (!delivered) error = fmt::format("HTTP {}", sent.value());
    } else {
      error = sent.status().message();
    }
    const int attempts = d.attempts + 1;
    std::optional<common::UnixSeconds> next;
    if (!delivered && attempts < kMaxAttempts) next = now + Backoff(attempts);
    GOVSHARE_RETURN_IF_ERROR(store_.RecordAttempt(d.id, delivered, status, error, next, now));
  }
  return static_cast<int>(due->size());
}

}  // namespace govshare::workflow
