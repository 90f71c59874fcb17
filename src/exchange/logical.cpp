#include "exchange/logical.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/json.hpp"
#include "common/url.hpp"
#include "http/client.hpp"

namespace govshare::exchange {

using common::Result;
using common::Status;

namespace {

std::string PercentEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

bool IsHeaderName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-') return false;
  }
  return true;
}

std::string ValueText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();  // numbers as written by the provider
}

}  // namespace

Status ValidateEndpoint(const Endpoint& e) {
  std::string probe = e.url;
  if (const auto at = probe.find("{key}"); at != std::string::npos) probe.replace(at, 5, "k");
  auto url = common::ParseHttpUrl(probe);
  if (!url.ok()) return Status::Invalid("invalid_url", url.status().message(), "/url");
  if (e.method != "GET" && e.method != "POST")
    return Status::Invalid("invalid_method", "method is GET or POST", "/method");
  if (e.url.find("{key}") == std::string::npos &&
      (e.key_param.empty() || e.key_param.size() > 64 || !common::IsCleanText(e.key_param))) {
    return Status::Invalid("invalid_key_param", "name the key's parameter (or put {key} in the URL)", "/key_param");
  }
  if (e.auth == "header") {
    if (!IsHeaderName(e.auth_header)) {
      return Status::Invalid("invalid_auth", "auth_header is a header name", "/auth_header");
    }
  } else if (e.auth != "hmac" && e.auth != "none") {
    return Status::Invalid("invalid_auth", "auth is none, header or hmac", "/auth");
  }
  if (e.auth != "none" && (e.secret.size() < 16 || e.secret.size() > 256 || !common::IsCleanText(e.secret))) {
    return Status::Invalid("invalid_auth", "the secret is 16 to 256 printable characters", "/secret");
  }
  if (e.timeout_ms < 100 || e.timeout_ms > 30000) {
    return Status::Invalid("invalid_timeout", "timeout_ms is 100 to 30000", "/timeout_ms");
  }
  if (!e.health_url.empty() && !common::ParseHttpUrl(e.health_url).ok()) {
    return Status::Invalid("invalid_url", "health_url is an http:// URL", "/health_url");
  }
  for (const auto& [item, field] : e.field_map) {
    if (item.empty() || field.empty() || !common::IsCleanText(item) || !common::IsCleanText(field)) {
      return Status::Invalid("invalid_field_map", "field_map maps item names to answer fields", "/field_map");
    }
  }
  return Status::Ok();
}

std::string SignCall(const std::string& secret, const std::string& timestamp, const std::string& method,
                     const std::string& target, const std::string& body) {
  return "sha256=" + common::HmacSha256Hex(secret, fmt::format("{}.{} {}.{}", timestamp, method, target, body));
}

bool LogicalClient::Admit(std::int64_t entry_id) {
  std::lock_guard lock(mutex_);
  auto& b = breakers_[entry_id];
  if (b.failures < kTripAfter) return true;
  if (clock_.Now() < b.open_until || b.trial_in_flight) return false;
  b.trial_in_flight = true;  // half-open: this call decides
  return true;
}

void LogicalClient::Record(std::int64_t entry_id, bool success) {
  std::lock_guard lock(mutex_);
  auto& b = breakers_[entry_id];
  b.trial_in_flight = false;
  if (success) {
    b.failures = 0;
    return;
  }
  ++b.failures;
  if (b.failures >= kTripAfter) b.open_until = clock_.Now() + kOpenSeconds;
}

CircuitState LogicalClient::Circuit(std::int64_t entry_id) const {
  std::lock_guard lock(mutex_);
  CircuitState s;
  auto it = breakers_.find(entry_id);
  if (it == breakers_.end()) return s;
  s.consecutive_failures = it->second.failures;
  if (it->second.failures >= kTripAfter) {
    s.state = clock_.Now() < it->second.open_until ? "open" : "half_open";
    s.retry_at = it->second.open_until;
  }
  return s;
}

Result<std::optional<ProviderRecord>> LogicalClient::Fetch(const Endpoint& e, const std::string& provider_name,
                                                           const std::string& key,
                                                           const std::vector<std::string>& items,
                                                           const CallContext& call) {
  if (!Admit(e.entry_id)) {
    return Status::BadGateway("provider_unavailable",
                              fmt::format("{}的接口连续失败，已暂停调用（熔断），稍后重试", provider_name));
  }
  std::string url = e.url;
  std::string body;
  if (const auto at = url.find("{key}"); at != std::string::npos) {
    url.replace(at, 5, PercentEncode(key));
  } else if (e.method == "GET") {
    url += fmt::format("{}{}={}", url.find('?') == std::string::npos ? '?' : '&', PercentEncode(e.key_param),
                       PercentEncode(key));
  }
  if (e.method == "POST") body = nlohmann::json{{e.key_param, key}}.dump();
  std::vector<std::pair<std::string, std::string>> headers = {{"X-Grant-Id", call.grant_id},
                                                              {"X-Business-Ref", call.business_ref},
                                                              {"X-Request-Id", call.request_id},
                                                              {"Accept", "application/json"}};
  if (e.auth == "header") headers.emplace_back(e.auth_header, e.secret);
  if (e.auth == "hmac") {
    auto parsed = common::ParseHttpUrl(url);
    if (!parsed.ok()) return parsed.status();
    // Wall-clock time: the provider checks it against its own clock (the platform's clock may be a business clock).
    const std::string ts = std::to_string(common::SystemClock().Now());
    headers.emplace_back("X-Govshare-Timestamp", ts);
    headers.emplace_back("X-Govshare-Signature", SignCall(e.secret, ts, e.method, parsed->target, body));
  }
  auto answer = http::Send(e.method, url, body, headers, std::chrono::milliseconds(e.timeout_ms));
  if (!answer.ok()) {
    Record(e.entry_id, false);
    if (answer.status().code() == "upstream_timeout") {
      return Status::GatewayTimeout("provider_timeout",
                                    fmt::format("{}的接口在 {} 毫秒内未响应", provider_name, e.timeout_ms));
    }
    return Status::BadGateway("provider_unavailable", fmt::format("{}的接口无法连接", provider_name));
  }
  if (answer->status == 404) {
    Record(e.entry_id, true);
    return std::optional<ProviderRecord>();
  }
  auto fail = [&](const std::string& why) {
    Record(e.entry_id, false);
    return Status::BadGateway("provider_unavailable", fmt::format("{}的接口{}", provider_name, why));
  };
  if (answer->status < 200 || answer->status >= 300) return fail(fmt::format("返回 HTTP {}", answer->status));
  auto parsed = nlohmann::json::parse(answer->body, nullptr, false);
  if (!parsed.is_object()) return fail("返回的不是 JSON 对象");
  ProviderRecord record;
  for (const auto& item : items) {
    auto mapped = e.field_map.find(item);
    const std::string& field = mapped == e.field_map.end() ? item : mapped->second;
    auto it = parsed.find(field);
    if (it == parsed.end() || it->is_null()) continue;
    if (it->is_object() || it->is_array()) return fail(fmt::format("字段 {} 不是单个值", field));
    std::string value = ValueText(*it);
    if (!common::IsCleanText(value) || value.size() > 4096) return fail(fmt::format("字段 {} 的值无效", field));
    record[item] = std::move(value);
  }
  Record(e.entry_id, true);
  return std::optional<ProviderRecord>(std::move(record));
}

Result<std::int64_t> LogicalClient::CheckHealth(const Endpoint& e) {
  if (e.health_url.empty()) return Status::Unprocessable("no_health_url", "the endpoint has no health URL");
  const auto start = std::chrono::steady_clock::now();
  auto answer = http::Send("GET", e.health_url, "", {}, std::chrono::milliseconds(e.timeout_ms));
  if (!answer.ok()) return answer.status();
  if (answer->status < 200 || answer->status >= 300) {
    return Status::Unavailable("upstream_unhealthy", fmt::format("health check answered HTTP {}", answer->status));
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace govshare::exchange
