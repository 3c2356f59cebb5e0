// An SRTP session as DTLS-SRTP sets it up (RFC 5764 §4.2): our write keys protect what we
// send, the peer's write keys unprotect what we receive.
#pragma once
#include <memory>

#include "srtp_context.h"

namespace firstring {
namespace srtp {

struct SrtpSession {
  std::unique_ptr<SrtpContext> tx;  // Direction::kProtect, local master key/salt
  std::unique_ptr<SrtpContext> rx;  // Direction::kUnprotect, remote master key/salt
};

}  // namespace srtp
}  // namespace firstring
