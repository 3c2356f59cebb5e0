#include "srtp_registry.h"

namespace firstring {
namespace srtp {

namespace {
thread_local bool t_registry_destroyed = false;  // trivially destructible: readable to the end
}  // namespace

SrtpRegistry* SrtpRegistry::ForThisThread() {
  if (t_registry_destroyed) return nullptr;
  thread_local SrtpRegistry registry;
  return &registry;
}

SrtpRegistry::~SrtpRegistry() { t_registry_destroyed = true; }

int32_t SrtpRegistry::Add(SrtpSession* session) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    if (slots_.size() >= kMaxSessions) return -1;
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  slots_[slot].session = session;
  return static_cast<int32_t>((uint32_t{slots_[slot].generation} << 16) | slot);
}

void SrtpRegistry::Remove(int32_t handle) {
  if (Get(handle) == nullptr) return;
  Slot& s = slots_[static_cast<uint32_t>(handle) & 0xffffu];
  s.session = nullptr;
  s.generation = static_cast<uint16_t>((s.generation + 1) & 0x7fffu);
  free_.push_back(static_cast<uint32_t>(handle) & 0xffffu);
}

SrtpSession* SrtpRegistry::Get(int32_t handle) const {
  if (handle < 0) return nullptr;
  const uint32_t slot = static_cast<uint32_t>(handle) & 0xffffu;
  const uint32_t generation = static_cast<uint32_t>(handle) >> 16;
  if (slot >= slots_.size() || slots_[slot].generation != generation) return nullptr;
  return slots_[slot].session;
}

}  // namespace srtp
}  // namespace firstring
