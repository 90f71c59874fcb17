#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.hpp"

namespace govshare::http {

struct ClientResponse {
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  /// The first header of this name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

/// A minimal outbound HTTP/1.1 client for calls the platform makes on its own behalf (webhooks; later, providers'
/// registered interfaces). Blocking, with one deadline for the whole exchange: call it from a blocking-pool thread or
/// a background job, never from an io thread. Only http:// URLs (TLS termination is a deployment concern for now).
common::Result<ClientResponse> Post(const std::string& url, const std::string& body,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::chrono::milliseconds timeout);

/// Any method (GET sends no body). Errors: upstream_timeout when the deadline passed, upstream_unreachable otherwise.
common::Result<ClientResponse> Send(const std::string& method, const std::string& url, const std::string& body,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::chrono::milliseconds timeout);

}  // namespace govshare::http
