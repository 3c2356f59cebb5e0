#include "srtp_context.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>

#include "srtp_index.h"
#include "srtp_kdf.h"
#include "srtp_packet.h"

namespace firstring {
namespace srtp {

namespace {

constexpr size_t kGcmIvLen = 12;
constexpr uint32_t kMaxSrtcpIndex = 0x7fffffffu;  // 31 bits (RFC 3711 §3.4)
constexpr uint32_t kSrtcpEncryptedFlag = 0x80000000u;

// RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt.
void GcmRtpIv(const uint8_t salt[14], uint32_t ssrc, uint32_t roc, uint16_t seq, uint8_t iv[12]) {
  iv[0] = 0;
  iv[1] = 0;
  WriteU32(iv + 2, ssrc);
  WriteU32(iv + 6, roc);
  iv[10] = static_cast<uint8_t>(seq >> 8);
  iv[11] = static_cast<uint8_t>(seq);
  for (size_t i = 0; i < kGcmIvLen; ++i) iv[i] ^= salt[i];
}

// RFC 7714 §9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt.
void GcmRtcpIv(const uint8_t salt[14], uint32_t ssrc, uint32_t index, uint8_t iv[12]) {
  iv[0] = 0;
  iv[1] = 0;
  WriteU32(iv + 2, ssrc);
  iv[6] = 0;
  iv[7] = 0;
  WriteU32(iv + 8, index);
  for (size_t i = 0; i < kGcmIvLen; ++i) iv[i] ^= salt[i];
}

}  // namespace

std::unique_ptr<SrtpContext> SrtpContext::Create(uint32_t profile_id, Direction direction,
                                                 const uint8_t* master_key, size_t key_len,
                                                 const uint8_t* master_salt, size_t salt_len,
                                                 std::string* error) {
  Profile profile;
  ProfileParams params;
  if (!LookupProfile(profile_id, &profile, &params)) {
    *error = "unknown SRTP protection profile " + std::to_string(profile_id) +
             " (expected 1 = AES_CM_128_HMAC_SHA1_80 or 7 = AEAD_AES_128_GCM)";
    return nullptr;
  }
  if (key_len != params.key_len || salt_len != params.salt_len) {
    *error = "SRTP master key must be " + std::to_string(params.key_len) +
             " bytes and master salt " + std::to_string(params.salt_len) +
             " bytes for this profile (got " + std::to_string(key_len) + " and " +
             std::to_string(salt_len) + ")";
    return nullptr;
  }
  std::unique_ptr<SrtpContext> ctx(new SrtpContext(profile, params, direction));
  if (!ctx->Init(master_key, key_len, master_salt, salt_len, error)) return nullptr;
  return ctx;
}

SrtpContext::SrtpContext(Profile profile, const ProfileParams& params, Direction direction)
    : profile_(profile), params_(params), direction_(direction) {}

SrtpContext::~SrtpContext() {
  EVP_CIPHER_CTX_free(rtp_.cipher);
  EVP_CIPHER_CTX_free(rtcp_.cipher);
  OPENSSL_cleanse(rtp_.salt, sizeof rtp_.salt);
  OPENSSL_cleanse(rtcp_.salt, sizeof rtcp_.salt);
}

bool SrtpContext::Init(const uint8_t* master_key, size_t key_len, const uint8_t* master_salt,
                       size_t salt_len, std::string* error) {
  if (!InitKeys(&rtp_, master_key, key_len, master_salt, salt_len, false) ||
      !InitKeys(&rtcp_, master_key, key_len, master_salt, salt_len, true)) {
    *error = "OpenSSL failed to set up the SRTP session keys";
    return false;
  }
  return true;
}

bool SrtpContext::InitKeys(Keys* keys, const uint8_t* master_key, size_t key_len,
                           const uint8_t* master_salt, size_t salt_len, bool rtcp) {
  // RFC 3711 §4.3.1 labels: 0/1/2 for SRTP, 3/4/5 for SRTCP.
  const KdfLabel enc_label = rtcp ? KdfLabel::kRtcpEncryption : KdfLabel::kRtpEncryption;
  const KdfLabel auth_label = rtcp ? KdfLabel::kRtcpAuth : KdfLabel::kRtpAuth;
  const KdfLabel salt_label = rtcp ? KdfLabel::kRtcpSalt : KdfLabel::kRtpSalt;
  const bool gcm = profile_ == Profile::kAeadAes128Gcm;

  uint8_t session_key[16];
  uint8_t auth_key[HmacSha1::kDigestLen];
  bool ok = DeriveSessionKey(master_key, key_len, master_salt, salt_len, enc_label, session_key,
                             sizeof session_key) &&
            DeriveSessionKey(master_key, key_len, master_salt, salt_len, salt_label, keys->salt,
                             sizeof keys->salt);
  if (ok && !gcm) {
    // RFC 3711 §4.2.1 / §5.2: 160-bit session authentication key.
    ok = DeriveSessionKey(master_key, key_len, master_salt, salt_len, auth_label, auth_key,
                          sizeof auth_key) &&
         keys->auth.SetKey(auth_key, sizeof auth_key);
  }
  if (ok) {
    keys->cipher = EVP_CIPHER_CTX_new();
    // Counter mode is its own inverse, so AES-CM always runs the encrypt direction.
    const int enc = (!gcm || direction_ == Direction::kProtect) ? 1 : 0;
    ok = keys->cipher != nullptr &&
         EVP_CipherInit_ex(keys->cipher, gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr(), nullptr,
                           session_key, nullptr, enc) == 1;
  }
  OPENSSL_cleanse(session_key, sizeof session_key);
  OPENSSL_cleanse(auth_key, sizeof auth_key);
  return ok;
}

bool SrtpContext::AesCtr(Keys* keys, const uint8_t iv[16], uint8_t* data, size_t len) {
  // Same key, new IV: no re-keying and no allocation.
  if (EVP_EncryptInit_ex(keys->cipher, nullptr, nullptr, nullptr, iv) != 1) return false;
  if (len == 0) return true;
  int out_len = 0;
  return EVP_EncryptUpdate(keys->cipher, data, &out_len, data, static_cast<int>(len)) == 1;
}

bool SrtpContext::AesGcm(Keys* keys, const uint8_t iv[12], const uint8_t* aad1, size_t aad1_len,
                         const uint8_t* aad2, size_t aad2_len, uint8_t* data, size_t len,
                         uint8_t* tag) {
  EVP_CIPHER_CTX* c = keys->cipher;
  const bool enc = direction_ == Direction::kProtect;
  int out_len = 0;
  if (EVP_CipherInit_ex(c, nullptr, nullptr, nullptr, iv, enc ? 1 : 0) != 1) return false;
  if (aad1_len > 0 && EVP_CipherUpdate(c, nullptr, &out_len, aad1, static_cast<int>(aad1_len)) != 1)
    return false;
  if (aad2_len > 0 && EVP_CipherUpdate(c, nullptr, &out_len, aad2, static_cast<int>(aad2_len)) != 1)
    return false;
  if (len > 0 && EVP_CipherUpdate(c, data, &out_len, data, static_cast<int>(len)) != 1)
    return false;
  uint8_t final_block[16];
  if (enc) {
    return EVP_CipherFinal_ex(c, final_block, &out_len) == 1 &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
  }
  // The tag comparison inside EVP_CipherFinal_ex is constant time.
  return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1 &&
         EVP_CipherFinal_ex(c, final_block, &out_len) == 1;
}

int32_t SrtpContext::ProtectRtp(uint8_t* buf, size_t len, size_t capacity) {
  if (direction_ != Direction::kProtect) return kCryptoError;
  size_t header_len = 0;
  if (len > kMaxPacketLen || !RtpHeaderLength(buf, len, &header_len)) return kMalformed;
  const size_t tag_len = params_.rtp_tag_len;
  if (capacity < len + tag_len) return kNoRoom;

  const uint16_t seq = ReadU16(buf + 2);
  const uint32_t ssrc = ReadU32(buf + 8);
  RtpStream* s = rtp_streams_.Find(ssrc);
  if (s == nullptr) {
    if (rtp_streams_.full()) return kSsrcLimit;
    RtpStream fresh;
    fresh.ssrc = ssrc;
    fresh.s_l = seq;
    s = rtp_streams_.Insert(fresh);
  }
  // The sender keeps its ROC with the same estimate (RFC 3711 §3.3.1): it increments when
  // the sequence number wraps, and a slightly reordered send keeps the right ROC.
  const int64_t index = EstimateRtpIndex(s->roc, s->s_l, seq);
  if (index < 0) return kTooOld;
  if (static_cast<uint64_t>(index) > kMaxRtpIndex) return kIndexExhausted;
  const uint32_t roc = static_cast<uint32_t>(index >> 16);

  if (profile_ == Profile::kAeadAes128Gcm) {
    uint8_t iv[kGcmIvLen];
    GcmRtpIv(rtp_.salt, ssrc, roc, seq, iv);
    // RFC 7714 §8.2: the AAD is the whole RTP header, extension included.
    if (!AesGcm(&rtp_, iv, buf, header_len, nullptr, 0, buf + header_len, len - header_len,
                buf + len))
      return kCryptoError;
  } else {
    uint8_t iv[16];
    AesCmIv(rtp_.salt, ssrc, static_cast<uint64_t>(index), iv);
    if (!AesCtr(&rtp_, iv, buf + header_len, len - header_len)) return kCryptoError;
    // RFC 3711 §4.2: tag = HMAC(k_a, header || encrypted payload || ROC), truncated.
    uint8_t roc_be[4];
    WriteU32(roc_be, roc);
    uint8_t mac[HmacSha1::kDigestLen];
    rtp_.auth.Compute(buf, len, roc_be, sizeof roc_be, mac);
    std::memcpy(buf + len, mac, tag_len);
  }
  const uint64_t highest = (uint64_t{s->roc} << 16) | s->s_l;
  if (static_cast<uint64_t>(index) > highest) {
    s->roc = roc;
    s->s_l = seq;
  }
  return static_cast<int32_t>(len + tag_len);
}

int32_t SrtpContext::UnprotectRtp(uint8_t* buf, size_t len) {
  if (direction_ != Direction::kUnprotect) return kCryptoError;
  const size_t tag_len = params_.rtp_tag_len;
  if (len > kMaxPacketLen || len < kRtpFixedHeaderLen + tag_len) return kMalformed;
  const size_t body_len = len - tag_len;
  size_t header_len = 0;
  if (!RtpHeaderLength(buf, body_len, &header_len)) return kMalformed;

  const uint16_t seq = ReadU16(buf + 2);
  const uint32_t ssrc = ReadU32(buf + 8);
  RtpStream* s = rtp_streams_.Find(ssrc);
  if (s == nullptr && rtp_streams_.full()) return kSsrcLimit;
  // A new stream starts with ROC = 0 and s_l = its first SEQ (RFC 3711 §3.3.1).
  const int64_t index = s ? EstimateRtpIndex(s->roc, s->s_l, seq) : seq;
  if (index < 0) return kTooOld;
  if (static_cast<uint64_t>(index) > kMaxRtpIndex) return kIndexExhausted;
  // §3.3 step 3: replay check before any cryptographic work.
  if (s != nullptr) {
    const ReplayVerdict verdict = s->replay.Check(static_cast<uint64_t>(index));
    if (verdict == ReplayVerdict::kDuplicate) return kReplayed;
    if (verdict == ReplayVerdict::kTooOld) return kTooOld;
  }
  const uint32_t roc = static_cast<uint32_t>(index >> 16);

  if (profile_ == Profile::kAeadAes128Gcm) {
    uint8_t iv[kGcmIvLen];
    GcmRtpIv(rtp_.salt, ssrc, roc, seq, iv);
    // On failure the payload bytes are unspecified (GCM decrypts before it can verify);
    // the status tells the caller to drop the packet.
    if (!AesGcm(&rtp_, iv, buf, header_len, nullptr, 0, buf + header_len, body_len - header_len,
                buf + body_len))
      return kAuthFailed;
  } else {
    // §3.3 step 5: verify the tag (constant time) before decrypting; the buffer is
    // untouched when it does not match.
    uint8_t roc_be[4];
    WriteU32(roc_be, roc);
    uint8_t mac[HmacSha1::kDigestLen];
    rtp_.auth.Compute(buf, body_len, roc_be, sizeof roc_be, mac);
    if (CRYPTO_memcmp(mac, buf + body_len, tag_len) != 0) return kAuthFailed;
    uint8_t iv[16];
    AesCmIv(rtp_.salt, ssrc, static_cast<uint64_t>(index), iv);
    if (!AesCtr(&rtp_, iv, buf + header_len, body_len - header_len)) return kCryptoError;
  }

  // §3.3 step 6: only an authenticated packet updates ROC, s_l and the replay window.
  if (s == nullptr) {
    RtpStream fresh;
    fresh.ssrc = ssrc;
    fresh.roc = roc;
    fresh.s_l = seq;
    s = rtp_streams_.Insert(fresh);
  } else if (static_cast<uint64_t>(index) > ((uint64_t{s->roc} << 16) | s->s_l)) {
    s->roc = roc;
    s->s_l = seq;
  }
  s->replay.Accept(static_cast<uint64_t>(index));
  return static_cast<int32_t>(body_len);
}

int32_t SrtpContext::ProtectRtcp(uint8_t* buf, size_t len, size_t capacity) {
  if (direction_ != Direction::kProtect) return kCryptoError;
  if (len > kMaxPacketLen || !RtcpHeaderValid(buf, len)) return kMalformed;
  const size_t tag_len = params_.rtcp_tag_len;
  if (capacity < len + kSrtcpTrailerLen + tag_len) return kNoRoom;

  const uint32_t ssrc = ReadU32(buf + 4);
  RtcpStream* s = rtcp_streams_.Find(ssrc);
  if (s == nullptr) {
    if (rtcp_streams_.full()) return kSsrcLimit;
    RtcpStream fresh;
    fresh.ssrc = ssrc;
    s = rtcp_streams_.Insert(fresh);
  }
  const uint32_t index = s->next_index;
  if (index > kMaxSrtcpIndex) return kIndexExhausted;
  uint8_t trailer[kSrtcpTrailerLen];
  WriteU32(trailer, kSrtcpEncryptedFlag | index);  // E = 1: we always encrypt

  if (profile_ == Profile::kAeadAes128Gcm) {
    // RFC 7714 §9: header || ciphertext || tag || E||index; AAD = first 8 bytes || E||index.
    uint8_t iv[kGcmIvLen];
    GcmRtcpIv(rtcp_.salt, ssrc, index, iv);
    if (!AesGcm(&rtcp_, iv, buf, kRtcpHeaderLen, trailer, sizeof trailer, buf + kRtcpHeaderLen,
                len - kRtcpHeaderLen, buf + len))
      return kCryptoError;
    std::memcpy(buf + len + tag_len, trailer, sizeof trailer);
  } else {
    // RFC 3711 §3.4: everything after the first 8 bytes is encrypted; the tag covers the
    // packet and the E||index word.
    uint8_t iv[16];
    AesCmIv(rtcp_.salt, ssrc, index, iv);
    if (!AesCtr(&rtcp_, iv, buf + kRtcpHeaderLen, len - kRtcpHeaderLen)) return kCryptoError;
    std::memcpy(buf + len, trailer, sizeof trailer);
    uint8_t mac[HmacSha1::kDigestLen];
    rtcp_.auth.Compute(buf, len + kSrtcpTrailerLen, nullptr, 0, mac);
    std::memcpy(buf + len + kSrtcpTrailerLen, mac, tag_len);
  }
  s->next_index = index + 1;
  return static_cast<int32_t>(len + kSrtcpTrailerLen + tag_len);
}

int32_t SrtpContext::UnprotectRtcp(uint8_t* buf, size_t len) {
  if (direction_ != Direction::kUnprotect) return kCryptoError;
  const size_t tag_len = params_.rtcp_tag_len;
  if (len > kMaxPacketLen || len < kRtcpHeaderLen + kSrtcpTrailerLen + tag_len ||
      !RtcpHeaderValid(buf, len))
    return kMalformed;
  const bool gcm = profile_ == Profile::kAeadAes128Gcm;
  // AES-CM: packet || E||index || tag.  GCM: packet' || tag || E||index.
  const size_t body_len = len - kSrtcpTrailerLen - tag_len;
  uint8_t* trailer = gcm ? buf + len - kSrtcpTrailerLen : buf + body_len;
  const uint32_t word = ReadU32(trailer);
  const bool encrypted = (word & kSrtcpEncryptedFlag) != 0;
  const uint32_t index = word & kMaxSrtcpIndex;

  const uint32_t ssrc = ReadU32(buf + 4);
  RtcpStream* s = rtcp_streams_.Find(ssrc);
  if (s == nullptr && rtcp_streams_.full()) return kSsrcLimit;
  if (s != nullptr) {
    const ReplayVerdict verdict = s->replay.Check(index);
    if (verdict == ReplayVerdict::kDuplicate) return kReplayed;
    if (verdict == ReplayVerdict::kTooOld) return kTooOld;
  }

  if (gcm) {
    uint8_t iv[kGcmIvLen];
    GcmRtcpIv(rtcp_.salt, ssrc, index, iv);
    uint8_t* tag = buf + body_len;
    const bool ok =
        encrypted ? AesGcm(&rtcp_, iv, buf, kRtcpHeaderLen, trailer, kSrtcpTrailerLen,
                           buf + kRtcpHeaderLen, body_len - kRtcpHeaderLen, tag)
                  // Unencrypted SRTCP (RFC 7714 §9.3): the whole packet is AAD.
                  : AesGcm(&rtcp_, iv, buf, body_len, trailer, kSrtcpTrailerLen, nullptr, 0, tag);
    if (!ok) return kAuthFailed;
  } else {
    uint8_t mac[HmacSha1::kDigestLen];
    rtcp_.auth.Compute(buf, body_len + kSrtcpTrailerLen, nullptr, 0, mac);
    if (CRYPTO_memcmp(mac, buf + body_len + kSrtcpTrailerLen, tag_len) != 0) return kAuthFailed;
    if (encrypted) {
      uint8_t iv[16];
      AesCmIv(rtcp_.salt, ssrc, index, iv);
      if (!AesCtr(&rtcp_, iv, buf + kRtcpHeaderLen, body_len - kRtcpHeaderLen)) return kCryptoError;
    }
  }

  if (s == nullptr) {
    RtcpStream fresh;
    fresh.ssrc = ssrc;
    s = rtcp_streams_.Insert(fresh);
  }
  s->replay.Accept(index);
  return static_cast<int32_t>(body_len);
}

}  // namespace srtp
}  // namespace firstring
