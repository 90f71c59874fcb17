#include "http/access_log.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

namespace govshare::http {

namespace {

constexpr std::size_t kFlushBytes = 64 * 1024;
constexpr auto kFlushInterval = std::chrono::seconds(1);
std::atomic<std::uint64_t> next_log_id{1};

}  // namespace

common::Result<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<AccessLog>(new AccessLog(STDOUT_FILENO, false));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return common::Status::Unavailable("access_log", fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  return std::unique_ptr<AccessLog>(new AccessLog(fd, true));
}

AccessLog::AccessLog(int fd, bool owns_fd) : id_(next_log_id.fetch_add(1)), fd_(fd), owns_fd_(owns_fd) {
  flusher_ = std::thread([this] {
    std::unique_lock lock(flusher_mutex_);
    while (!stopping_) {
      flusher_cv_.wait_for(lock, kFlushInterval, [this] { return stopping_; });
      lock.unlock();
      Flush();
      lock.lock();
    }
  });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(flusher_mutex_);
    stopping_ = true;
  }
  flusher_cv_.notify_all();
  flusher_.join();
  Flush();
  if (owns_fd_) ::close(fd_);
}

AccessLog::Buffer& AccessLog::ThreadBuffer() {
  // Keyed by log id, not address, so that a log created at the address of a destroyed one starts afresh.
  thread_local std::unordered_map<std::uint64_t, Buffer*> mine;
  auto it = mine.find(id_);
  if (it != mine.end()) return *it->second;
  std::lock_guard lock(buffers_mutex_);
  buffers_.push_back(std::make_unique<Buffer>());
  return *mine.emplace(id_, buffers_.back().get()).first->second;
}

void AccessLog::Write(std::string_view line) {
  Buffer& buffer = ThreadBuffer();
  std::lock_guard lock(buffer.mutex);
  buffer.data.append(line);
  buffer.data.push_back('\n');
  if (buffer.data.size() >= kFlushBytes) WriteOut(buffer.data);
}

void AccessLog::Flush() {
  std::lock_guard list_lock(buffers_mutex_);
  for (auto& buffer : buffers_) {
    std::lock_guard lock(buffer->mutex);
    WriteOut(buffer->data);
  }
}

void AccessLog::WriteOut(std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      spdlog::error("access log write failed: {}", std::strerror(errno));
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  data.clear();
}

}  // namespace govshare::http
