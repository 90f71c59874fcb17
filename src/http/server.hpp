#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include "common/config.hpp"
#include "common/status.hpp"
#include "http/access_log.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "org/model.hpp"
#include "org/permissions.hpp"

namespace govshare::http {

/// Called exactly once with an audit record's receipt (its leaf index) once the record is durable, or with an error
/// (audit_unavailable). May run on any thread, also before AuditRequest returns; it must be quick and must not throw.
using AuditDone = std::function<void(common::Result<std::uint64_t>)>;

/// Appends a request's audit record of `phase` without blocking, and reports through `done`. An error makes the server
/// answer 503 audit_unavailable instead (fail closed: after a failed intent nothing runs; after a failed outcome the
/// handler's response is not sent; a failed stream-end record is logged, the body having been sent). Called on an io
/// thread: it must not block. `ctx` and `route` stay valid until `done` has run.
using AuditRequest = std::function<void(const Context& ctx, std::string_view route, AuditPhase phase, AuditDone done)>;

/// Resolves a credential (session token or API key) to a principal; provided by the application.
using Authenticate = std::function<common::Result<org::Principal>(const std::string& token)>;

/// The HTTP/1.1 server: Boost.Beast on Asio with C++20 coroutines, one io thread per core, a separate pool for blocking
/// handlers. Enforces limits (connections, header and body size, idle/header/body timeouts), authenticates, checks the
/// route's permission, handles CSRF for cookie sessions, writes problem+json errors, counts metrics, logs every request
/// as a JSON line, and serves the built portal (SPA fallback). Shuts down gracefully: stops accepting, lets in-flight
/// requests finish, closes idle connections.
class Server {
 public:
  struct Options {
    std::string listen = "127.0.0.1:8080";
    common::Config::Http http;
    std::string web_dir;  // empty: no portal
    AuditRequest audit;   // empty: no audit (tests of the server alone)
  };

  /// `access_log` may be null (no access log); it must outlive the server.
  Server(Options options, const Router& router, Metrics& metrics, Authenticate authenticate,
         const org::Authorizer& authorizer, AccessLog* access_log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts the io threads. The port is known when it returns (listen on port 0 for an ephemeral one).
  common::Status Start();
  unsigned short port() const { return port_; }
  /// Graceful stop; safe to call from any thread and more than once. Returns when all threads have ended.
  void Stop();
  /// Blocks until SIGINT or SIGTERM, then stops gracefully.
  void RunUntilSignalled();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  unsigned short port_ = 0;
};

}  // namespace govshare::http
