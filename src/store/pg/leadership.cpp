#include "store/pg/leadership.hpp"

#include <spdlog/spdlog.h>

#include <cstring>

#include "common/crypto.hpp"

namespace govshare::store::pg {

using common::Status;

namespace {

std::int64_t RoleKey(std::string_view role) {
  const auto digest = common::Sha256Bytes({"govshare-role:", role});
  std::int64_t key = 0;
  std::memcpy(&key, digest.data(), sizeof key);
  return key;
}

/// Whether session `pid` holds the advisory lock `key` now. A bigint key is stored in pg_locks as classid (high 32
/// bits) and objid (low 32 bits) with objsubid 1.
bool Holds(Connection& c, std::int64_t key, int pid) {
  const auto bits = static_cast<std::uint64_t>(key);
  auto s = c.Prepare(
      "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = $1::bigint AND "
      "objid::bigint = $2::bigint AND objsubid = 1 AND pid = $3::integer AND granted");
  s.Bind(1, static_cast<std::int64_t>(bits >> 32))
      .Bind(2, static_cast<std::int64_t>(bits & 0xffffffffU))
      .Bind(3, static_cast<std::int64_t>(pid));
  return s.Step();
}

/// The key of the advisory lock under which a session creates the roles table (two nodes starting together).
constexpr std::int64_t kRolesTableLockKey = 0x676f76726f6c65;  // "govrole"

void CreateRolesTable(Connection& c) {
  LockedTransaction(c, kRolesTableLockKey, [&] {
    c.Exec(
        "CREATE TABLE IF NOT EXISTS govshare_roles (role_key BIGINT PRIMARY KEY, epoch BIGINT NOT NULL, "
        "holder_pid INTEGER NOT NULL, since TIMESTAMPTZ NOT NULL)");
    return true;
  });
}

}  // namespace

Leadership::Leadership(std::string conninfo, std::string_view role)
    : conninfo_(std::move(conninfo)), key_(RoleKey(role)) {}

Leadership::~Leadership() { Resign(); }

bool Leadership::TryLead() {
  std::lock_guard lock(mutex_);
  try {
    if (session_ == nullptr || !session_->healthy()) {
      Drop();
      session_ = std::make_unique<Connection>(conninfo_);
      session_pid_ = session_->backend_pid();
      CreateRolesTable(*session_);
    }
    if (leading_) {
      leading_ = Holds(*session_, key_, session_pid_);
    } else {
      auto s = session_->Prepare("SELECT pg_try_advisory_lock($1::bigint)");
      s.Bind(1, key_);
      if (s.Step() && s.Bool(0)) {
        // A new leader: the epoch moves on, which fences off whatever the previous leader still has in flight.
        auto take = session_->Prepare(
            "INSERT INTO govshare_roles(role_key, epoch, holder_pid, since) VALUES ($1::bigint, 1, $2::integer, now()) "
            "ON CONFLICT (role_key) DO UPDATE SET epoch = govshare_roles.epoch + 1, holder_pid = EXCLUDED.holder_pid, "
            "since = EXCLUDED.since RETURNING epoch");
        take.Bind(1, key_).Bind(2, static_cast<std::int64_t>(session_pid_));
        if (!take.Step()) throw PgError("", "the role's epoch was not returned");
        epoch_ = take.Int(0);
        leading_ = true;
      }
    }
  } catch (const PgError& e) {
    spdlog::warn("postgresql: role {:x}: {}", key_, e.what());
    Drop();
  }
  return leading_;
}

bool Leadership::leading() const {
  std::lock_guard lock(mutex_);
  return leading_;
}

Status Leadership::Fence(Connection& c) const {
  std::int64_t epoch = 0;
  {
    std::lock_guard lock(mutex_);
    if (leading_) epoch = epoch_;
  }
  if (epoch != 0) {
    auto s = c.Prepare("SELECT epoch FROM govshare_roles WHERE role_key = $1::bigint");
    s.Bind(1, key_);
    if (s.Step() && s.Int(0) == epoch) return Status::Ok();
  }
  return Status::Conflict("not_leader", "another node holds this role now");
}

std::int64_t Leadership::epoch() const {
  std::lock_guard lock(mutex_);
  return leading_ ? epoch_ : 0;
}

void Leadership::Resign() {
  std::lock_guard lock(mutex_);
  if (leading_ && session_ != nullptr && session_->healthy()) {
    try {
      session_->Prepare("SELECT pg_advisory_unlock($1::bigint)").Bind(1, key_).Run();
    } catch (const PgError& e) {
      spdlog::warn("postgresql: role {:x}: giving it up: {}", key_, e.what());
      Drop();  // closing the session releases the lock all the same
    }
  }
  leading_ = false;
  epoch_ = 0;
}

int Leadership::session_pid() const {
  std::lock_guard lock(mutex_);
  return session_pid_;
}

void Leadership::Drop() {
  session_.reset();
  session_pid_ = 0;
  leading_ = false;
  epoch_ = 0;
}

}  // namespace govshare::store::pg
