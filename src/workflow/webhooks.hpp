#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "org/org_store.hpp"
#include "org/permissions.hpp"
#include "workflow/case_store.hpp"

namespace govshare::workflow {

/// Sends one webhook request; returns the HTTP status or a Status for a transport failure. Injected so that the
/// service knows nothing of HTTP (the platform passes http::Post).
using WebhookSender = std::function<common::Result<unsigned>(
    const std::string& url, const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers)>;

struct RegisteredWebhook {
  Webhook webhook;
  std::string secret;  // shown once
};

/// Department webhooks: every inbox item for a department is queued for its webhooks in the same transaction
/// (store outbox) and POSTed by DeliverDue with an HMAC-SHA256 signature, retried with exponential backoff, each
/// attempt logged. Thread-safe.
class WebhookService {
 public:
  static constexpr int kMaxAttempts = 8;

  WebhookService(CaseStore& store, org::OrgStore& org, const org::Authorizer& authorizer, const common::Clock& clock,
                 WebhookSender sender);

  common::Result<RegisteredWebhook> Register(const org::Principal& p, std::int64_t department_id,
                                             const std::string& url);
  common::Result<std::vector<Webhook>> List(const org::Principal& p, std::int64_t department_id);
  common::Status Remove(const org::Principal& p, std::int64_t department_id, std::int64_t webhook_id);
  common::Result<std::vector<Delivery>> Deliveries(const org::Principal& p, std::int64_t department_id,
                                                   std::int64_t webhook_id, const org::PageRequest& page);

  /// One pass over the due deliveries; returns how many were attempted.
  common::Result<int> DeliverDue();

  /// The signature header value for a body sent at `timestamp`: "sha256=" + hex HMAC-SHA256(secret, timestamp "."
  /// body).
  static std::string Signature(const std::string& secret, common::UnixSeconds timestamp, const std::string& body);
  /// Seconds to wait after the `attempts`-th failed attempt: 10 s doubling, at most an hour.
  static std::int64_t Backoff(int attempts);

 private:
  common::Status CheckDepartment(const org::Principal& p, std::int64_t department_id);

  CaseStore& store_;
  org::OrgStore& org_;
  const org::Authorizer& authorizer_;
  const common::Clock& clock_;
  WebhookSender sender_;
};

}  // namespace govshare::workflow
