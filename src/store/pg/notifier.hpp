#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "common/status.hpp"
#include "store/pg/database.hpp"

namespace govshare::store::pg {

/// Tells every node of a PostgreSQL deployment that something changed, so that each can drop what it cached (issue 9:
/// grant and key caches across nodes). A writer calls Publish() inside the transaction of its change; PostgreSQL
/// delivers the NOTIFY when, and only if, that transaction commits. Each node runs a Notifier: a thread with a
/// connection of its own that LISTENs on the channel and hands every payload to the handler.
///
/// While its connection is down a node cannot hear anything, so after every reconnection (not the first connection)
/// the handler is called with nullopt: "anything may have changed", and the node must drop all it cached.
class Notifier {
 public:
  /// The payload of one notification, or nullopt after a reconnection. Runs on the notifier's thread; must be quick.
  using Handler = std::function<void(std::optional<std::string_view> payload)>;

  /// Starts listening on `channel` (lower-case letters, digits and '_', starting with a letter). Returns once the
  /// first LISTEN is in place, or fails if the database cannot be reached.
  static common::Result<std::unique_ptr<Notifier>> Start(const std::string& conninfo, const std::string& channel,
                                                         Handler handler);
  /// Inside a write transaction: queues `payload` (at most 7,999 bytes) for every listener of `channel`.
  static void Publish(Connection& c, std::string_view channel, std::string_view payload);

  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  /// The server process of the listening session (0 while disconnected): for operators and tests.
  int session_pid() const { return session_pid_.load(); }
  /// How many times the listener has reconnected since it started.
  int reconnects() const { return reconnects_.load(); }

 private:
  Notifier(std::string conninfo, std::string channel, Handler handler);
  /// Connects and LISTENs; throws PgError.
  std::unique_ptr<Connection> Listen();
  void Run(std::unique_ptr<Connection> connection);

  const std::string conninfo_;
  const std::string channel_;
  const Handler handler_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> session_pid_{0};
  std::atomic<int> reconnects_{0};
  std::thread thread_;
};

}  // namespace govshare::store::pg
