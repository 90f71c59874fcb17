#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/status.hpp"

namespace govshare::exchange {

/// A provider's registered service interface for a logically accessed dataset (逻辑接入, Art. 12, 16): the platform
/// calls it on the consumer's behalf and applies the same grant checks, masking and audit as for a physical dataset.
struct Endpoint {
  std::int64_t entry_id = 0;  // the catalog entry (and dataset) it serves
  /// http://host[:port]/path. "{key}" in the path is replaced by the percent-encoded key; otherwise the key is sent as
  /// the query parameter `key_param` (GET) or the JSON field `key_param` (POST).
  std::string url;
  std::string method = "GET";  // GET or POST
  std::string key_param = "key";
  /// Item name → field of the provider's JSON answer; items not listed are read from the field of the same name.
  std::map<std::string, std::string> field_map;
  std::string auth = "none";  // none; header (auth_header: secret); hmac (X-Govshare-Signature, see docs/API.md)
  std::string auth_header;    // for auth = header, e.g. "X-Api-Key"
  std::string secret;         // the header's value or the HMAC key; never returned by the API
  std::int64_t timeout_ms = 2000;
  std::string health_url;  // GET, any 2xx is healthy; empty: none
  std::int64_t updated_by = 0;
  common::UnixSeconds updated_at = 0;
};

/// Checks a registration: URL (http:// only), method, key parameter, auth and its secret, timeout 100..30000 ms.
common::Status ValidateEndpoint(const Endpoint& e);

/// Storage of registered endpoints (one per catalog entry). Thread-safe.
class EndpointStore {
 public:
  virtual ~EndpointStore() = default;
  virtual common::Status Put(const Endpoint& e) = 0;
  virtual common::Result<std::optional<Endpoint>> Get(std::int64_t entry_id) = 0;
  virtual common::Result<std::vector<Endpoint>> List() = 0;
};

/// The record a provider answered: item → value (a JSON null becomes an absent item).
using ProviderRecord = std::map<std::string, std::string>;

/// What the platform tells the provider about the call it makes on a consumer's behalf (for the provider's own log).
struct CallContext {
  std::string grant_id;
  std::string business_ref;
  std::string consumer;  // the consumer department's name
  std::string request_id;
};

/// The state of a provider's circuit: closed (calls go through), open (calls fail at once until `retry_at`), half-open
/// (one trial call decides).
struct CircuitState {
  std::string state = "closed";
  int consecutive_failures = 0;
  std::optional<common::UnixSeconds> retry_at;
};

/// Calls providers' interfaces, with a circuit breaker per endpoint: after kTripAfter consecutive failures (errors,
/// 5xx, timeouts, unparseable answers) the circuit opens for kOpenSeconds and calls fail at once with
/// provider_unavailable; then one trial call closes it again or reopens it. Blocking (call from the blocking pool).
/// Thread-safe.
class LogicalClient {
 public:
  static constexpr int kTripAfter = 5;
  static constexpr std::int64_t kOpenSeconds = 30;

  explicit LogicalClient(const common::Clock& clock) : clock_(clock) {}

  /// The provider's record for `key`, restricted to `items` (the dataset's items); nullopt if the provider says there
  /// is none (404). Errors name the provider: provider_unavailable (unreachable, 5xx, bad answer, circuit open; the
  /// API answers 502) or provider_timeout (504).
  common::Result<std::optional<ProviderRecord>> Fetch(const Endpoint& e, const std::string& provider_name,
                                                      const std::string& key, const std::vector<std::string>& items,
                                                      const CallContext& call);
  /// Calls the health URL now (not counted by the circuit).
  common::Result<std::int64_t> CheckHealth(const Endpoint& e);  // latency in ms
  CircuitState Circuit(std::int64_t entry_id) const;

 private:
  struct Breaker {
    int failures = 0;
    common::UnixSeconds open_until = 0;
    bool trial_in_flight = false;
  };
  bool Admit(std::int64_t entry_id);
  void Record(std::int64_t entry_id, bool success);

  const common::Clock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, Breaker> breakers_;
};

/// The headers the platform signs a call with when auth = hmac: X-Govshare-Timestamp (Unix seconds) and
/// X-Govshare-Signature = "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + method + " " + target + "." + body).
std::string SignCall(const std::string& secret, const std::string& timestamp, const std::string& method,
                     const std::string& target, const std::string& body);

}  // namespace govshare::exchange
