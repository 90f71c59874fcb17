#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "store/pg/database.hpp"

namespace govshare::store::pg {

/// Which one of several nodes on one PostgreSQL database does a singleton job (issue 9: the deadline monitor and the
/// other periodic jobs, the audit sequencer). A role is a session-level advisory lock, taken with
/// pg_try_advisory_lock on a connection kept for it alone: the node leads as long as that session lives. When the node
/// dies or its connection drops, the server ends the session and releases the lock, and the next TryLead() of another
/// node takes the role over.
///
/// A node may believe it still leads for a moment after the server ended its session (a network partition, a
/// terminated backend). Each takeover therefore raises the role's epoch (a fencing token, in the table
/// govshare_roles), and work that must not happen twice calls Fence() inside its own SERIALIZABLE transaction
/// (store::pg::Database::Write): it fails if the epoch moved on, and if a takeover commits while the job runs,
/// PostgreSQL's serializable checking orders or aborts the two so that no later leader misses the old one's writes.
/// Thread-safe.
class Leadership {
 public:
  /// `role` names the job ("deadline-monitor"); every node must use the same name for the same job.
  Leadership(std::string conninfo, std::string_view role);
  /// Gives the role up (its session ends).
  ~Leadership();
  Leadership(const Leadership&) = delete;
  Leadership& operator=(const Leadership&) = delete;

  /// Takes the role if it is free, or confirms that this node still holds it (its session answers and holds the lock).
  /// False when another node leads or the database cannot be reached (the session is then reopened on the next call).
  /// Meant to be called at the start of each run of the job.
  bool TryLead();
  /// What the last TryLead() found.
  bool leading() const;
  /// Inside a SERIALIZABLE transaction on any connection to the same database: ok only if this node took the role and
  /// no other node has taken it over since; else kConflict `not_leader` (the job must then roll back).
  common::Status Fence(Connection& c) const;
  /// Gives the role up; a later TryLead() (of any node) may take it again.
  void Resign();

  /// The advisory lock key of the role (the first eight bytes of SHA-256("govshare-role:" + role)).
  std::int64_t key() const { return key_; }
  /// The server process of this node's role session (0 when none is open): for operators and tests.
  int session_pid() const;
  /// The epoch this node took the role at (0 when not leading).
  std::int64_t epoch() const;

 private:
  void Drop();

  const std::string conninfo_;
  const std::int64_t key_;
  mutable std::mutex mutex_;
  std::unique_ptr<Connection> session_;  // mutex_
  int session_pid_ = 0;                  // mutex_
  bool leading_ = false;                 // mutex_
  std::int64_t epoch_ = 0;               // mutex_
};

}  // namespace govshare::store::pg
