// JavaScript bindings of the SRTP module (RFC 3711 / RFC 7714), wrapped by
// src/media/native-srtp.ts.
//
//   new SrtpSession(profile, localKey, localSalt, remoteKey, remoteSalt)
//     .protectRtp(buf, len) / .unprotectRtp(buf, len)
//     .protectRtcp(buf, len) / .unprotectRtcp(buf, len)   -> new length or negative status
//     .protectRtpSendTo(buf, len, fd, sockaddr)  -> protect, then one sendto(2): bytes sent or negative status
//     .handle (int32 for srtpProcessBatch), .close()
//   udpSockaddr(ip, port) -> Uint8Array holding a sockaddr_in/sockaddr_in6 for protectRtpSendTo
//   srtpProcessBatch(buf, desc: Int32Array, count) -> packets that succeeded
//   srtpDeriveKey(masterKey, masterSalt, label, length) -> Uint8Array (RFC 3711 §4.3)
//   srtpAesCmKeystream(sessionKey, sessionSalt, ssrc, index, length) -> Uint8Array (§4.1.1)
//   srtpConstants: status codes, profiles, batch layout
//
// Wrong argument types or out-of-range lengths throw (programming errors); a bad packet
// returns a negative status and never throws.
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bindings.h"
#include "srtp_batch.h"
#include "srtp_context.h"
#include "srtp_kdf.h"
#include "srtp_profile.h"
#include "srtp_registry.h"
#include "srtp_session.h"

namespace firstring {

namespace {

using srtp::Direction;
using srtp::SrtpContext;
using srtp::SrtpRegistry;

struct Bytes {
  uint8_t* data;
  size_t length;
};

// One N-API call; accepts any Uint8Array (Buffer included).
Bytes GetBytes(const Napi::CallbackInfo& info, size_t i, const char* name) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value array_buffer;
  size_t byte_offset = 0;
  napi_status status = napi_get_typedarray_info(info.Env(), info[i], &type, &length, &data,
                                                &array_buffer, &byte_offset);
  if (status != napi_ok || type != napi_uint8_array) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Uint8Array");
  }
  return {static_cast<uint8_t*>(data), length};
}

int64_t GetInteger(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min,
                   int64_t max) {
  double value = 0;
  if (napi_get_value_double(info.Env(), info[i], &value) != napi_ok) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  }
  if (!(value >= static_cast<double>(min) && value <= static_cast<double>(max)) ||
      value != static_cast<double>(static_cast<int64_t>(value))) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer in [" +
                                                std::to_string(min) + ", " +
                                                std::to_string(max) + "]");
  }
  return static_cast<int64_t>(value);
}

class SrtpSessionWrap : public Napi::ObjectWrap<SrtpSessionWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "SrtpSession",
                       {
                           InstanceMethod<&SrtpSessionWrap::ProtectRtp>("protectRtp"),
                           InstanceMethod<&SrtpSessionWrap::ProtectRtpSendTo>("protectRtpSendTo"),
                           InstanceMethod<&SrtpSessionWrap::UnprotectRtp>("unprotectRtp"),
                           InstanceMethod<&SrtpSessionWrap::ProtectRtcp>("protectRtcp"),
                           InstanceMethod<&SrtpSessionWrap::UnprotectRtcp>("unprotectRtcp"),
                           InstanceMethod<&SrtpSessionWrap::Close>("close"),
                           InstanceAccessor<&SrtpSessionWrap::Handle>("handle"),
                       });
  }

  explicit SrtpSessionWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SrtpSessionWrap>(info) {
    if (info.Length() < 5) {
      throw Napi::TypeError::New(
          info.Env(), "SrtpSession(profile, localKey, localSalt, remoteKey, remoteSalt)");
    }
    const uint32_t profile = static_cast<uint32_t>(GetInteger(info, 0, "profile", 0, 0xffff));
    const Bytes local_key = GetBytes(info, 1, "localKey");
    const Bytes local_salt = GetBytes(info, 2, "localSalt");
    const Bytes remote_key = GetBytes(info, 3, "remoteKey");
    const Bytes remote_salt = GetBytes(info, 4, "remoteSalt");
    std::string error;
    session_.tx = SrtpContext::Create(profile, Direction::kProtect, local_key.data,
                                      local_key.length, local_salt.data, local_salt.length, &error);
    if (session_.tx) {
      session_.rx = SrtpContext::Create(profile, Direction::kUnprotect, remote_key.data,
                                        remote_key.length, remote_salt.data, remote_salt.length,
                                        &error);
    }
    if (!session_.tx || !session_.rx) throw Napi::RangeError::New(info.Env(), error);
    SrtpRegistry* registry = SrtpRegistry::ForThisThread();
    handle_ = registry ? registry->Add(&session_) : -1;
    if (handle_ < 0) throw Napi::RangeError::New(info.Env(), "too many SRTP sessions on this thread");
  }

  ~SrtpSessionWrap() override { Release(); }

 private:
  void Release() {
    SrtpRegistry* registry = SrtpRegistry::ForThisThread();
    if (handle_ >= 0 && registry != nullptr) registry->Remove(handle_);
    handle_ = -1;
    session_.tx.reset();
    session_.rx.reset();
  }

  // Shared argument handling of the four packet methods: (buf, len).
  template <int32_t (SrtpContext::*Protect)(uint8_t*, size_t, size_t)>
  Napi::Value RunProtect(const Napi::CallbackInfo& info) {
    size_t len = 0;
    const Bytes buf = PacketArgs(info, &len);
    return Napi::Number::New(info.Env(), ((*session_.tx).*Protect)(buf.data, len, buf.length));
  }
  template <int32_t (SrtpContext::*Unprotect)(uint8_t*, size_t)>
  Napi::Value RunUnprotect(const Napi::CallbackInfo& info) {
    size_t len = 0;
    const Bytes buf = PacketArgs(info, &len);
    return Napi::Number::New(info.Env(), ((*session_.rx).*Unprotect)(buf.data, len));
  }
  Bytes PacketArgs(const Napi::CallbackInfo& info, size_t* len) {
    if (!session_.tx) throw Napi::Error::New(info.Env(), "SrtpSession is closed");
    const Bytes buf = GetBytes(info, 0, "packet buffer");
    *len = static_cast<size_t>(
        GetInteger(info, 1, "packet length", 0, static_cast<int64_t>(buf.length)));
    return buf;
  }

  Napi::Value ProtectRtp(const Napi::CallbackInfo& info) {
    return RunProtect<&SrtpContext::ProtectRtp>(info);
  }
  // protectRtpSendTo(buf, len, fd, sockaddr): protects the RTP packet in buf[0..len) in place,
  // then sends it with one non-blocking sendto(2) on `fd` (the ICE pair's UDP socket, owned by
  // libuv: writing a datagram on it from this thread is safe, the kernel copies it) to
  // `sockaddr` (from udpSockaddr). The lean RTP path's send without Node's dgram machinery.
  // Returns the bytes sent, a negative SRTP status, or kSendFailed (EAGAIN, ENOBUFS, a closed fd).
  Napi::Value ProtectRtpSendTo(const Napi::CallbackInfo& info) {
    size_t len = 0;
    const Bytes buf = PacketArgs(info, &len);
    const int fd = static_cast<int>(GetInteger(info, 2, "fd", 0, 0x7fffffff));
    const Bytes addr = GetBytes(info, 3, "sockaddr");
    if (addr.length != sizeof(sockaddr_in) && addr.length != sizeof(sockaddr_in6)) {
      throw Napi::RangeError::New(info.Env(), "sockaddr must come from udpSockaddr()");
    }
    const int32_t n = session_.tx->ProtectRtp(buf.data, len, buf.length);
    if (n < 0) return Napi::Number::New(info.Env(), n);
    const ssize_t sent = ::sendto(fd, buf.data, static_cast<size_t>(n), MSG_DONTWAIT,
                                  reinterpret_cast<const sockaddr*>(addr.data),
                                  static_cast<socklen_t>(addr.length));
    return Napi::Number::New(info.Env(), sent == n ? n : static_cast<int32_t>(srtp::kSendFailed));
  }

  Napi::Value UnprotectRtp(const Napi::CallbackInfo& info) {
    return RunUnprotect<&SrtpContext::UnprotectRtp>(info);
  }
  Napi::Value ProtectRtcp(const Napi::CallbackInfo& info) {
    return RunProtect<&SrtpContext::ProtectRtcp>(info);
  }
  Napi::Value UnprotectRtcp(const Napi::CallbackInfo& info) {
    return RunUnprotect<&SrtpContext::UnprotectRtcp>(info);
  }
  void Close(const Napi::CallbackInfo&) { Release(); }
  Napi::Value Handle(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), handle_); }

  srtp::SrtpSession session_;
  int32_t handle_ = -1;
};

Napi::Value ProcessBatch(const Napi::CallbackInfo& info) {
  const Bytes buf = GetBytes(info, 0, "buffer");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value array_buffer;
  size_t byte_offset = 0;
  if (napi_get_typedarray_info(info.Env(), info[1], &type, &length, &data, &array_buffer,
                               &byte_offset) != napi_ok ||
      type != napi_int32_array) {
    throw Napi::TypeError::New(info.Env(), "descriptors must be an Int32Array");
  }
  const int64_t count = GetInteger(info, 2, "count", 0,
                                   static_cast<int64_t>(length / srtp::kBatchStride));
  const size_t ok = srtp::ProcessBatch(buf.data, buf.length, static_cast<int32_t*>(data),
                                       static_cast<size_t>(count));
  return Napi::Number::New(info.Env(), static_cast<double>(ok));
}

// udpSockaddr(ip, port): the socket address protectRtpSendTo takes, for an IPv4 or IPv6
// literal (no zone index); a RangeError for anything else.
Napi::Value UdpSockaddr(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "udpSockaddr(ip: string, port: number)");
  const std::string ip = info[0].As<Napi::String>().Utf8Value();
  const uint16_t port = static_cast<uint16_t>(GetInteger(info, 1, "port", 1, 65535));
  sockaddr_in v4{};
  if (inet_pton(AF_INET, ip.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), sizeof v4);
    std::memcpy(out.Data(), &v4, sizeof v4);
    return out;
  }
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET6, ip.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), sizeof v6);
    std::memcpy(out.Data(), &v6, sizeof v6);
    return out;
  }
  throw Napi::RangeError::New(info.Env(), "not an IPv4 or IPv6 address literal: " + ip.substr(0, 64));
}

Napi::Value DeriveKey(const Napi::CallbackInfo& info) {
  const Bytes key = GetBytes(info, 0, "masterKey");
  const Bytes salt = GetBytes(info, 1, "masterSalt");
  const auto label = static_cast<srtp::KdfLabel>(GetInteger(info, 2, "label", 0, 5));
  const size_t length = static_cast<size_t>(GetInteger(info, 3, "length", 0, 4096));
  if (key.length != 16 || salt.length > 14) {
    throw Napi::RangeError::New(info.Env(), "masterKey must be 16 bytes and masterSalt at most 14");
  }
  Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), length);
  if (!srtp::DeriveSessionKey(key.data, key.length, salt.data, salt.length, label, out.Data(), length)) {
    throw Napi::Error::New(info.Env(), "SRTP key derivation failed");
  }
  return out;
}

Napi::Value AesCmKeystream(const Napi::CallbackInfo& info) {
  const Bytes key = GetBytes(info, 0, "sessionKey");
  const Bytes salt = GetBytes(info, 1, "sessionSalt");
  const uint32_t ssrc = static_cast<uint32_t>(GetInteger(info, 2, "ssrc", 0, 0xffffffffLL));
  const uint64_t index =
      static_cast<uint64_t>(GetInteger(info, 3, "index", 0, static_cast<int64_t>((1LL << 48) - 1)));
  const size_t length = static_cast<size_t>(GetInteger(info, 4, "length", 0, 1 << 24));
  if (key.length != 16 || salt.length != 14) {
    throw Napi::RangeError::New(info.Env(), "sessionKey must be 16 bytes and sessionSalt 14");
  }
  uint8_t iv[16];
  srtp::AesCmIv(salt.data, ssrc, index, iv);
  Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), length);
  if (!srtp::AesCmKeystream(key.data, iv, out.Data(), length)) {
    throw Napi::Error::New(info.Env(), "AES-CM keystream failed");
  }
  return out;
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object status = Napi::Object::New(env);
  status.Set("ok", static_cast<int32_t>(srtp::kOk));
  status.Set("authFailed", static_cast<int32_t>(srtp::kAuthFailed));
  status.Set("replayed", static_cast<int32_t>(srtp::kReplayed));
  status.Set("tooOld", static_cast<int32_t>(srtp::kTooOld));
  status.Set("malformed", static_cast<int32_t>(srtp::kMalformed));
  status.Set("noRoom", static_cast<int32_t>(srtp::kNoRoom));
  status.Set("ssrcLimit", static_cast<int32_t>(srtp::kSsrcLimit));
  status.Set("badSession", static_cast<int32_t>(srtp::kBadSession));
  status.Set("indexExhausted", static_cast<int32_t>(srtp::kIndexExhausted));
  status.Set("cryptoError", static_cast<int32_t>(srtp::kCryptoError));
  status.Set("badDescriptor", static_cast<int32_t>(srtp::kBadDescriptor));
  status.Set("sendFailed", static_cast<int32_t>(srtp::kSendFailed));
  Napi::Object c = Napi::Object::New(env);
  c.Set("status", status);
  c.Set("batchStride", static_cast<int32_t>(srtp::kBatchStride));
  c.Set("replayWindow", static_cast<double>(srtp::ReplayWindow::kSize));
  c.Set("maxStreams", static_cast<double>(SrtpContext::kMaxStreams));
  return c;
}

}  // namespace

void InitSrtp(Napi::Env env, Napi::Object exports) {
  exports.Set("SrtpSession", SrtpSessionWrap::Define(env));
  exports.Set("srtpProcessBatch", Napi::Function::New(env, ProcessBatch, "srtpProcessBatch"));
  exports.Set("srtpDeriveKey", Napi::Function::New(env, DeriveKey, "srtpDeriveKey"));
  exports.Set("udpSockaddr", Napi::Function::New(env, UdpSockaddr, "udpSockaddr"));
  exports.Set("srtpAesCmKeystream", Napi::Function::New(env, AesCmKeystream, "srtpAesCmKeystream"));
  exports.Set("srtpConstants", Constants(env));
}

}  // namespace firstring
