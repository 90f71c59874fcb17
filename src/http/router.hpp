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

struct Route {
  boost::beast::http::verb method;
  std::string pattern;  // e.g. "/api/v1/departments/{id}"
  Access access = Access::kAuthenticated;
  std::optional<org::Permission> permission;  // route-level check; resource scope is checked by the service
  Exec exec = Exec::kInline;
  Handler handler;
  /// Usable by a user who must first replace a generated password (reading /me, changing it, logging out).
  bool before_password_change = false;
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
