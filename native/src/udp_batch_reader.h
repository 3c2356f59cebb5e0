// Batched, non-blocking reads of a UDP socket: recvmmsg(2) into buffers allocated once,
// with the kernel's receive timestamp of each datagram (SO_TIMESTAMPNS). One reader serves
// every socket of a media worker, one batch at a time.
#pragma once
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace firstring {

// A received datagram as the reader hands it over: valid until the next read().
struct Datagram {
  uint8_t* data;
  size_t length;
  bool truncated;          // longer than kMaxDatagram: the kernel cut it (MSG_TRUNC)
  double ageMs;            // how long before the read the kernel received it (0 when unknown)
  const sockaddr* from;    // source address (sockaddr_in or sockaddr_in6)
  socklen_t fromLength;
};

class UdpBatchReader {
 public:
  static constexpr size_t kBatch = 16;
  static constexpr size_t kMaxDatagram = 2048;  // above any MTU-sized datagram

  UdpBatchReader();
  ~UdpBatchReader();
  UdpBatchReader(const UdpBatchReader&) = delete;
  UdpBatchReader& operator=(const UdpBatchReader&) = delete;

  // Asks the kernel to timestamp each datagram received on `fd` (SO_TIMESTAMPNS). False when refused.
  static bool enableTimestamps(int fd);

  // Reads up to kBatch datagrams from `fd` without blocking. Returns how many (0 when none
  // is queued), or -1 on another error (errno kept). `realNowNs` is CLOCK_REALTIME at the
  // caller's "now", against which each datagram's age is measured.
  int read(int fd, int64_t realNowNs);
  const Datagram& datagram(size_t i) const { return datagrams_[i]; }

 private:
  std::vector<uint8_t> buffers_;
  std::vector<uint8_t> control_;
  std::vector<sockaddr_storage> names_;
  std::vector<iovec> iov_;
  std::vector<mmsghdr> msgs_;
  std::vector<Datagram> datagrams_;
};

// CLOCK_REALTIME now, in nanoseconds (the clock SO_TIMESTAMPNS stamps datagrams with).
int64_t realtimeNowNs();

}  // namespace firstring
