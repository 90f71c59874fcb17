#include <utility>  // before Asio's awaitable under g++ 12 with Boost 1.74

#include "http/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "common/crypto.hpp"
#include "common/json.hpp"

namespace govshare::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using common::ErrorKind;
using common::Status;

namespace {

constexpr std::size_t kMaxRequestIdChars = 64;
constexpr std::size_t kReadChunk = 8192;
constexpr std::size_t kResponseHeadReserve = 512;  // room for the status line and our usual dozen header fields
constexpr int kLingerSeconds = 2;
constexpr std::size_t kLingerBytes = 4 << 20;

bool IsUnsafe(beast_http::verb v) {
  return v == beast_http::verb::post || v == beast_http::verb::put || v == beast_http::verb::patch ||
         v == beast_http::verb::delete_;
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdChars) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
  }
  return {};
}

std::string_view MimeType(const std::string& path) {
  const auto ext = std::filesystem::path(path).extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".ttf") return "font/ttf";
  return "application/octet-stream";
}

struct StaticFile {
  std::string content;
  std::string_view mime;
};

/// Moves a blocking call onto `pool` and resumes the coroutine on its own executor when the call returns.
template <typename Fn>
asio::awaitable<void> RunBlocking(asio::thread_pool& pool, Fn fn) {
  auto home = co_await asio::this_coro::executor;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&pool, fn = std::move(fn), home](auto handler) mutable {
        asio::post(pool, [fn = std::move(fn), handler = std::move(handler), home]() mutable {
          fn();
          asio::post(home, std::move(handler));
        });
      },
      asio::use_awaitable);
}

/// The bridge between a body producer on the blocking pool and its connection's coroutine (Context::Stream): the
/// producer's writes are gathered into chunks of kChunkBytes; at most kQueuedChunks wait for the connection, and a
/// producer with more blocks its pool thread until the coroutine has taken one (bounded memory). The coroutine never
/// blocks: it asks for the next piece with Await, whose callback runs at once or when the producer delivers. Shared by
/// both sides (shared_ptr); thread-safe.
class ChunkPipe final : public BodyWriter {
 public:
  static constexpr std::size_t kChunkBytes = 64 << 10;
  static constexpr std::size_t kQueuedChunks = 2;
  static constexpr auto kStopPoll = std::chrono::milliseconds(50);

  /// A piece for the coroutine: a chunk, or the end of the body (whole or failed).
  struct Piece {
    std::string data;
    bool end = false;
    bool failed = false;
  };
  using Waiter = std::function<void(Piece)>;

  explicit ChunkPipe(const std::atomic<bool>& stopping) : stopping_(stopping) {}

  // Producer side (one thread).
  bool Write(std::string_view bytes) override {
    pending_.append(bytes);
    if (pending_.size() >= kChunkBytes) return Push();
    std::lock_guard lock(mutex_);
    return !closed_;
  }
  /// Ends the body: sends what is pending (if `ok`) and the end mark. `detail` is what the producer filled in.
  void Finish(bool ok, const AuditDetail& detail) {
    if (ok && !pending_.empty()) ok = Push() || closed();
    const bool complete = ok && !closed();
    std::string hash = complete ? hash_.HexDigest() : std::string();
    Waiter waiter;
    {
      std::lock_guard lock(mutex_);
      detail_ = detail;
      detail_.content_hash = std::move(hash);
      failed_ = !ok;
      finished_ = true;
      if (queue_.empty()) std::swap(waiter, waiter_);
    }
    if (waiter) waiter(Piece{{}, true, failed_});
  }

  // Connection side.
  /// Calls `waiter` with the next piece: now, or from the producer's thread when it has one.
  void Await(Waiter waiter) {
    Piece piece;
    {
      std::lock_guard lock(mutex_);
      if (!queue_.empty()) {
        piece.data = std::move(queue_.front());
        queue_.pop_front();
        room_.notify_one();
      } else if (finished_) {
        piece.end = true;
        piece.failed = failed_;
      } else {
        waiter_ = std::move(waiter);
        return;
      }
    }
    waiter(std::move(piece));
  }
  /// The client is gone: the producer's next write returns false.
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    room_.notify_all();
  }
  /// After the end piece: what the producer reported, with the SHA-256 of the whole body if it was sent whole.
  AuditDetail detail() const {
    std::lock_guard lock(mutex_);
    return detail_;
  }

 private:
  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  /// Hands the pending bytes on as one chunk; waits while the queue is full. false: nobody will take it.
  bool Push() {
    hash_.Update(pending_);
    Waiter waiter;
    {
      std::unique_lock lock(mutex_);
      while (!closed_ && queue_.size() >= kQueuedChunks) {
        if (stopping_.load()) return false;  // a stopped server's connections never take more
        room_.wait_for(lock, kStopPoll);
      }
      if (closed_) return false;
      if (waiter_) {
        std::swap(waiter, waiter_);
      } else {
        queue_.push_back(std::move(pending_));
      }
    }
    if (waiter) waiter(Piece{std::move(pending_), false, false});
    pending_.clear();
    return true;
  }

  const std::atomic<bool>& stopping_;
  std::string pending_;  // producer thread only
  common::Sha256 hash_;  // producer thread only
  mutable std::mutex mutex_;
  std::condition_variable room_;
  std::deque<std::string> queue_;  // mutex_
  Waiter waiter_;                  // mutex_: the coroutine waiting for a piece
  bool finished_ = false;          // mutex_
  bool failed_ = false;            // mutex_
  bool closed_ = false;            // mutex_
  AuditDetail detail_;             // mutex_
};

}  // namespace

struct Server::Impl {
  Options options;
  const Router& router;
  Metrics& metrics;
  Authenticate authenticate;
  const org::Authorizer& authorizer;
  AccessLog* access_log;

  /// One io_context per io thread (concurrency hint 1): a connection lives on one thread from accept to close, so the
  /// request path takes no lock and wakes no other thread. The acceptor runs on worker 0 and deals connections out in
  /// turn.
  struct Worker {
    asio::io_context ioc{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::unordered_map<std::uint64_t, beast::tcp_stream*> idle;  // this thread only: connections waiting for a request
    std::thread thread;
  };
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<tcp::acceptor> acceptor;
  asio::thread_pool blocking;
  std::atomic<bool> stopping{false};
  std::atomic<bool> stopped{false};
  /// Audit appends whose callback has not run yet. Stop waits for them: a callback posts to an io_context, which must
  /// still exist then.
  std::mutex audit_mutex;
  std::condition_variable audit_cv;
  std::size_t audits_in_flight = 0;  // audit_mutex
  std::mutex stop_mutex;
  std::unordered_map<std::string, StaticFile> static_files;

  std::atomic<std::uint64_t> next_connection{1};
  std::atomic<std::uint64_t> next_request{1};
  std::string request_id_prefix = common::RandomToken(6);

  Impl(Options o, const Router& r, Metrics& m, Authenticate a, const org::Authorizer& az, AccessLog* log)
      : options(std::move(o)),
        router(r),
        metrics(m),
        authenticate(std::move(a)),
        authorizer(az),
        access_log(log),
        blocking(static_cast<std::size_t>(std::max<std::int64_t>(1, options.http.blocking_threads))) {}

  void LoadStaticFiles() {
    if (options.web_dir.empty()) return;
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(options.web_dir, ec)) {
      spdlog::warn("web directory {} does not exist: the portal is not served", options.web_dir);
      return;
    }
    for (const auto& entry : fs::recursive_directory_iterator(options.web_dir, ec)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      const std::string rel = "/" + fs::relative(entry.path(), options.web_dir).generic_string();
      static_files[rel] = {buffer.str(), MimeType(rel)};
    }
    spdlog::info("serving the portal from {} ({} files)", options.web_dir, static_files.size());
  }

  asio::awaitable<void> Accept() {
    for (std::size_t turn = 0;; ++turn) {
      Worker& worker = *workers[turn % workers.size()];
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor->async_accept(worker.ioc, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopping) co_return;
        spdlog::warn("accept: {}", ec.message());
        continue;
      }
      if (metrics.open_connections.load() >= options.http.max_connections) {
        metrics.rejected_connections.fetch_add(1);
        socket.close(ec);
        continue;
      }
      metrics.open_connections.fetch_add(1);
      asio::co_spawn(worker.ioc, Serve(worker, std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(Worker& worker, tcp::socket socket) {
    const std::uint64_t conn_id = next_connection.fetch_add(1);
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    std::string remote;
    {
      boost::system::error_code ec;
      auto ep = stream.socket().remote_endpoint(ec);
      remote = ec ? "unknown" : ep.address().to_string();
    }
    stream.socket().set_option(tcp::no_delay(true));
    {
      boost::system::error_code ec;  // WriteWhole's first send must not wait for room in the socket
      stream.socket().non_blocking(true, ec);
    }
    try {
      for (;;) {
        if (stopping) break;
        // 1. Wait for the first byte of the next request (keep-alive idle timeout).
        if (buffer.size() == 0) {
          worker.idle[conn_id] = &stream;
          stream.expires_after(std::chrono::seconds(options.http.idle_timeout_s));
          boost::system::error_code ec;
          const std::size_t n = co_await stream.async_read_some(buffer.prepare(kReadChunk),
                                                                asio::redirect_error(asio::use_awaitable, ec));
          worker.idle.erase(conn_id);
          if (ec) break;
          buffer.commit(n);
        }
        // 2. Headers, then body, each with its own deadline (slow clients are cut off).
        beast_http::request_parser<beast_http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.http.max_header_bytes));
        parser.body_limit(static_cast<std::uint64_t>(options.http.max_body_bytes));
        parser.eager(true);
        boost::system::error_code ec;
        // A keep-alive client's request has nearly always arrived whole with the read above: parse what is there
        // first, and go to the network (with its deadlines) only for what is missing.
        ParseBuffered(parser, buffer, ec);
        if (!ec && !parser.is_header_done()) {
          stream.expires_after(std::chrono::seconds(options.http.header_timeout_s));
          co_await beast_http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec && !parser.is_done()) {
          stream.expires_after(std::chrono::seconds(options.http.body_timeout_s));
          co_await beast_http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        }
        if (ec) {
          if (ec == beast_http::error::header_limit) {
            co_await WriteBare(stream, 431, "header_too_large", "request headers are too large");
          } else if (ec == beast_http::error::body_limit) {
            co_await WriteBare(stream, 413, "body_too_large",
                               fmt::format("request body exceeds {} bytes", options.http.max_body_bytes));
          } else if (ec != beast::error::timeout && ec != beast_http::error::end_of_stream && ec != asio::error::eof &&
                     ec != asio::error::connection_reset) {
            co_await WriteBare(stream, 400, "bad_request", "malformed HTTP request");
          }
          break;
        }
        auto reply = co_await Handle(parser.get(), remote);
        reply.response.keep_alive(parser.get().keep_alive() && !stopping);
        if (reply.streamed) {
          stream.expires_after(std::chrono::seconds(options.http.body_timeout_s));
          if (!co_await StreamBody(stream, reply)) break;
        } else {
          ec = co_await WriteWhole(stream, reply.response);
        }
        if (ec || !reply.response.keep_alive()) break;
      }
    } catch (const std::exception& e) {
      spdlog::debug("connection {}: {}", conn_id, e.what());
    }
    worker.idle.erase(conn_id);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
    metrics.open_connections.fetch_sub(1);
  }

  /// Feeds the parser from what `buffer` already holds, consuming what it parsed. Leaves `ec` clear when the parser
  /// needs more bytes than there are.
  static void ParseBuffered(beast_http::request_parser<beast_http::string_body>& parser, beast::flat_buffer& buffer,
                            boost::system::error_code& ec) {
    while (buffer.size() > 0 && !parser.is_done()) {
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == beast_http::error::need_more) {
        ec = {};
        return;
      }
      if (ec || used == 0) return;
    }
  }

  /// Writes a whole response. It is small and the socket nearly always has room for it, so it goes out with one
  /// non-blocking sendmsg of the serialised header and the body: no serializer state machine, no timer, no suspension.
  /// Whatever the socket does not take at once is written asynchronously, under the body deadline.
  asio::awaitable<boost::system::error_code> WriteWhole(beast::tcp_stream& stream,
                                                        beast_http::response<beast_http::string_body>& res) {
    std::string head;
    head.reserve(kResponseHeadReserve);
    const auto append = [&head](beast::string_view text) { head.append(text.data(), text.size()); };
    fmt::format_to(std::back_inserter(head), "HTTP/{}.{} {} ", res.version() / 10, res.version() % 10,
                   res.result_int());
    append(res.reason());
    head.append("\r\n");
    for (const auto& field : res) {
      append(field.name_string());
      head.append(": ");
      append(field.value());
      head.append("\r\n");
    }
    head.append("\r\n");
    const std::array<asio::const_buffer, 2> pieces{asio::buffer(head), asio::buffer(res.body())};
    const std::size_t total = head.size() + res.body().size();
    boost::system::error_code ec;
    std::size_t sent = stream.socket().send(pieces, 0, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec = {};
      sent = 0;
    }
    if (ec || sent == total) co_return ec;
    beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(pieces);
    rest.consume(sent);
    stream.expires_after(std::chrono::seconds(options.http.body_timeout_s));
    co_await asio::async_write(stream, rest, asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
  }

  /// What Handle answers: a whole response, or a header whose body a producer streams (Context::Stream). A streamed
  /// reply keeps its Context (the request's, for the closing audit record) and its route's name.
  struct Reply {
    beast_http::response<beast_http::string_body> response;
    std::unique_ptr<Context> streamed;
    std::string route;
    bool audited = false;  // the request has an outcome record, so its stream gets a closing one
  };

  /// Sends a streamed reply: the header (chunked), then the producer's chunks as it delivers them, then the last chunk;
  /// then appends the record that closes the stream (AuditPhase::kStreamEnd). The producer runs on the blocking pool;
  /// this coroutine only writes. false: the connection must close (the body was cut short).
  asio::awaitable<bool> StreamBody(beast::tcp_stream& stream, Reply& reply) {
    Context& ctx = *reply.streamed;
    auto pipe = std::make_shared<ChunkPipe>(stopping);
    boost::system::error_code ec;
    beast_http::response_serializer<beast_http::string_body> header(reply.response);
    co_await beast_http::async_write_header(stream, header, asio::redirect_error(asio::use_awaitable, ec));
    bool whole = false;
    if (!ec) {
      asio::post(blocking, [pipe, producer = std::move(ctx.producer), detail = ctx.audit]() mutable {
        detail.row_count = 0;
        Status s = Status::Ok();
        try {
          s = producer(*pipe, detail);
        } catch (const std::exception& e) {
          s = Status::Internal(e.what());
        }
        if (!s.ok()) spdlog::error("streamed body: {}", s.ToString());
        pipe->Finish(s.ok(), detail);
      });
      auto home = co_await asio::this_coro::executor;
      for (;;) {
        auto piece = co_await asio::async_initiate<decltype(asio::use_awaitable), void(ChunkPipe::Piece)>(
            [&pipe, home](auto handler) {
              auto resume = std::make_shared<decltype(handler)>(std::move(handler));
              pipe->Await([home, resume](ChunkPipe::Piece p) {
                asio::post(home, [resume, p = std::move(p)]() mutable { (*resume)(std::move(p)); });
              });
            },
            asio::use_awaitable);
        if (piece.end) {
          if (!piece.failed && !ec) {
            co_await asio::async_write(stream, beast_http::make_chunk_last(),
                                       asio::redirect_error(asio::use_awaitable, ec));
            whole = !ec;
          }
          ctx.stream_end_reason = whole ? "" : piece.failed ? "stream_failed" : "client_gone";
          break;
        }
        if (ec) continue;  // the client is gone: drain until the producer has noticed and ended
        stream.expires_after(std::chrono::seconds(options.http.body_timeout_s));
        co_await asio::async_write(stream, beast_http::make_chunk(asio::buffer(piece.data)),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) pipe->Close();
      }
      ctx.audit = pipe->detail();
      if (!whole) ctx.audit.content_hash.clear();  // no hash of a body nobody received whole
    } else {
      ctx.stream_end_reason = "client_gone";
    }
    if (reply.audited) {
      auto receipt = co_await Audit(ctx, reply.route, AuditPhase::kStreamEnd);
      if (!receipt.ok()) {
        spdlog::error("the closing audit record of {} [{}]: {}", ctx.path, ctx.request_id, receipt.status().ToString());
      }
    }
    co_return whole;
  }

  asio::awaitable<void> WriteBare(beast::tcp_stream& stream, unsigned status, std::string_view code,
                                  std::string_view detail) {
    beast_http::response<beast_http::string_body> res{static_cast<beast_http::status>(status), 11};
    common::JsonWriter w;
    w.StartObject()
        .Field("type", fmt::format("/problems/{}", code))
        .Field("title", ProblemTitle(status))
        .Field("status", static_cast<int>(status))
        .Field("code", code)
        .Field("detail", detail)
        .EndObject();
    res.set(beast_http::field::content_type, "application/problem+json");
    res.set(beast_http::field::connection, "close");
    res.body() = w.str();
    res.prepare_payload();
    metrics.Observe("-", "(unparsed)", status, 0);
    boost::system::error_code ec;
    stream.expires_after(std::chrono::seconds(5));
    co_await beast_http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    // Lingering close: the client may still be sending the rest of a refused request. Closing at once would reset
    // the connection and destroy our answer in the client's receive buffer, so stop sending, then read and discard
    // for a bounded time and amount before closing.
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, kReadChunk> sink{};
    std::size_t drained = 0;
    stream.expires_after(std::chrono::seconds(kLingerSeconds));
    while (!ec && drained < kLingerBytes) {
      drained += co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  std::string NewRequestId() {
    return fmt::format("{}-{}", request_id_prefix, next_request.fetch_add(1, std::memory_order_relaxed));
  }

  /// Authenticates and authorises; on failure writes the problem into ctx and returns false.
  bool Admit(Context& ctx, const Route& route) {
    if (route.access == Access::kPublic) return true;
    const auto& req = ctx.request;
    std::string token;
    bool via_cookie = false;
    const auto authz = req[beast_http::field::authorization];
    if (authz.size() > 7 && beast::iequals(authz.substr(0, 7), "Bearer ")) {
      token = std::string(authz.substr(7));
    } else if (const auto cookie = CookieValue(req[beast_http::field::cookie], "gs_session"); !cookie.empty()) {
      token = std::string(cookie);
      via_cookie = true;
    }
    if (token.empty()) {
      ctx.Problem(Status::Unauthenticated("unauthenticated", "log in or send Authorization: Bearer <token>"));
      return false;
    }
    auto principal = authenticate(token);
    if (!principal.ok()) {
      ctx.Problem(principal.status());
      return false;
    }
    ctx.principal = std::move(principal.value());
    ctx.principal->via_cookie = via_cookie;
    ctx.bearer_token = std::move(token);
    // CSRF: a cookie is sent by the browser on its own; an unsafe request must prove it came from our pages.
    if (via_cookie && IsUnsafe(req.method()) &&
        !common::ConstantTimeEquals(req["X-CSRF-Token"], ctx.principal->csrf_token)) {
      ctx.Problem(Status(ErrorKind::kForbidden, "csrf_mismatch", "missing or wrong X-CSRF-Token header"));
      return false;
    }
    // A user with a generated password must choose their own before doing anything else.
    if (ctx.principal->must_change_password && !route.before_password_change) {
      ctx.Problem(Status(ErrorKind::kForbidden, "password_change_required", "change your password first"));
      return false;
    }
    // Deny by default: the route-level check uses the single permission table (org/permissions.cpp); the service then
    // checks the resource's scope with the same table.
    if (route.permission && !authorizer.HasPermission(*ctx.principal, *route.permission)) {
      ctx.Problem(Status::Forbidden(fmt::format("not allowed: {}", org::PermissionName(*route.permission))));
      return false;
    }
    return true;
  }

  /// The audit records a request gets (Route::audit).
  enum class Records { kNone, kOutcome, kIntentAndOutcome };
  Records RecordsFor(const Route& route, beast_http::verb method) const {
    if (!options.audit) return Records::kNone;
    if (route.audit == AuditPolicy::kOutcome) return Records::kOutcome;
    const bool change = route.method != beast_http::verb::get && (IsUnsafe(method) || route.access == Access::kPublic);
    return change ? Records::kIntentAndOutcome : Records::kNone;
  }

  /// Appends the request's intent or outcome record and resumes the coroutine on its own executor once the record is
  /// durable or has failed. No thread waits meanwhile: the audit writer's callback posts the resumption back.
  asio::awaitable<common::Result<std::uint64_t>> Audit(const Context& ctx, std::string_view route, AuditPhase phase) {
    auto home = co_await asio::this_coro::executor;
    {
      std::lock_guard lock(audit_mutex);
      ++audits_in_flight;
    }
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(common::Result<std::uint64_t>)>(
        [this, &ctx, route, phase, home](auto handler) {
          // AuditDone is a std::function, which must be copyable; the coroutine's handler is move-only.
          auto resume = std::make_shared<decltype(handler)>(std::move(handler));
          const AuditDone done = [this, home, resume](common::Result<std::uint64_t> receipt) {
            asio::post(home, [resume, receipt = std::move(receipt)]() mutable { (*resume)(std::move(receipt)); });
            std::lock_guard lock(audit_mutex);
            --audits_in_flight;
            audit_cv.notify_all();
          };
          try {
            options.audit(ctx, route, phase, done);
          } catch (const std::exception& e) {  // e.g. out of memory before the record was queued: fail closed
            spdlog::error("audit of {} [{}]: {}", ctx.path, ctx.request_id, e.what());
            done(Status::Unavailable("audit_unavailable", "the audit record could not be made durable"));
          }
        },
        asio::use_awaitable);
  }

  /// Runs the route's handler: inline on this io thread, or on the blocking pool (Route::exec). An exception becomes
  /// 500 internal.
  asio::awaitable<void> RunHandler(Context& ctx, const Route& route) {
    try {
      if (route.exec == Exec::kBlocking || (route.blocking_when && route.blocking_when(ctx))) {
        co_await RunBlocking(blocking, [&] { route.handler(ctx); });
      } else {
        route.handler(ctx);
      }
    } catch (const std::exception& e) {
      spdlog::error("{} {} [{}]: {}", ctx.request.method_string(), ctx.path, ctx.request_id, e.what());
      ctx.Problem(Status::Internal("internal error"));
    }
  }

  asio::awaitable<Reply> Handle(const BeastRequest& req, const std::string& remote) {
    const auto started = std::chrono::steady_clock::now();
    const std::string_view target = req.target();
    const auto qpos = target.find('?');
    auto owned = std::make_unique<Context>(
        req, target.substr(0, qpos), qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1));
    Context& ctx = *owned;
    ctx.client_address = remote;
    const auto incoming_id = req["X-Request-Id"];
    ctx.request_id = IsValidRequestId(incoming_id) ? std::string(incoming_id) : NewRequestId();

    std::string route_name = "(none)";
    bool audited = false;
    auto match = router.Find(req.method(), ctx.path);
    if (match.route != nullptr) {
      route_name = match.route->pattern;
      ctx.params = std::move(match.params);
      // Art. 25, 27, 30: every state change (and every attempt at one, allowed or denied) and every audited read is
      // recorded durably before the caller hears the result. For a change an intent record goes first: if it cannot be
      // written nothing runs and the answer is 503 (fail closed).
      const Records records = RecordsFor(*match.route, req.method());
      audited = records != Records::kNone;
      bool audit_down = false;
      if (Admit(ctx, *match.route)) {
        if (records == Records::kIntentAndOutcome) {
          auto intent = co_await Audit(ctx, route_name, AuditPhase::kIntent);
          if (!intent.ok()) {
            audit_down = true;
            ctx.Problem(intent.status());
          }
        }
        if (!audit_down) co_await RunHandler(ctx, *match.route);
      }
      if (records != Records::kNone && !audit_down) {
        auto receipt = co_await Audit(ctx, route_name, AuditPhase::kOutcome);
        if (receipt.ok()) {
          ctx.headers.emplace_back("X-Audit-Receipt", std::to_string(receipt.value()));
        } else {
          // The handler's answer (and any data in it) is not sent without its record.
          ctx.headers.clear();
          ctx.Problem(receipt.status());
        }
      }
    } else if (match.path_exists) {
      ctx.Problem(Status(ErrorKind::kMethodNotAllowed, "method_not_allowed", "this method is not allowed here"));
    } else if (!ServeStatic(ctx, route_name)) {
      ctx.Problem(Status::NotFound(fmt::format("no route for {}", ctx.path)));
    }
    if (ctx.status >= 400) ctx.producer = nullptr;
    Reply reply{Finish(ctx, route_name, started), nullptr, route_name, audited};
    if (ctx.producer) reply.streamed = std::move(owned);
    co_return reply;
  }

  bool ServeStatic(Context& ctx, std::string& route_name) {
    if (static_files.empty() || ctx.request.method() != beast_http::verb::get) return false;
    if (ctx.path.substr(0, 5) == "/api/") return false;
    auto it = static_files.find(std::string(ctx.path));
    if (it == static_files.end()) it = static_files.find("/index.html");  // SPA: the router in the page decides
    if (it == static_files.end()) return false;
    route_name = "(static)";
    ctx.status = 200;
    ctx.body = it->second.content;
    ctx.content_type = std::string(it->second.mime);
    const bool immutable = ctx.path.substr(0, 8) == "/assets/";
    ctx.headers.emplace_back("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    ctx.headers.emplace_back("Content-Security-Policy",
                             "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                             "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'");
    return true;
  }

  beast_http::response<beast_http::string_body> Finish(Context& ctx, const std::string& route_name,
                                                       std::chrono::steady_clock::time_point started) {
    beast_http::response<beast_http::string_body> res{static_cast<beast_http::status>(ctx.status),
                                                      ctx.request.version()};
    res.set(beast_http::field::server, "govshare");
    res.set("X-Request-Id", ctx.request_id);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    bool has_cache_control = false;
    for (const auto& [k, v] : ctx.headers) {
      if (k == "Cache-Control") has_cache_control = true;
      res.insert(k, v);
    }
    if (!has_cache_control) res.set(beast_http::field::cache_control, "no-store");
    if (ctx.status != 204) res.set(beast_http::field::content_type, ctx.content_type);
    const std::size_t bytes = ctx.body.size();  // a streamed body is not counted here (its audit record has it)
    if (ctx.producer) {
      res.chunked(true);
    } else {
      res.body() = std::move(ctx.body);
      res.prepare_payload();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics.Observe(ctx.request.method_string(), route_name, ctx.status, seconds);
    if (access_log) {
      common::JsonWriter w;
      w.StartObject()
          .Field("ts", common::FormatRfc3339(std::chrono::duration_cast<std::chrono::seconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count()))
          .Field("request_id", ctx.request_id)
          .Field("remote", ctx.client_address)
          .Field("method", ctx.request.method_string())
          .Field("path", ctx.path)
          .Field("route", route_name)
          .Field("status", static_cast<int>(ctx.status))
          .Field("bytes", static_cast<std::int64_t>(bytes))
          .Field("duration_us", static_cast<std::int64_t>(seconds * 1e6));
      if (ctx.principal) {
        w.Field("principal",
                fmt::format("{}:{}", ctx.principal->kind == org::Principal::Kind::kUser ? "user" : "application",
                            ctx.principal->id));
      }
      w.EndObject();
      access_log->Write(w.str());
    }
    return res;
  }
};

Server::Server(Options options, const Router& router, Metrics& metrics, Authenticate authenticate,
               const org::Authorizer& authorizer, AccessLog* access_log)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, std::move(authenticate), authorizer,
                                   access_log)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  auto& o = impl_->options;
  const auto colon = o.listen.rfind(':');
  if (colon == std::string::npos) return Status::Invalid("invalid_listen", "listen must be HOST:PORT");
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(o.listen.substr(0, colon), ec);
  if (ec) return Status::Invalid("invalid_listen", fmt::format("bad listen address {}", o.listen));
  unsigned short port = 0;
  try {
    port = static_cast<unsigned short>(std::stoul(o.listen.substr(colon + 1)));
  } catch (const std::exception&) {
    return Status::Invalid("invalid_listen", fmt::format("bad port in {}", o.listen));
  }
  tcp::endpoint endpoint(address, port);
  const auto n = o.http.io_threads > 0 ? static_cast<unsigned>(o.http.io_threads)
                                       : std::max(1U, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) impl_->workers.push_back(std::make_unique<Impl::Worker>());
  auto& acceptor = impl_->acceptor.emplace(impl_->workers[0]->ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    impl_->acceptor.reset();
    impl_->workers.clear();
    return Status::Unavailable("listen_failed", fmt::format("cannot listen on {}: {}", o.listen, ec.message()));
  }
  port_ = acceptor.local_endpoint().port();
  impl_->LoadStaticFiles();
  asio::co_spawn(impl_->workers[0]->ioc, impl_->Accept(), asio::detached);
  for (auto& worker : impl_->workers) {
    worker->work.emplace(worker->ioc.get_executor());
    worker->thread = std::thread([w = worker.get()] { w->ioc.run(); });
  }
  return Status::Ok();
}

void Server::Stop() {
  std::lock_guard lock(impl_->stop_mutex);
  if (impl_->stopped || impl_->workers.empty()) return;
  impl_->stopping = true;
  asio::post(impl_->workers[0]->ioc, [this] {
    boost::system::error_code ec;
    impl_->acceptor->close(ec);
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(impl_->options.http.shutdown_grace_s);
  // Close idle keep-alive connections now and again (a connection may turn idle after its last response). Each worker
  // cancels its own connections on its own thread.
  while (impl_->metrics.open_connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    for (auto& worker : impl_->workers) {
      asio::post(worker->ioc, [w = worker.get()] {
        for (auto& [id, stream] : w->idle) stream->cancel();
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& worker : impl_->workers) {
    worker->work.reset();
    worker->ioc.stop();
  }
  for (auto& worker : impl_->workers) worker->thread.join();
  impl_->blocking.join();
  {
    std::unique_lock audits(impl_->audit_mutex);
    impl_->audit_cv.wait(audits, [this] { return impl_->audits_in_flight == 0; });
  }
  if (impl_->access_log) impl_->access_log->Flush();
  impl_->stopped = true;
}

void Server::RunUntilSignalled() {
  asio::io_context signals_ioc;
  asio::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int signal) {
    spdlog::info("signal {} received: finishing in-flight requests", signal);
  });
  signals_ioc.run();
  Stop();
}

}  // namespace govshare::http
