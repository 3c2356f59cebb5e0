/**
 * The one interface between a call's network transport and everything above it:
 * packets in, packets out, close. WebRTC (werift) implements it now; plain RTP over
 * UDP for SIP trunks will implement it later. The pipeline never learns which.
 */
export interface MediaPacket {
  /** Codec payload (Opus), already decrypted. */
  payload: Buffer;
  sequenceNumber: number;
  /** RTP timestamp on the codec clock (48 kHz for Opus). */
  timestamp: number;
  marker: boolean;
  payloadType: number;
  ssrc: number;
  /** performance.now() when the packet was handed up (for a jitter buffer). */
  arrivalMs: number;
}

export interface CallTransport {
  readonly kind: 'webrtc' | 'rtp';
  /** Called for every caller packet. */
  onPacket: ((packet: MediaPacket) => void) | undefined;
  /** Called once when the transport is gone (peer left, network lost, closed). */
  onClose: ((reason: string) => void) | undefined;
  /**
   * Sends one agent packet; `marker` starts a talkspurt (RFC 3551 §4.1). The payload is
   * copied (or on the wire) before this returns: the caller may reuse its buffer.
   */
  send(payload: Buffer, timestamp: number, marker: boolean): void;
  close(reason: string): void;
}
