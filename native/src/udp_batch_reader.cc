#include "udp_batch_reader.h"

#include <errno.h>
#include <sys/socket.h>
#include <time.h>

#include <cstring>

namespace firstring {
namespace {
constexpr size_t kControlBytes = CMSG_SPACE(sizeof(timespec)) + 64;  // the timestamp, with room to spare
}  // namespace

UdpBatchReader::UdpBatchReader()
    : buffers_(kBatch * kMaxDatagram),
      control_(kBatch * kControlBytes),
      names_(kBatch),
      iov_(kBatch),
      msgs_(kBatch),
      datagrams_(kBatch) {}

UdpBatchReader::~UdpBatchReader() = default;

bool UdpBatchReader::enableTimestamps(int fd) {
  const int on = 1;
  return ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
}

int64_t realtimeNowNs() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

int UdpBatchReader::read(int fd, int64_t realNowNs) {
  for (size_t i = 0; i < kBatch; ++i) {
    iov_[i].iov_base = buffers_.data() + i * kMaxDatagram;
    iov_[i].iov_len = kMaxDatagram;
    msghdr& h = msgs_[i].msg_hdr;
    std::memset(&h, 0, sizeof h);
    h.msg_name = &names_[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &iov_[i];
    h.msg_iovlen = 1;
    h.msg_control = control_.data() + i * kControlBytes;
    h.msg_controllen = kControlBytes;
    msgs_[i].msg_len = 0;
  }
  int n;
  do {
    n = ::recvmmsg(fd, msgs_.data(), static_cast<unsigned>(kBatch), MSG_DONTWAIT, nullptr);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
  for (int i = 0; i < n; ++i) {
    msghdr& h = msgs_[i].msg_hdr;
    Datagram& d = datagrams_[i];
    d.data = static_cast<uint8_t*>(iov_[i].iov_base);
    d.length = msgs_[i].msg_len;
    d.truncated = (h.msg_flags & MSG_TRUNC) != 0;
    if (d.length > kMaxDatagram) d.length = kMaxDatagram;
    d.from = reinterpret_cast<const sockaddr*>(&names_[i]);
    d.fromLength = h.msg_namelen;
    d.ageMs = 0.0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
      if (c->cmsg_len < CMSG_LEN(sizeof(timespec))) break;
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      const int64_t at = static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
      // A stamp from the future (clock stepped) or older than a second is not trusted.
      const int64_t age = realNowNs - at;
      if (age > 0 && age < 1000000000LL) d.ageMs = static_cast<double>(age) / 1e6;
      break;
    }
  }
  return n;
}

}  // namespace firstring
