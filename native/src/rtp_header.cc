#include "rtp_header.h"

namespace firstring {

RtpParseError parseRtpHeader(const uint8_t* data, size_t len, RtpHeader& out) {
  constexpr size_t kFixed = 12;
  if (data == nullptr || len < kFixed) return RtpParseError::TooShort;
  const uint8_t b0 = data[0];
  const uint8_t b1 = data[1];
  out.version = static_cast<uint8_t>(b0 >> 6);
  if (out.version != 2) return RtpParseError::BadVersion;
  out.padding = (b0 & 0x20) != 0;
  out.extension = (b0 & 0x10) != 0;
  out.csrcCount = static_cast<uint8_t>(b0 & 0x0F);
  out.marker = (b1 & 0x80) != 0;
  out.payloadType = static_cast<uint8_t>(b1 & 0x7F);
  out.sequence = static_cast<uint16_t>((data[2] << 8) | data[3]);
  out.timestamp = (static_cast<uint32_t>(data[4]) << 24) | (static_cast<uint32_t>(data[5]) << 16) |
                  (static_cast<uint32_t>(data[6]) << 8) | data[7];
  out.ssrc = (static_cast<uint32_t>(data[8]) << 24) | (static_cast<uint32_t>(data[9]) << 16) |
             (static_cast<uint32_t>(data[10]) << 8) | data[11];

  size_t offset = kFixed + 4u * out.csrcCount;
  if (offset > len) return RtpParseError::CsrcOverflow;
  if (out.extension) {
    // §5.3.1: 16-bit profile field, 16-bit length in 32-bit words, then the words.
    if (offset + 4 > len) return RtpParseError::ExtensionOverflow;
    const size_t words = static_cast<size_t>((data[offset + 2] << 8) | data[offset + 3]);
    offset += 4 + 4 * words;
    if (offset > len) return RtpParseError::ExtensionOverflow;
  }
  size_t end = len;
  if (out.padding) {
    // §5.1: the last octet counts the padding octets, itself included, so it is never 0.
    const size_t pad = data[len - 1];
    if (pad == 0 || pad > len - offset) return RtpParseError::BadPadding;
    end = len - pad;
  }
  out.payloadOffset = offset;
  out.payloadLength = end - offset;
  return RtpParseError::None;
}

const char* rtpParseErrorText(RtpParseError e) {
  switch (e) {
    case RtpParseError::None: return "ok";
    case RtpParseError::TooShort: return "RTP packet shorter than the 12-byte fixed header";
    case RtpParseError::BadVersion: return "RTP version is not 2";
    case RtpParseError::CsrcOverflow: return "RTP CSRC list runs past the packet end";
    case RtpParseError::ExtensionOverflow: return "RTP header extension runs past the packet end";
    case RtpParseError::BadPadding: return "RTP padding count is invalid";
  }
  return "unknown RTP error";
}

}  // namespace firstring
