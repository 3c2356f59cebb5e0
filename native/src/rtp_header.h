// RTP fixed header parsing (RFC 3550 §5.1), with every length bounds-checked.
#pragma once
#include <cstddef>
#include <cstdint>

namespace firstring {

struct RtpHeader {
  uint8_t version = 0;
  bool padding = false;
  bool extension = false;
  uint8_t csrcCount = 0;
  bool marker = false;
  uint8_t payloadType = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  size_t payloadOffset = 0;  // first payload byte (after CSRCs and the extension)
  size_t payloadLength = 0;  // payload bytes, padding excluded
};

enum class RtpParseError {
  None = 0,
  TooShort,          // fewer than the 12 fixed bytes
  BadVersion,        // version field is not 2
  CsrcOverflow,      // CSRC list runs past the end
  ExtensionOverflow, // header extension runs past the end
  BadPadding,        // padding count 0 or larger than the payload (RFC 3550 §5.1, P bit)
};

// Parses `len` bytes at `data`. Returns RtpParseError::None and fills `out` on success.
RtpParseError parseRtpHeader(const uint8_t* data, size_t len, RtpHeader& out);
const char* rtpParseErrorText(RtpParseError e);

}  // namespace firstring
