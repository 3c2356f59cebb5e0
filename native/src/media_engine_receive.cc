// MediaEngine's own socket reads (attachSocket / receive): the established media path of a
// call, after ICE and DTLS, without a JavaScript call or a Buffer per datagram. Once per
// tick every attached socket is drained with recvmmsg(2); SRTP (RFC 3711 §3.3) is removed
// in place and the RTP goes straight into the call's jitter buffer. Datagrams that are not
// RTP (STUN consent checks, DTLS alerts, RTCP: RFC 7983 §7, RFC 5761 §4) go back to
// JavaScript as records, for werift.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "datagram_kind.h"
#include "media_engine.h"
#include "srtp_registry.h"

namespace firstring {
namespace {

void writeU32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

// Port, family and address text of a datagram's source into a record header (bytes 8..57).
void writeSource(uint8_t* rec, const Datagram& d) {
  char text[INET6_ADDRSTRLEN] = {};
  uint16_t port = 0;
  uint8_t family = 0;
  if (d.from->sa_family == AF_INET && d.fromLength >= sizeof(sockaddr_in)) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(d.from);
    port = ntohs(a->sin_port);
    family = 4;
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
  } else if (d.from->sa_family == AF_INET6 && d.fromLength >= sizeof(sockaddr_in6)) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(d.from);
    port = ntohs(a->sin6_port);
    family = 6;
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
  }
  const size_t len = ::strnlen(text, sizeof text);
  rec[8] = static_cast<uint8_t>(port);
  rec[9] = static_cast<uint8_t>(port >> 8);
  rec[10] = family;
  rec[11] = static_cast<uint8_t>(len);
  std::memset(rec + 12, 0, 48);
  std::memcpy(rec + 12, text, len);
}

}  // namespace

MediaEngine::~MediaEngine() {
  for (size_t slot = 0; slot < calls_.size(); ++slot) detachSocket(slot);
}

const char* MediaEngine::attachSocket(size_t slot, int fd, int32_t srtpHandle) {
  if (slot >= calls_.size()) return "slot is out of range";
  Call& c = calls_[slot];
  if (!c.active) return "slot has no active call";
  if (fd < 0) return "fd must be a descriptor";
  srtp::SrtpRegistry* registry = srtp::SrtpRegistry::ForThisThread();
  srtp::SrtpSession* session = registry != nullptr ? registry->Get(srtpHandle) : nullptr;
  if (session == nullptr || !session->rx) return "no open SRTP session has this handle on this thread";
  int type = 0;
  socklen_t typeLen = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &typeLen) != 0 || type != SOCK_DGRAM) return "fd is not a UDP socket";
  const int own = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) return "could not duplicate the socket descriptor";
  detachSocket(slot);
  UdpBatchReader::enableTimestamps(own);  // without stamps, arrival is the read time
  c.socketFd = own;
  c.srtpHandle = srtpHandle;
  c.rx.reset(c.config.jitter.clockRate);
  c.socket = SocketCounters{};
  return nullptr;
}

void MediaEngine::detachSocket(size_t slot) {
  if (slot >= calls_.size()) return;
  Call& c = calls_[slot];
  if (c.socketFd >= 0) ::close(c.socketFd);
  c.socketFd = -1;
  c.srtpHandle = -1;
}

MediaEngine::ReceiveResult MediaEngine::receive(double nowMs, uint8_t* out, size_t outCap, uint32_t* rxPackets,
                                                uint32_t* rxBytes) {
  ReceiveResult r;
  if (!receiveResumes_) {
    receiveCursor_ = 0;
    std::fill(rxPackets, rxPackets + calls_.size(), 0u);
    std::fill(rxBytes, rxBytes + calls_.size(), 0u);
  }
  const int64_t realNow = realtimeNowNs();
  for (size_t slot = receiveCursor_; slot < calls_.size(); ++slot) {
    Call& c = calls_[slot];
    if (!c.active || c.socketFd < 0) continue;
    size_t taken = 0;
    while (taken < kMaxDatagramsPerCall) {
      // Room for a whole batch of records before each read: a datagram read is never dropped for lack of room.
      if (outCap - r.bytes < kReceiveBatchBytes) {
        r.more = true;
        receiveCursor_ = slot;
        receiveResumes_ = true;
        return r;
      }
      const int n = reader_.read(c.socketFd, realNow);
      if (n < 0) ++c.socket.readErrors;
      if (n <= 0) break;
      for (int i = 0; i < n; ++i) receiveDatagram(slot, c, reader_.datagram(static_cast<size_t>(i)), nowMs, r, out, rxPackets, rxBytes);
      taken += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < UdpBatchReader::kBatch) break;
    }
  }
  receiveCursor_ = 0;
  receiveResumes_ = false;
  return r;
}

void MediaEngine::receiveDatagram(size_t slot, Call& c, const Datagram& d, double nowMs, ReceiveResult& r,
                                  uint8_t* out, uint32_t* rxPackets, uint32_t* rxBytes) {
  if (d.truncated) {
    ++c.socket.truncated;
    return;
  }
  if (classifyDatagram(d.data, d.length) != DatagramKind::Rtp) {
    uint8_t* rec = out + r.bytes;
    writeU32(rec, static_cast<uint32_t>(slot));
    writeU32(rec + 4, static_cast<uint32_t>(d.length));
    writeSource(rec, d);
    std::memcpy(rec + kDatagramRecordHeader, d.data, d.length);
    r.bytes += kDatagramRecordHeader + d.length;
    ++r.records;
    ++c.socket.handedBack;
    return;
  }
  srtp::SrtpRegistry* registry = srtp::SrtpRegistry::ForThisThread();
  srtp::SrtpSession* session = registry != nullptr ? registry->Get(c.srtpHandle) : nullptr;
  if (session == nullptr || !session->rx) {  // closed under us: nothing can authenticate the packet
    ++c.socket.otherDropped;
    return;
  }
  const int32_t len = session->rx->UnprotectRtp(d.data, d.length);
  if (len < 0) {
    switch (static_cast<srtp::Status>(len)) {
      case srtp::kAuthFailed: ++c.socket.authFailed; break;
      case srtp::kReplayed: ++c.socket.replayed; break;
      case srtp::kTooOld: ++c.socket.tooOld; break;
      case srtp::kMalformed: ++c.socket.malformed; break;
      default: ++c.socket.otherDropped; break;
    }
    return;
  }
  const double arrivalMs = nowMs - d.ageMs;
  RtpHeader h;
  if (acceptRtp(c, d.data, static_cast<size_t>(len), arrivalMs, h) == RtpVerdict::Malformed) {
    ++c.socket.malformed;
    return;
  }
  ++c.socket.rtp;
  c.rx.add(h.ssrc, h.sequence, h.timestamp, arrivalMs, h.payloadLength);
  ++rxPackets[slot];
  rxBytes[slot] += static_cast<uint32_t>(d.length);
}

const ReceiveStats* MediaEngine::receiveStats(size_t slot) const {
  return active(slot) && calls_[slot].socketFd >= 0 ? &calls_[slot].rx : nullptr;
}

const SocketCounters* MediaEngine::socketCounters(size_t slot) const {
  return active(slot) && calls_[slot].socketFd >= 0 ? &calls_[slot].socket : nullptr;
}

}  // namespace firstring
