// Many packets of many sessions in one call, so a media worker crosses into native code
// once per tick. Packets live in one shared byte buffer; an int32 descriptor per packet
// says which session, which operation and where.
#pragma once
#include <cstddef>
#include <cstdint>

namespace firstring {
namespace srtp {

enum class BatchOp : int32_t {
  kProtectRtp = 0,
  kUnprotectRtp = 1,
  kProtectRtcp = 2,
  kUnprotectRtcp = 3,
};

// Descriptor layout, kBatchStride int32 per packet.
enum BatchField : size_t {
  kFieldHandle = 0,    // session handle (SrtpRegistry)
  kFieldOp = 1,        // BatchOp
  kFieldOffset = 2,    // byte offset of the packet in the buffer
  kFieldLength = 3,    // packet length in bytes
  kFieldCapacity = 4,  // bytes available from offset (protect appends the tag)
  kFieldResult = 5,    // out: new length (>= 0) or a negative srtp::Status
  kBatchStride = 6,
};

// Processes `count` descriptors in order against `buf`. Each packet's result goes to its
// kFieldResult; a bad descriptor gets kBadDescriptor/kBadSession and the batch goes on.
// Returns how many packets succeeded.
size_t ProcessBatch(uint8_t* buf, size_t buf_len, int32_t* desc, size_t count);

}  // namespace srtp
}  // namespace firstring
