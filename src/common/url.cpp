#include "common/url.hpp"

#include <string_view>

#include "common/json.hpp"

namespace govshare::common {

Result<HttpUrl> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() > 2048 || url.rfind(kScheme, 0) != 0 || !IsCleanText(url)) {
    return Status::Invalid("invalid_url", "the URL must start with http:// (at most 2048 characters)", "/url");
  }
  const std::string rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  HttpUrl out;
  if (slash != std::string::npos) out.target = rest.substr(slash);
  const auto colon = authority.rfind(':');
  out.host = authority.substr(0, colon);
  if (colon != std::string::npos) out.port = authority.substr(colon + 1);
  const bool port_ok = !out.port.empty() && out.port.size() <= 5 &&
                       out.port.find_first_not_of("0123456789") == std::string::npos && std::stoi(out.port) > 0 &&
                       std::stoi(out.port) < 65536;
  if (out.host.empty() || out.host.find_first_of("@ ?#") != std::string::npos || !port_ok ||
      out.target.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::Invalid("invalid_url", "the URL needs a host, an optional port 1-65535 and a path", "/url");
  }
  return out;
}

}  // namespace govshare::common
