#pragma once

#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "common/status.hpp"

namespace govshare::exchange {

/// A small stand-in for a provider department's own system, for the demo and the tests of logical access: the
/// provincial public security department's death-registration interface (人口死亡注销信息). It answers
/// `GET /death-registrations/{公民身份号码}` with {"sfzh", "xm", "swrq", "xzqhdm"} for about one valid ID number in
/// fifty (deterministically), 404 for the others, and `GET /healthz`. Every data call must carry the platform's HMAC
/// signature (X-Govshare-Timestamp within five minutes, X-Govshare-Signature; see SignCall), else 401.
class DemoProvider {
 public:
  /// Listens on `listen` (host:port; port 0 for an ephemeral one) on a thread of its own.
  static common::Result<std::unique_ptr<DemoProvider>> Start(const std::string& listen, std::string secret);
  ~DemoProvider();
  DemoProvider(const DemoProvider&) = delete;
  DemoProvider& operator=(const DemoProvider&) = delete;

  unsigned short port() const { return port_; }
  /// How many data calls it has answered (tests: the circuit breaker stops calling it).
  long calls() const;
  /// Tests: while set, it answers 503 (a failing provider) or sleeps `delay_ms` before answering.
  void SetFailing(bool failing);
  void SetDelay(int delay_ms);

  struct State;

 private:
  DemoProvider() = default;
  std::shared_ptr<State> state_;
  std::unique_ptr<boost::asio::io_context> ioc_;
  std::thread thread_;
  unsigned short port_ = 0;
};

/// The demo provider's record for an ID number, or none: deterministic, shared with tests.
struct DeathRecord {
  std::string id;
  std::string name;
  std::string date;  // YYYY-MM-DD
  std::string region;
};
std::optional<DeathRecord> DemoDeathRecord(const std::string& id);

}  // namespace govshare::exchange
