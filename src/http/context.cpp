#include "http/context.hpp"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <charconv>

namespace govshare::http {

using common::ErrorKind;
using common::Status;

unsigned HttpStatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOk:
      return 200;
    case ErrorKind::kInvalidArgument:
      return 400;
    case ErrorKind::kUnauthenticated:
      return 401;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kMethodNotAllowed:
      return 405;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kPayloadTooLarge:
      return 413;
    case ErrorKind::kUnsupportedMedia:
      return 415;
    case ErrorKind::kUnprocessable:
      return 422;
    case ErrorKind::kLocked:
      return 423;
    case ErrorKind::kTooManyRequests:
      return 429;
    case ErrorKind::kInternal:
      return 500;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kBadGateway:
      return 502;
    case ErrorKind::kGatewayTimeout:
      return 504;
  }
  return 500;
}

std::string_view ProblemTitle(unsigned status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 423:
      return "Locked";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    case 502:
      return "Bad Gateway";
    case 504:
      return "Gateway Timeout";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Internal Server Error";
  }
}

namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = Hex(s[i + 1]);
      const int lo = Hex(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  if (!common::IsCleanText(out)) return std::nullopt;
  return out;
}

std::string_view Context::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

common::Result<std::int64_t> Context::IdParam(std::string_view name) const {
  const std::string_view text = Param(name);
  std::int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
    return Status(ErrorKind::kNotFound, "not_found", fmt::format("'{}' is not a valid id", text));
  }
  return id;
}

std::optional<std::string> Context::Query(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    if (eq == std::string_view::npos) return std::string();
    return UrlDecode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, std::string>>> Context::QueryPairs() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = UrlDecode(pair.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::optional<std::string>("") : UrlDecode(pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

common::Result<common::JsonObject> Context::JsonBody() const {
  const auto type = request[beast_http::field::content_type];
  if (type.substr(0, 16) != "application/json") {
    return Status(ErrorKind::kUnsupportedMedia, "unsupported_media_type", "send Content-Type: application/json");
  }
  return common::JsonObject::Parse(request.body());
}

common::Status Context::JsonDocument(nlohmann::json& out) const {
  auto checked = JsonBody();  // media type, UTF-8, nesting depth, one object
  if (!checked.ok()) return checked.status();
  out = nlohmann::json::parse(request.body(), nullptr, false);
  if (out.is_discarded()) return Status::Invalid("invalid_json", "request body is not valid JSON");
  return Status::Ok();
}

void Context::Problem(const Status& s, std::string_view errors_json) {
  Problem(s);
  // Re-open the object to add "errors" before its closing brace.
  body.pop_back();
  body += ",\"errors\":";
  body += errors_json;
  body += '}';
}

void Context::Problem(const Status& s) {
  producer = nullptr;
  status = HttpStatusFor(s.kind());
  problem_code = s.code();
  common::JsonWriter w;
  w.StartObject()
      .Field("type", "/problems/" + s.code())
      .Field("title", ProblemTitle(status))
      .Field("status", static_cast<int>(status))
      .Field("code", s.code())
      .Field("detail", s.message());
  if (!s.field().empty()) w.Field("field", s.field());
  w.Field("instance", path).Field("request_id", request_id).EndObject();
  body = w.str();
  content_type = "application/problem+json";
}

}  // namespace govshare::http
