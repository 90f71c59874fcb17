#include "common/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>

namespace govshare::common {
namespace {

/// One setter per key, so the file, the environment and the docs all share one list of names.
struct Key {
  std::function<Status(Config&, const std::string&)> from_string;
};

Status ParseInt(const std::string& key, const std::string& text, std::int64_t& out) {
  try {
    std::size_t used = 0;
    out = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    return Status::Invalid("invalid_config", fmt::format("{} must be an integer, got '{}'", key, text));
  }
  return Status::Ok();
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

/// `storage` is "sqlite" or a libpq connection URI,
/// postgresql://[user[:password]@][host][:port][,host[:port]...][/dbname][?param=value&...] (scheme postgres:// too).
/// Only the URI form is accepted, not libpq's keyword=value strings, so that a value is recognisably one or the other.
/// The messages never repeat the value: it may hold a password.
Status CheckStorage(const std::string& value) {
  if (value == "sqlite") return Status::Ok();
  const auto bad = [](std::string_view why) {
    return Status::Invalid(
        "invalid_config",
        fmt::format("storage must be \"sqlite\" or a URI postgresql://[user[:password]@][host][:port][/dbname]"
                    "[?param=value&...]: {}",
                    why));
  };
  std::string_view rest(value);
  if (rest.starts_with("postgresql://")) {
    rest.remove_prefix(std::string_view("postgresql://").size());
  } else if (rest.starts_with("postgres://")) {
    rest.remove_prefix(std::string_view("postgres://").size());
  } else {
    return bad("unknown scheme");
  }
  if (std::any_of(rest.begin(), rest.end(), [](char c) { return static_cast<unsigned char>(c) <= ' '; })) {
    return bad("spaces and control characters must be percent-encoded");
  }
  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  // One or more host[:port], comma-separated; a host may be a bracketed IPv6 address.
  while (true) {
    const auto comma = authority.find(',');
    std::string_view host = authority.substr(0, comma);
    std::string_view port;
    if (host.starts_with('[')) {
      const auto close = host.find(']');
      if (close == std::string_view::npos) return bad("unclosed [ in an IPv6 host");
      const auto after = host.substr(close + 1);
      if (!after.empty() && !after.starts_with(':')) return bad("unexpected text after an IPv6 host");
      if (!after.empty()) port = after.substr(1);
      if (after == ":") return bad("empty port");
    } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      if (port.empty()) return bad("empty port");
    }
    if (!port.empty()) {
      if (!AllDigits(port) || port.size() > 5 || std::stoi(std::string(port)) < 1 ||
          std::stoi(std::string(port)) > 65535) {
        return bad("the port must be a number from 1 to 65535");
      }
    }
    if (comma == std::string_view::npos) break;
    authority.remove_prefix(comma + 1);
  }
  const auto query = rest.find('?');
  if (query != std::string_view::npos) {
    std::string_view params = rest.substr(query + 1);
    while (!params.empty()) {
      const auto amp = params.find('&');
      const std::string_view param = params.substr(0, amp);
      const auto eq = param.find('=');
      if (eq == std::string_view::npos || eq == 0) return bad("each parameter must be name=value");
      if (amp == std::string_view::npos) break;
      params.remove_prefix(amp + 1);
    }
  }
  return Status::Ok();
}

namespace {

std::map<std::string, Key> Keys() {
  std::map<std::string, Key> keys;
  auto str = [&keys](const std::string& name, std::string Config::*field) {
    keys[name] = {[field](Config& c, const std::string& v) {
      c.*field = v;
      return Status::Ok();
    }};
  };
  auto integer = [&keys](const std::string& name, std::function<std::int64_t&(Config&)> field) {
    keys[name] = {[name, field](Config& c, const std::string& v) { return ParseInt(name, v, field(c)); }};
  };
  str("data_dir", &Config::data_dir);
  str("listen", &Config::listen);
  str("web_dir", &Config::web_dir);
  keys["storage"] = {[](Config& c, const std::string& v) {
    GOVSHARE_RETURN_IF_ERROR(CheckStorage(v));
    c.storage = v;
    return Status::Ok();
  }};
  integer("http.max_body_bytes", [](Config& c) -> std::int64_t& { return c.http.max_body_bytes; });
  integer("http.max_header_bytes", [](Config& c) -> std::int64_t& { return c.http.max_header_bytes; });
  integer("http.idle_timeout_s", [](Config& c) -> std::int64_t& { return c.http.idle_timeout_s; });
  integer("http.header_timeout_s", [](Config& c) -> std::int64_t& { return c.http.header_timeout_s; });
  integer("http.body_timeout_s", [](Config& c) -> std::int64_t& { return c.http.body_timeout_s; });
  integer("http.max_connections", [](Config& c) -> std::int64_t& { return c.http.max_connections; });
  integer("http.io_threads", [](Config& c) -> std::int64_t& { return c.http.io_threads; });
  integer("http.blocking_threads", [](Config& c) -> std::int64_t& { return c.http.blocking_threads; });
  integer("http.shutdown_grace_s", [](Config& c) -> std::int64_t& { return c.http.shutdown_grace_s; });
  integer("auth.session_ttl_s", [](Config& c) -> std::int64_t& { return c.auth.session_ttl_s; });
  integer("auth.max_failed_logins", [](Config& c) -> std::int64_t& { return c.auth.max_failed_logins; });
  integer("auth.lockout_s", [](Config& c) -> std::int64_t& { return c.auth.lockout_s; });
  integer("auth.login_attempts_per_minute_per_ip",
          [](Config& c) -> std::int64_t& { return c.auth.login_attempts_per_minute_per_ip; });
  integer("auth.api_key_default_ttl_days", [](Config& c) -> std::int64_t& { return c.auth.api_key_default_ttl_days; });
  auto boolean = [&keys](const std::string& name, std::function<bool&(Config&)> field) {
    keys[name] = {[name, field](Config& c, const std::string& v) {
      if (v != "true" && v != "false") return Status::Invalid("invalid_config", name + " must be a boolean");
      field(c) = v == "true";
      return Status::Ok();
    }};
  };
  boolean("auth.fast_password_hash", [](Config& c) -> bool& { return c.auth.fast_password_hash; });
  keys["workflow.rule_pack"] = {[](Config& c, const std::string& v) {
    c.workflow.rule_pack = v;
    return Status::Ok();
  }};
  integer("workflow.monitor_interval_s", [](Config& c) -> std::int64_t& { return c.workflow.monitor_interval_s; });
  boolean("sharing.auto_grant_unconditional", [](Config& c) -> bool& { return c.sharing.auto_grant_unconditional; });
  boolean("sharing.auto_provide", [](Config& c) -> bool& { return c.sharing.auto_provide; });
  integer("exchange.max_concurrent_exports",
          [](Config& c) -> std::int64_t& { return c.exchange.max_concurrent_exports; });
  keys["audit.commit_wait_us"] = {[](Config& c, const std::string& v) {
    std::int64_t wait = 0;
    GOVSHARE_RETURN_IF_ERROR(ParseInt("audit.commit_wait_us", v, wait));
    if (wait < 0 || wait > 100000) {
      return Status::Invalid("invalid_config", "audit.commit_wait_us must be between 0 and 100000 (0.1 s)");
    }
    c.audit.commit_wait_us = wait;
    return Status::Ok();
  }};
  keys["log.access_log"] = {[](Config& c, const std::string& v) {
    c.log.access_log = v;
    return Status::Ok();
  }};
  keys["log.level"] = {[](Config& c, const std::string& v) {
    c.log.level = v;
    return Status::Ok();
  }};
  integer("sqlite.read_connections", [](Config& c) -> std::int64_t& { return c.sqlite.read_connections; });
  integer("sqlite.group_commit_max_jobs", [](Config& c) -> std::int64_t& { return c.sqlite.group_commit_max_jobs; });
  integer("sqlite.checkpoint_interval_s", [](Config& c) -> std::int64_t& { return c.sqlite.checkpoint_interval_s; });
  integer("sqlite.busy_timeout_ms", [](Config& c) -> std::int64_t& { return c.sqlite.busy_timeout_ms; });
  auto bounded = [&keys](const std::string& name, std::int64_t low, std::int64_t high,
                         std::function<std::int64_t&(Config&)> field) {
    keys[name] = {[=](Config& c, const std::string& v) {
      std::int64_t value = 0;
      GOVSHARE_RETURN_IF_ERROR(ParseInt(name, v, value));
      if (value < low || value > high) {
        return Status::Invalid("invalid_config", fmt::format("{} must be between {} and {}", name, low, high));
      }
      field(c) = value;
      return Status::Ok();
    }};
  };
  bounded("postgresql.max_connections", 1, 1000,
          [](Config& c) -> std::int64_t& { return c.postgresql.max_connections; });
  bounded("postgresql.max_attempts", 1, 100, [](Config& c) -> std::int64_t& { return c.postgresql.max_attempts; });
  return keys;
}

std::string EnvName(const std::string& key) {
  std::string out = "GOVSHARE_";
  for (char c : key) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

std::string NodeText(const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (auto b = node.value_exact<bool>()) return *b ? "true" : "false";
  if (auto i = node.value<std::int64_t>()) return std::to_string(*i);
  return "\x01";  // not a scalar: the setter reports it
}

}  // namespace

Result<Config> LoadConfig(const std::string& path) {
  Config config;
  const auto keys = Keys();
  if (!path.empty()) {
    toml::table table;
    try {
      table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      return Status::Invalid("invalid_config", fmt::format("{}: {}", path, e.description()));
    }
    Status status;
    table.for_each([&](const toml::key& k, const toml::node& node) {
      std::vector<std::pair<std::string, const toml::node*>> leaves;
      if (const auto* sub = node.as_table()) {
        for (const auto& [sk, sv] : *sub) leaves.emplace_back(std::string(k.str()) + "." + std::string(sk.str()), &sv);
      } else {
        leaves.emplace_back(std::string(k.str()), &node);
      }
      for (const auto& [name, leaf] : leaves) {
        if (!status.ok()) return;
        const auto it = keys.find(name);
        if (it == keys.end()) {
          status = Status::Invalid("invalid_config", fmt::format("{}: unknown setting '{}'", path, name));
          return;
        }
        const std::string text = NodeText(*leaf);
        if (text == "\x01") {
          status = Status::Invalid("invalid_config", fmt::format("{}: '{}' must be a scalar", path, name));
          return;
        }
        status = it->second.from_string(config, text);
      }
    });
    GOVSHARE_RETURN_IF_ERROR(status);
  }
  for (const auto& [name, key] : keys) {
    if (const char* v = std::getenv(EnvName(name).c_str())) GOVSHARE_RETURN_IF_ERROR(key.from_string(config, v));
  }
  return config;
}

}  // namespace govshare::common
