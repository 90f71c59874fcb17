#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json_fwd.hpp>

#include "common/json.hpp"
#include "common/status.hpp"
#include "org/model.hpp"

namespace govshare::http {

namespace beast_http = boost::beast::http;
using BeastRequest = beast_http::request<beast_http::string_body>;

/// What a handler adds to its request's audit record: the data-access fields of docs/AUDIT.md (11 to 16). The server
/// copies it into the outcome record of an audited request (Route::audit); empty fields are recorded empty.
struct AuditDetail {
  std::string grant_id;
  std::string scenario;      // the declared use (Art. 14)
  std::string business_ref;  // the business reference the caller gave
  std::string fields;        // the returned fields, comma-separated
  std::int64_t row_count = 0;
  /// The query string as received (filters, cursor, since), recorded with the target: what a query asked for.
  std::string query;
  /// SHA-256 (64 lower-case hex) of the returned content. A handler may set it itself, or leave it empty and set
  /// hash_body: the outcome record then carries the SHA-256 of the response body exactly as sent, if the response is
  /// a success (status below 400).
  std::string content_hash;
  bool hash_body = false;
};

/// Where a streamed response body goes (Context::Stream). Writes are buffered into chunks of about 64 KiB; a full chunk
/// waits until the connection has taken the one before it, so a producer never holds more than a few chunks however
/// long the body is. Used by one producer thread at a time.
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  /// Appends bytes to the body. false once the client has gone, a write timed out or the server is stopping: the
  /// producer should stop then (what it returns no longer matters).
  virtual bool Write(std::string_view bytes) = 0;
};

/// Produces a streamed body on the blocking pool, after the response header is decided and the request's audit record
/// is durable (Route::audit). It must own everything it uses: the Context is not available to it. It writes the body
/// through `out` and fills `end` (e.g. row_count) for the record that closes the stream (AuditPhase::kStreamEnd); the
/// server adds the SHA-256 of every byte sent. A failed Status aborts the body: the connection is closed without the
/// last chunk, so the client sees an incomplete transfer, never a short body that looks whole.
using BodyProducer = std::function<common::Status(BodyWriter& out, AuditDetail& end)>;

/// Everything a handler sees of one request and everything it sets for the response. Handlers are plain functions:
/// they parse, call a service and write; the server does authentication, limits, metrics, logging and errors.
struct Context {
  Context(const BeastRequest& req, std::string_view p, std::string_view q) : request(req), path(p), query(q) {}

  const BeastRequest& request;
  std::string_view path;                                    // without the query string
  std::string_view query;                                   // without '?'
  std::vector<std::pair<std::string, std::string>> params;  // path parameters by name, e.g. {"id", "42"}
  std::string request_id;
  std::string client_address;
  std::optional<org::Principal> principal;  // set when the route needs authentication
  std::string bearer_token;                 // the raw credential (for logout)
  std::string audit_subject;                // who a public route acted for (the username of a login attempt)
  AuditDetail audit;                        // filled by data-access handlers, recorded in the outcome record

  // Response.
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string problem_code;  // the stable code of an error response (for the audit record)
  /// Set by Stream: the body is sent chunked (Transfer-Encoding: chunked, no Content-Length) by this producer.
  BodyProducer producer;
  /// Set by the server when a streamed body has ended, for its closing audit record: empty when the body was sent
  /// whole, else why it was cut short (client_gone, stream_failed).
  std::string stream_end_reason;

  /// The path parameter `name` (routes guarantee it exists).
  std::string_view Param(std::string_view name) const;
  /// A path parameter as a positive integer id, or an invalid_id Status.
  common::Result<std::int64_t> IdParam(std::string_view name) const;
  /// The decoded query parameter `name`, if present.
  std::optional<std::string> Query(std::string_view name) const;
  /// Every query parameter in order, names and values decoded; nullopt if one is malformed (bad escape, not UTF-8).
  std::optional<std::vector<std::pair<std::string, std::string>>> QueryPairs() const;
  /// Parses the body as a JSON object (requires Content-Type application/json).
  common::Result<common::JsonObject> JsonBody() const;
  /// Parses the body as a JSON document of any shape, with the same checks as JsonBody (media type, UTF-8, depth),
  /// into `out` (for nested documents such as catalog entries).
  common::Status JsonDocument(nlohmann::json& out) const;

  const org::Principal& who() const { return *principal; }
  void Json(unsigned code, std::string json) {
    status = code;
    body = std::move(json);
    content_type = "application/json";
  }
  void NoContent() {
    status = 204;
    body.clear();
  }
  /// Answers `code` with a body produced in chunks by `producer` (BodyProducer) instead of `body`.
  void Stream(unsigned code, std::string type, BodyProducer body_producer) {
    status = code;
    body.clear();
    content_type = std::move(type);
    producer = std::move(body_producer);
  }
  /// Writes `s` as an RFC 9457 problem+json response (and drops a streamed body set before).
  void Problem(const common::Status& s);
  /// The same with an "errors" member: a JSON array of field-level problems (e.g. every broken compilation rule).
  void Problem(const common::Status& s, std::string_view errors_json);
};

/// The RFC 9110 reason phrase used as a problem's title.
std::string_view ProblemTitle(unsigned status);
/// The HTTP status for an error kind.
unsigned HttpStatusFor(common::ErrorKind kind);

/// Decodes %XX and '+' in a query component; nullopt on malformed escapes or invalid UTF-8.
std::optional<std::string> UrlDecode(std::string_view s);

}  // namespace govshare::http
