#include "common/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

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
  str("storage", &Config::storage);
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
