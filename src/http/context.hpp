#pragma once

#include <cstdint>
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
  /// SHA-256 (64 lower-case hex) of the returned content. A handler may set it itself, or leave it empty and set
  /// hash_body: the outcome record then carries the SHA-256 of the response body exactly as sent, if the response is
  /// a success (status below 400).
  std::string content_hash;
  bool hash_body = false;
};

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

  /// The path parameter `name` (routes guarantee it exists).
  std::string_view Param(std::string_view name) const;
  /// A path parameter as a positive integer id, or an invalid_id Status.
  common::Result<std::int64_t> IdParam(std::string_view name) const;
  /// The decoded query parameter `name`, if present.
  std::optional<std::string> Query(std::string_view name) const;
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
  /// Writes `s` as an RFC 9457 problem+json response.
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
