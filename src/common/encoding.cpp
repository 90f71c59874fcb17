#include "common/encoding.hpp"

#include <iconv.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace govshare::common {
namespace {

/// Decoder state shared by the copies of the returned std::function.
class Decoder {
 public:
  Decoder(iconv_t cd, ByteSource raw) : cd_(cd), raw_(std::move(raw)), in_(kChunk) {}
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;
  ~Decoder() { iconv_close(cd_); }

  std::size_t Read(char* out, std::size_t capacity) {
    std::size_t written = 0;
    while (written == 0) {
      if (pos_ == end_ || need_more_) {
        need_more_ = false;
        if (!Refill()) {
          if (pos_ < end_) {  // a truncated multi-byte sequence at the very end of the input
            pos_ = end_;
            out[written++] = kUndecodableByte;
          }
          return written;
        }
      }
      char* src = in_.data() + pos_;
      std::size_t src_left = end_ - pos_;
      char* dst = out + written;
      std::size_t dst_left = capacity - written;
      const std::size_t rc = iconv(cd_, &src, &src_left, &dst, &dst_left);
      const int error = errno;
      written = capacity - dst_left;
      pos_ = end_ - src_left;
      if (rc == static_cast<std::size_t>(-1)) {
        if (error == EILSEQ && written < capacity) {
          // Mark the spot and resynchronise one byte further: control bytes (comma, quote, line feed) are never a
          // GB18030 trail byte, so the damage stays inside the field.
          out[written++] = kUndecodableByte;
          ++pos_;
        } else if (error == EINVAL) {
          need_more_ = true;  // an incomplete sequence at the end of the buffer: read more before converting it
        }
      }
    }
    return written;
  }

 private:
  static constexpr std::size_t kChunk = std::size_t{1} << 16;

  /// Moves the unconverted tail to the front and reads more; false at the end of the input.
  bool Refill() {
    std::memmove(in_.data(), in_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
    if (eof_) return false;
    const std::size_t n = raw_(in_.data() + end_, in_.size() - end_);
    if (n == 0) eof_ = true;
    end_ += n;
    return n > 0;
  }

  iconv_t cd_;
  ByteSource raw_;
  std::vector<char> in_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  bool need_more_ = false;
};

}  // namespace

Result<ByteSource> Gb18030ToUtf8(ByteSource raw) {
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return Status::Unavailable("encoding_unsupported", "this system's iconv has no GB18030 converter");
  }
  auto decoder = std::make_shared<Decoder>(cd, std::move(raw));
  return ByteSource([decoder](char* out, std::size_t capacity) { return decoder->Read(out, capacity); });
}

}  // namespace govshare::common
