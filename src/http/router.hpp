#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include "http/context.hpp"
#include "org/permissions.hpp"

namespace govshare::http {

using Handler = std::function<void(Context&)>;

/// Where a handler runs. Inline handlers run on the network thread and must not block (in-memory work, SQLite reads
/// from the pool); blocking handlers (writes waiting for group commit, password hashing) run on the blocking pool.
enum class Exec { kInline, kBlocking };

/// Who may call a route before the handler's own scoped checks.
enum class Access { kPublic, kAuthenticated };

/// What the audit log records of a route's requests (Art. 14, 25, 27, 30; docs/AUDIT.md). Every record is durable
/// before the caller hears the answer; if it cannot be made durable the answer is 503 audit_unavailable (fail closed).
enum class AuditPolicy {
  /// State changes: a POST, PUT, PATCH or DELETE, and a non-GET public route (login), get an intent record before the
  /// handler runs (if it fails, the handler never runs) and an outcome record after it. Reads get none.
  kChanges,
  /// Exactly one record per request, for every method including GET, written after the handler with the handler's
  /// Context::audit detail; the response (and its data) is held back until the record is durable. For reads of
  /// shared data (issue 7): one durable record per lookup.
  kOutcome,
};

/// Which of a request's audit records is asked for (Route::audit decides which records a request gets).
enum class AuditPhase {
  kIntent,   // before the handler of a state change runs
  kOutcome,  // after the handler, with Context::audit, before any byte of the answer leaves
  /// After the last byte of a streamed body (Context::Stream), with the producer's Context::audit (row count) and the
  /// SHA-256 of the whole body; Context::stream_end_reason says whether it was cut short.
  kStreamEnd,
};

struct Route {
  boost::beast::http::verb method;
  std::string pattern;  // e.g. "/api/v1/departments/{id}"
  Access access = Access::kAuthenticated;
  std::optional<org::Permission> permission;  // route-level check; resource scope is checked by the service
  Exec exec = Exec::kInline;
  Handler handler;
  /// Usable by a user who must first replace a generated password (reading /me, changing it, logging out).
  bool before_password_change = false;
  AuditPolicy audit = AuditPolicy::kChanges;
  /// For an inline route: decides per request (on the io thread, quickly, without blocking) that this one must run on
  /// the blocking pool instead (e.g. a data read that calls a provider's interface).
  std::function<bool(const Context&)> blocking_when = nullptr;
};

/// Matches method + path to a route. Patterns are literal segments and {name} parameters. Built once at start-up,
/// then read-only (thread-safe).
class Router {
 public:
  void Add(Route route);
  struct Match {
    const Route* route = nullptr;  // null: no route for this path (404) or for this method (405)
    bool path_exists = false;
    std::vector<std::pair<std::string, std::string>> params;
  };
  Match Find(boost::beast::http::verb method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;
};

std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace govshare::http
