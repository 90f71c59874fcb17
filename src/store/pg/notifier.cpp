#include "store/pg/notifier.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace govshare::store::pg {

using common::Status;

namespace {

/// How long one wait for a notification lasts before the thread looks at its stop flag again.
constexpr int kPollMs = 100;
/// The pause between two attempts to reconnect.
constexpr auto kReconnectPause = std::chrono::milliseconds(200);

bool ValidChannel(std::string_view channel) {
  return !channel.empty() && channel.size() <= 63 && channel.front() >= 'a' && channel.front() <= 'z' &&
         std::all_of(channel.begin(), channel.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

}  // namespace

Notifier::Notifier(std::string conninfo, std::string channel, Handler handler)
    : conninfo_(std::move(conninfo)), channel_(std::move(channel)), handler_(std::move(handler)) {}

common::Result<std::unique_ptr<Notifier>> Notifier::Start(const std::string& conninfo, const std::string& channel,
                                                          Handler handler) {
  if (!ValidChannel(channel)) {
    return Status::Invalid("invalid_channel", "a channel is lower-case letters, digits and '_', from a letter");
  }
  std::unique_ptr<Notifier> n(new Notifier(conninfo, channel, std::move(handler)));
  std::unique_ptr<Connection> first;
  try {
    first = n->Listen();
  } catch (const PgError& e) {
    return Database::ToStatus(e);
  }
  n->thread_ = std::thread([raw = n.get(), c = std::move(first)]() mutable { raw->Run(std::move(c)); });
  return n;
}

void Notifier::Publish(Connection& c, std::string_view channel, std::string_view payload) {
  c.Prepare("SELECT pg_notify($1::text, $2::text)").Bind(1, channel).Bind(2, payload).Run();
}

Notifier::~Notifier() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::unique_ptr<Connection> Notifier::Listen() {
  auto c = std::make_unique<Connection>(conninfo_);
  c->Exec("LISTEN " + channel_);  // the name was checked: letters, digits and '_' only
  session_pid_ = c->backend_pid();
  return c;
}

void Notifier::Run(std::unique_ptr<Connection> connection) {
  while (!stopping_) {
    if (connection == nullptr) {
      try {
        connection = Listen();
      } catch (const PgError& e) {
        spdlog::warn("postgresql: listening on {}: {}", channel_, e.what());
        std::this_thread::sleep_for(kReconnectPause);
        continue;
      }
      ++reconnects_;
      handler_(std::nullopt);  // what was sent while nobody listened is lost: drop everything
    }
    try {
      while (!stopping_) {
        auto n = connection->WaitForNotification(kPollMs);
        if (!n) break;
        handler_(n->payload);
      }
    } catch (const PgError& e) {
      spdlog::warn("postgresql: the listener on {} lost its connection: {}", channel_, e.what());
      connection.reset();
      session_pid_ = 0;
    }
  }
}

}  // namespace govshare::store::pg
