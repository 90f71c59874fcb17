#pragma once

#include <string>

#include "common/status.hpp"

namespace govshare::common {

/// An absolute http:// URL split for an HTTP/1.1 request.
struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};

/// Parses `http://host[:port][/path]` (at most 2048 characters; no user info, spaces or control characters). Other
/// schemes are refused with invalid_url, field "/url".
Result<HttpUrl> ParseHttpUrl(const std::string& url);

}  // namespace govshare::common
