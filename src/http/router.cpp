#include "http/router.hpp"

namespace govshare::http {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void Router::Add(Route route) {
  std::vector<std::string> segments;
  for (auto s : SplitPath(route.pattern)) segments.emplace_back(s);
  segments_.push_back(std::move(segments));
  routes_.push_back(std::move(route));
}

Router::Match Router::Find(boost::beast::http::verb method, std::string_view path) const {
  Match match;
  if (path.empty() || path[0] != '/') return match;
  const auto parts = SplitPath(path);
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& segs = segments_[i];
    if (segs.size() != parts.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool ok = true;
    for (std::size_t j = 0; j < segs.size() && ok; ++j) {
      const auto& seg = segs[j];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        if (parts[j].empty())
          ok = false;
        else
          params.emplace_back(seg.substr(1, seg.size() - 2), parts[j]);
      } else {
        ok = seg == parts[j];
      }
    }
    if (!ok) continue;
    match.path_exists = true;
    if (routes_[i].method == method) {
      match.route = &routes_[i];
      match.params = std::move(params);
      return match;
    }
  }
  return match;
}

}  // namespace govshare::http
