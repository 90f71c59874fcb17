#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.hpp"

namespace govshare::http {

/// The JSON-lines access log. Each writing thread appends to its own buffer (no cross-thread wake-up on the request
/// path); a buffer is written out when it reaches 64 KiB, and a flusher thread writes every buffer once a second and
/// on Flush(). Lines are whole in the file: each write(2) carries complete lines to a file opened with O_APPEND.
/// Thread-safe.
class AccessLog {
 public:
  /// `path` "-" writes to standard output.
  static common::Result<std::unique_ptr<AccessLog>> Open(const std::string& path);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  void Write(std::string_view line);
  /// Writes out every buffer now.
  void Flush();

 private:
  struct Buffer {
    std::mutex mutex;
    std::string data;
  };
  AccessLog(int fd, bool owns_fd);
  Buffer& ThreadBuffer();
  void WriteOut(std::string& data);

  const std::uint64_t id_;
  const int fd_;
  const bool owns_fd_;
  std::mutex buffers_mutex_;
  std::vector<std::unique_ptr<Buffer>> buffers_;
  std::mutex flusher_mutex_;
  std::condition_variable flusher_cv_;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace govshare::http
