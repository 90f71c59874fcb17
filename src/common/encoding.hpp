#pragma once

#include "common/csv.hpp"

namespace govshare::common {

/// The byte in the decoded stream that stands for an undecodable input sequence: 0xFF never occurs in UTF-8, so the
/// record that contains it fails UTF-8 validation and is reported with its line, while the rest of the file decodes.
inline constexpr char kUndecodableByte = '\xFF';

/// Wraps a GB18030 byte source into a UTF-8 one (iconv from glibc), streaming: a multi-byte sequence split between two
/// reads is completed by the next. An invalid byte becomes kUndecodableByte and decoding resumes at the next byte;
/// since ASCII punctuation (comma, quote, line feed) is never a GB18030 trail byte, the damage stays within one field.
/// Fails only if iconv has no GB18030 converter.
Result<ByteSource> Gb18030ToUtf8(ByteSource raw);

}  // namespace govshare::common
