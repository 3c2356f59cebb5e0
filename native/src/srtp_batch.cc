#include "srtp_batch.h"

#include "srtp_profile.h"
#include "srtp_registry.h"

namespace firstring {
namespace srtp {

namespace {

int32_t ProcessOne(uint8_t* buf, size_t buf_len, const int32_t* d,
                   const SrtpRegistry* registry) {
  const int32_t offset = d[kFieldOffset];
  const int32_t length = d[kFieldLength];
  const int32_t capacity = d[kFieldCapacity];
  if (offset < 0 || length < 0 || capacity < length ||
      static_cast<size_t>(offset) > buf_len ||
      static_cast<size_t>(capacity) > buf_len - static_cast<size_t>(offset))
    return kBadDescriptor;
  SrtpSession* session = registry ? registry->Get(d[kFieldHandle]) : nullptr;
  if (session == nullptr) return kBadSession;
  uint8_t* p = buf + offset;
  const size_t len = static_cast<size_t>(length);
  const size_t cap = static_cast<size_t>(capacity);
  switch (static_cast<BatchOp>(d[kFieldOp])) {
    case BatchOp::kProtectRtp:
      return session->tx->ProtectRtp(p, len, cap);
    case BatchOp::kUnprotectRtp:
      return session->rx->UnprotectRtp(p, len);
    case BatchOp::kProtectRtcp:
      return session->tx->ProtectRtcp(p, len, cap);
    case BatchOp::kUnprotectRtcp:
      return session->rx->UnprotectRtcp(p, len);
  }
  return kBadDescriptor;
}

}  // namespace

size_t ProcessBatch(uint8_t* buf, size_t buf_len, int32_t* desc, size_t count) {
  const SrtpRegistry* registry = SrtpRegistry::ForThisThread();
  size_t ok = 0;
  for (size_t i = 0; i < count; ++i) {
    int32_t* d = desc + i * kBatchStride;
    d[kFieldResult] = ProcessOne(buf, buf_len, d, registry);
    if (d[kFieldResult] >= 0) ++ok;
  }
  return ok;
}

}  // namespace srtp
}  // namespace firstring
