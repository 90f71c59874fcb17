#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.hpp"

namespace govshare::common {

/// Everything a deployment can tune. Defaults suit one machine; `LoadConfig` reads a TOML file and then applies
/// environment overrides named GOVSHARE_<SECTION>_<KEY> (e.g. GOVSHARE_HTTP_MAX_BODY_BYTES), then command-line flags
/// are applied by the CLI.
struct Config {
  std::string data_dir = "data";
  std::string listen = "127.0.0.1:8080";
  std::string web_dir;             // built portal (web/dist); empty = no portal
  std::string storage = "sqlite";  // the embedded default, or a libpq URI "postgresql://..." (docs/OPERATIONS.md)

  struct Http {
    std::int64_t max_body_bytes = 1 << 20;
    std::int64_t max_header_bytes = 16 << 10;
    std::int64_t idle_timeout_s = 60;    // keep-alive connection with no request in flight
    std::int64_t header_timeout_s = 10;  // from the first byte of a request to the end of its headers
    std::int64_t body_timeout_s = 30;    // reading the body
    std::int64_t max_connections = 10000;
    std::int64_t io_threads = 0;         // 0 = one per core
    std::int64_t blocking_threads = 16;  // storage writes and password hashing
    std::int64_t shutdown_grace_s = 10;
  } http;

  struct Auth {
    std::int64_t session_ttl_s = 8 * 3600;
    std::int64_t max_failed_logins = 5;
    std::int64_t lockout_s = 15 * 60;
    std::int64_t login_attempts_per_minute_per_ip = 30;
    std::int64_t api_key_default_ttl_days = 365;
    bool fast_password_hash = false;  // tests only: argon2id at libsodium's minimum cost
  } auth;

  struct Workflow {
    std::string rule_pack = "hebei-2022";  // data/rules/<pack>.json: statutory deadlines (DOMAIN.md §4)
    std::int64_t monitor_interval_s = 60;  // deadline monitor period
  } workflow;

  struct Sharing {
    bool auto_grant_unconditional = true;  // Art. 15: issue the grant at once for a valid unconditional request
    bool auto_provide = true;              // Art. 15: the authority provides at once after the provider's yes
  } sharing;

  struct Exchange {
    /// Exports streaming at once; each holds a read connection and a blocking thread while it runs (issue 7).
    std::int64_t max_concurrent_exports = 4;
  } exchange;

  struct Audit {
    /// Under concurrent load the audit writer waits up to this long for more records before a commit (0: never).
    /// Unset, the storage's default: 0 on SQLite (worth setting to 500–1000 only where the CPU, not the disk, is the
    /// bottleneck), kPostgresCommitWaitUs on PostgreSQL, where every batch is a round trip and a commit on the server
    /// under the one row all nodes' batches take (two nodes served 30% more audited lookups: docs/BENCHMARKS.md).
    std::optional<std::int64_t> commit_wait_us;
    static constexpr std::int64_t kPostgresCommitWaitUs = 500;
    std::int64_t CommitWaitUs(bool postgres) const {
      return commit_wait_us.value_or(postgres ? kPostgresCommitWaitUs : 0);
    }
  } audit;

  struct Log {
    std::string access_log = "logs/access.log";  // relative to data_dir; "-" for stdout; "" to disable
    std::string level = "info";
  } log;

  struct Storage {
    std::int64_t read_connections = 8;
    std::int64_t group_commit_max_jobs = 256;
    std::int64_t checkpoint_interval_s = 30;
    std::int64_t busy_timeout_ms = 5000;
  } sqlite;

  /// With storage = "postgresql://...": the node's connection pool (each request or job leases one for its duration).
  struct Postgresql {
    std::int64_t max_connections = 16;
    /// Runs of a write transaction that meets a serialization failure or deadlock, in all.
    std::int64_t max_attempts = 5;
  } postgresql;
};

/// Checks a `storage` value: "sqlite" or a postgresql:// (or postgres://) URI; `invalid_config` otherwise, without
/// repeating the value (it may hold a password).
Status CheckStorage(const std::string& value);

/// Reads `path` (if non-empty) and the environment. Unknown keys in the file are an error, so typos are caught.
Result<Config> LoadConfig(const std::string& path);

}  // namespace govshare::common
