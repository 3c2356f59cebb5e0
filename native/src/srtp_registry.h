// Per-thread table from small integer handles to live SRTP sessions, so a batch call can
// name each packet's session with an int32 instead of a JavaScript object. Each worker
// thread has its own JavaScript environment and therefore its own table.
//
// Handle = generation (15 bits) << 16 | slot (16 bits). The generation changes whenever a
// slot is reused, so a stale handle of a closed session resolves to nothing.
#pragma once
#include <cstdint>
#include <vector>

#include "srtp_session.h"

namespace firstring {
namespace srtp {

class SrtpRegistry {
 public:
  static constexpr uint32_t kMaxSessions = 1u << 16;

  // nullptr once this thread's table has been destroyed (thread or process exit), so a
  // finalizer running late never touches a dead table.
  static SrtpRegistry* ForThisThread();
  ~SrtpRegistry();

  // Returns the handle, or -1 when kMaxSessions sessions are already open on this thread.
  int32_t Add(SrtpSession* session);
  void Remove(int32_t handle);
  SrtpSession* Get(int32_t handle) const;

 private:
  struct Slot {
    SrtpSession* session = nullptr;
    uint16_t generation = 0;
  };
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
};

}  // namespace srtp
}  // namespace firstring
