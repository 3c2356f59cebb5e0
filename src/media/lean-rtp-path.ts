/**
 * The lean RTP path: once werift has done ICE and the DTLS handshake, RTP in and out of a
 * call bypasses werift's RTP stack (RtpPacket parsing, the router, RTCRtpReceiver and
 * RTCRtpSender bookkeeping, its async send chain). werift keeps ICE (checks and RFC 7675
 * consent freshness), DTLS (handshake, alerts) and RTCP (sender/receiver reports,
 * feedback), each still reaching it through its own code.
 *
 * Receive: the ICE-selected pair's UDP socket gets one `message` listener in front of
 * werift's. It demultiplexes each datagram by its first bytes (RFC 7983 §7, RFC 5761 §4):
 * RTP is unprotected in place by the native SRTP core (auth tag and replay window,
 * RFC 3711 §3.3) and handed up as a MediaPacket; STUN, DTLS and RTCP go to werift's
 * listener untouched.
 * Send: the RTP header is written here (RFC 3550 §5.1) with werift's negotiated SSRC and
 * payload type, and the mid / abs-send-time extensions if negotiated; the packet is
 * protected natively and sent on the selected pair's socket to its remote address, only
 * while werift says consent is fresh (RFC 7675 §5.1). The sender's packet/octet counts and
 * an NTP/RTP timestamp pair are kept on werift's RTCRtpSender so its RTCP sender reports
 * (RFC 3550 §6.4.1) describe the stream we send; receiver statistics of each received
 * stream (lean-rtp-receive-stats.ts) sit in werift's RTCRtpReceiver so its receiver reports
 * carry a report block for the caller's stream.
 *
 * SRTP keys come from werift's DTLS exporter (RFC 5764 §4.2) in a native session of our
 * own, used for RTP only (SRTCP stays with werift or the native bridge on its session;
 * SRTP and SRTCP contexts are independent, RFC 3711 §3.2.3).
 *
 * Native receive: given a `nativeReceive` sink (the media worker's MediaEngine slot of the
 * call), the path hands the pair's socket to the engine, which reads it on a duplicate
 * descriptor once per tick (recvmmsg, SRTP, jitter buffer, all calls in one native call),
 * and stops libuv's reads of it. What the engine reads that is not RTP comes back through
 * `deliver()` and reaches werift's listener as if the socket had emitted it.
 *
 * Anything the lean path does not handle (a TURN-relayed pair, header extensions other
 * than mid/abs-send-time, an unknown SRTP profile, a werift build without the members used
 * here) leaves the call on werift's path, counted in `refused` and logged.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import type { Logger } from 'pino';
import type { RTCDtlsTransport, RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver } from 'werift';
import type { MediaPacket } from './call-transport.js';
import type { HandedBackDatagram, SocketReceiveStats } from './media-engine.js';
import {
  DTLS_SRTP_EXPORTER_LABEL,
  NativeSrtpSession,
  SrtpProfile,
  SrtpStatus,
  dtlsSrtpKeyingMaterialLength,
  srtpDropKey,
  udpSockaddr,
  type SrtpDropKey,
} from './native-srtp.js';
import { UdpSocketFd } from './udp-socket-fd.js';
import {
  ABS_SEND_TIME_URI,
  DatagramKind,
  SDES_MID_URI,
  absSendTimeNow,
  classifyDatagram,
  isWritable,
  leanRtpHeaderSize,
  ntpNow,
  rtpPayloadEnd,
  rtpPayloadOffset,
  writeLeanRtpHeader,
  type LeanHeaderExtensions,
} from './lean-rtp-packet.js';
import { EngineReceiveStats, LeanReceiveStats } from './lean-rtp-receive-stats.js';
import type { NativeSrtpBridgeStats } from './werift-native-srtp.js';

/** Counters of one lean path (or shared by many); received RTP dropped is counted by cause under the `SrtpDropKey` names. */
export interface LeanRtpStats extends Record<SrtpDropKey, number> {
  /** calls whose RTP moved to the lean path */
  switched: number;
  /** calls left on werift's path (see log for the reason) */
  refused: number;
  /** RTP packets received, authenticated and handed up */
  rtpIn: number;
  /** RTP packets protected and sent */
  rtpOut: number;
  /** of those, sent by the native core's sendto on the pair's socket (the rest through Node's dgram) */
  rtpOutNative: number;
  /** datagrams passed on to werift, by kind (RFC 7983) */
  stunIn: number;
  dtlsIn: number;
  rtcpIn: number;
  otherIn: number;
  /** packets not protected or not sent (socket error) */
  sendFailed: number;
  /** packets not sent because ICE consent was not fresh (RFC 7675 §5.1) */
  sendBlocked: number;
  /** received packets whose consumer (onRtp) threw */
  handlerErrors: number;
  /** calls whose socket the media engine read (nativeReceive) */
  engineReceive: number;
}

export function createLeanRtpStats(): LeanRtpStats {
  return {
    switched: 0,
    refused: 0,
    rtpIn: 0,
    rtpOut: 0,
    rtpOutNative: 0,
    stunIn: 0,
    dtlsIn: 0,
    rtcpIn: 0,
    otherIn: 0,
    authFailed: 0,
    replayed: 0,
    tooOld: 0,
    malformed: 0,
    otherDropped: 0,
    sendFailed: 0,
    sendBlocked: 0,
    handlerErrors: 0,
    engineReceive: 0,
  };
}

/** The media engine's reads of one call's socket (a slot of the worker's MediaEngine). */
export interface NativeReceiveSink {
  /** The engine reads this socket (a duplicate of `fd`) from now on; throws when it cannot. */
  attach(fd: number, srtpHandle: number): void;
  detach(): void;
  /** The stream and datagram counters of the attached socket. */
  stats(): SocketReceiveStats | undefined;
}

export interface LeanRtpOptions {
  /** every authenticated RTP packet of the call */
  onRtp: (packet: MediaPacket) => void;
  stats?: LeanRtpStats;
  /** the call's native SRTP bridge counters: lean drops are added there too, so call records see them */
  bridgeStats?: NativeSrtpBridgeStats;
  /** When given, the media engine reads the pair's socket (see the module comment). */
  nativeReceive?: NativeReceiveSink;
  log?: Logger;
}

// werift 0.24.4 members used here (some private in its typings), checked at switch time.
type MessageListener = (msg: Buffer, rinfo: RemoteInfo) => void;
interface WeriftPair {
  protocol: { type: string; transport?: { socket?: Socket } };
  remoteAddr: [string, number];
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
}
interface WeriftConnection {
  nominated?: WeriftPair;
  canSendApplicationData?: () => boolean;
}
interface WeriftSenderInternals {
  ssrc: number;
  codec?: { payloadType: number };
  mid?: string;
  headerExtensions?: { uri: string; id: number }[];
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  runRtcp?: () => Promise<void>;
}
interface WeriftReceiverInternals {
  remoteStreams?: Record<number, unknown>;
  runRtcp?: () => Promise<void>;
}

/** Receiver statistics kept for at most this many SSRCs (the native session's stream limit is 16). */
const MAX_RECEIVE_STREAMS = 16;
/** Opus RTP clock (RFC 7587 §4.1): the only codec the gateway negotiates. */
const DEFAULT_CLOCK_RATE = 48_000;

/** Refresh the sender report's NTP/RTP timestamp pair every this many packets (RFC 3550 §6.4.1). */
const SR_PAIR_EVERY = 16;

function isSupportedProfile(p: unknown): p is SrtpProfile {
  return p === SrtpProfile.AES_CM_128_HMAC_SHA1_80 || p === SrtpProfile.AEAD_AES_128_GCM;
}

/** Largest datagram the native send builds (an Ethernet MTU); longer ones go through dgram. */
const MAX_DATAGRAM = 1500;

/** One call's lean RTP path over its werift DTLS transport. */
export class LeanRtpPath {
  readonly stats: LeanRtpStats;
  #active = false;
  #closed = false;
  #session: NativeSrtpSession | undefined;
  #overhead = 0;
  #pair: WeriftPair | undefined;
  #socket: Socket | undefined;
  #host = '';
  #port = 0;
  /** The pair's socket descriptor and remote address for the native send, when both are known. */
  #fd: UdpSocketFd | undefined;
  #sockaddr: Uint8Array | undefined;
  /** One datagram buffer reused by the native send (sendto copies it into the kernel at once). */
  readonly #txBuf = Buffer.alloc(MAX_DATAGRAM);
  #payloadType = 0;
  #ssrc = 0;
  #ext: LeanHeaderExtensions = {};
  #headerSize = 12;
  #rxSsrc = -1;
  #rxStats: LeanReceiveStats | undefined;
  #rxStreams = 0;
  #clockRate = DEFAULT_CLOCK_RATE;
  /** The socket the media engine reads for us, and its descriptor helper, while it does. */
  #engineSocket: Socket | undefined;
  #engineFd: UdpSocketFd | undefined;
  #engineStats: EngineReceiveStats | undefined;
  private readonly sender: RTCRtpSender;
  private readonly receiver: RTCRtpReceiver;
  readonly #hooks = new Map<Socket, { ours: MessageListener; prior: MessageListener[] }>();
  readonly #unsubscribe: () => void;
  readonly #onSent = (err: Error | null): void => {
    if (err) this.stats.sendFailed++;
  };

  constructor(
    private readonly dtls: RTCDtlsTransport,
    transceiver: RTCRtpTransceiver,
    private readonly opts: LeanRtpOptions,
  ) {
    this.sender = transceiver.sender;
    this.receiver = transceiver.receiver;
    this.stats = opts.stats ?? createLeanRtpStats();
    const sub = dtls.onStateChange.subscribe((state) => {
      if (state === 'connected') this.#activate();
      else if (state === 'closed' || state === 'failed') this.close();
    });
    this.#unsubscribe = () => sub.unSubscribe();
    if (dtls.state === 'connected') this.#activate();
  }

  /** True once RTP runs on the lean path (after DTLS connected and the switch succeeded). */
  get active(): boolean {
    return this.#active;
  }

  /**
   * Sends one RTP packet on the lean path. False when the lean path is not carrying this
   * call (not yet connected, refused, or the selected pair became one it cannot use):
   * the caller then sends through werift.
   */
  send(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean): boolean {
    if (!this.#active) return false;
    const conn = this.dtls.iceTransport.connection as unknown as WeriftConnection;
    const pair = conn.nominated;
    if (pair !== this.#pair && !this.#usePair(pair)) return false;
    const s = this.stats;
    // RFC 7675 §5.1: no media to a peer whose consent has expired.
    if (!(conn.canSendApplicationData as () => boolean).call(conn)) {
      s.sendBlocked++;
      return true;
    }
    const session = this.#session as NativeSrtpSession;
    const h = this.#headerSize;
    const length = h + payload.length;
    const fd = this.#sockaddr ? this.#fd?.current() : undefined;
    if (fd !== undefined && length + this.#overhead <= MAX_DATAGRAM) {
      // Protected and sent in one native call, from one reused buffer: no dgram send request,
      // address lookup or Buffer per packet.
      const buf = this.#txBuf;
      writeLeanRtpHeader(buf, this.#payloadType, sequenceNumber, timestamp, this.#ssrc, marker, this.#ext, this.#ext.absSendTimeId !== undefined ? absSendTimeNow() : 0);
      payload.copy(buf, h);
      const sent = session.protectRtpSendTo(buf, length, fd, this.#sockaddr as Uint8Array);
      if (sent < 0) {
        s.sendFailed++;
        return true;
      }
      s.rtpOutNative++;
      this.#accountSent(sent, timestamp, payload.length);
      return true;
    }
    // A fresh buffer per datagram: dgram sends asynchronously (pooled for small sizes).
    const buf = Buffer.allocUnsafe(length + this.#overhead);
    writeLeanRtpHeader(buf, this.#payloadType, sequenceNumber, timestamp, this.#ssrc, marker, this.#ext, this.#ext.absSendTimeId !== undefined ? absSendTimeNow() : 0);
    payload.copy(buf, h);
    const n = session.protectRtp(buf, length);
    if (n < 0) {
      s.sendFailed++;
      return true;
    }
    try {
      (this.#socket as Socket).send(buf, 0, n, this.#port, this.#host, this.#onSent);
    } catch {
      // e.g. ERR_SOCKET_DGRAM_NOT_RUNNING when werift closed the socket first
      s.sendFailed++;
      return true;
    }
    this.#accountSent(n, timestamp, payload.length);
    return true;
  }

  /** Counts one sent packet where werift's stats and sender reports read it. */
  #accountSent(bytes: number, timestamp: number, payloadLength: number): void {
    this.stats.rtpOut++;
    const p = this.#pair as WeriftPair;
    p.packetsSent++;
    p.bytesSent += bytes;
    // werift's RTCRtpSender.runRtcp builds its sender reports from these fields.
    const snd = this.sender as unknown as WeriftSenderInternals;
    if (snd.packetCount % SR_PAIR_EVERY === 0) {
      snd.ntpTimestamp = ntpNow();
      snd.rtpTimestamp = timestamp >>> 0;
    }
    snd.packetCount = (snd.packetCount + 1) >>> 0;
    snd.octetCount = (snd.octetCount + payloadLength) >>> 0;
  }

  /** Stops the lean path: the native session is freed, werift's socket listeners restored. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#active = false;
    this.#unsubscribe();
    this.#stopEngineReceive();
    for (const [socket, hook] of this.#hooks) {
      socket.removeListener('message', hook.ours);
      for (const l of hook.prior) socket.on('message', l);
    }
    this.#hooks.clear();
    this.#session?.close();
    this.#session = undefined;
  }

  #refuse(reason: string): void {
    this.stats.refused++;
    this.opts.log?.warn({ reason }, 'lean RTP path refused; RTP stays on werift');
  }

  #activate(): void {
    if (this.#active || this.#closed || this.#session) return;
    const dtls = this.dtls;
    const session = dtls.dtls;
    const profile: unknown = session?.srtp.srtpProfile;
    const role = dtls.role;
    if (!session || typeof session.exportKeyingMaterial !== 'function') return this.#refuse('no DTLS session');
    if (!isSupportedProfile(profile)) return this.#refuse(`unsupported SRTP profile ${String(profile)}`);
    if (role !== 'client' && role !== 'server') return this.#refuse(`DTLS role ${String(role)}`);
    const conn = dtls.iceTransport.connection as unknown as WeriftConnection;
    if (typeof conn.canSendApplicationData !== 'function') return this.#refuse('werift ICE connection has no canSendApplicationData');
    const snd = this.sender as unknown as WeriftSenderInternals;
    if (!snd.codec || typeof snd.ssrc !== 'number') return this.#refuse('sender has no negotiated codec');
    const rcv = this.receiver as unknown as WeriftReceiverInternals;
    if (typeof rcv.remoteStreams !== 'object' || rcv.remoteStreams === null || typeof rcv.runRtcp !== 'function') {
      return this.#refuse('werift receiver has no remoteStreams/runRtcp');
    }
    const ext = this.#extensions(snd);
    if (!ext) return;
    if (!this.#usePair(conn.nominated)) return;

    const material = session.exportKeyingMaterial(DTLS_SRTP_EXPORTER_LABEL, dtlsSrtpKeyingMaterialLength(profile));
    this.#session = NativeSrtpSession.fromDtls(profile, material, role);
    material.fill(0);
    this.#overhead = this.#session.params.rtpOverhead;
    this.#payloadType = snd.codec.payloadType;
    this.#ssrc = snd.ssrc;
    this.#ext = ext;
    this.#headerSize = leanRtpHeaderSize(ext);
    const clockRate = (snd.codec as { clockRate?: unknown }).clockRate;
    if (typeof clockRate === 'number' && clockRate > 0) this.#clockRate = clockRate;
    this.#active = true;
    this.stats.switched++;
    this.#startEngineReceive();
    // werift starts its RTCP sender-report loop on its first sendRtp, which never runs now.
    snd.runRtcp?.call(snd).catch(() => undefined);
    this.opts.log?.debug({ profile, role, ssrc: snd.ssrc }, 'lean RTP path on');
  }

  /** The negotiated header extensions, or undefined (refused) when one is not supported here. */
  #extensions(snd: WeriftSenderInternals): LeanHeaderExtensions | undefined {
    const ext: LeanHeaderExtensions = {};
    for (const e of snd.headerExtensions ?? []) {
      if (e.uri === SDES_MID_URI) {
        if (snd.mid) ext.mid = { id: e.id, value: Buffer.from(snd.mid) };
      } else if (e.uri === ABS_SEND_TIME_URI) {
        ext.absSendTimeId = e.id;
      } else {
        this.#refuse(`header extension ${e.uri}`);
        return undefined;
      }
    }
    if (!isWritable(ext)) {
      this.#refuse('header extension ids or MID do not fit the one-byte form');
      return undefined;
    }
    return ext;
  }

  /** Points the path at the selected pair's socket and remote address; false when it cannot. */
  #usePair(pair: WeriftPair | undefined): boolean {
    const socket = pair?.protocol.type === 'stun' ? pair.protocol.transport?.socket : undefined;
    if (socket !== this.#engineSocket) this.#stopEngineReceive();
    if (!pair || !socket) {
      if (this.#active) {
        // The selected pair moved somewhere we do not handle (e.g. a TURN relay): werift takes RTP back.
        this.#active = false;
        this.opts.log?.info('selected ICE pair changed to one the lean path cannot use; RTP back on werift');
      } else {
        this.#refuse(pair ? `ICE pair over ${pair.protocol.type}` : 'no selected ICE pair');
      }
      return false;
    }
    this.#pair = pair;
    this.#socket = socket;
    [this.#host, this.#port] = pair.remoteAddr;
    this.#fd = new UdpSocketFd(socket);
    try {
      this.#sockaddr = udpSockaddr(this.#host, this.#port);
    } catch {
      // Not an address literal the native send takes (e.g. an IPv6 zone index): dgram sends.
      this.#sockaddr = undefined;
    }
    this.#hook(socket);
    if (this.#session) this.#startEngineReceive();
    return true;
  }

  /** Hands the selected pair's socket to the media engine (when a sink is given), and stops libuv's reads of it. */
  #startEngineReceive(): void {
    const sink = this.opts.nativeReceive;
    const socket = this.#socket;
    const fd = this.#fd?.current();
    if (!sink || !socket || fd === undefined || !this.#session || this.#engineSocket === socket) return;
    try {
      sink.attach(fd, this.#session.handle);
    } catch (err) {
      this.opts.log?.warn({ err }, 'media engine cannot read the call socket; Node reads it');
      return;
    }
    if (!(this.#fd as UdpSocketFd).setNodeReading(false)) {
      sink.detach();
      this.opts.log?.warn('cannot stop Node reading the call socket; Node reads it');
      return;
    }
    this.#engineSocket = socket;
    this.#engineFd = this.#fd;
    this.stats.engineReceive++;
  }

  /** Takes the socket back from the media engine: its drop counts are kept, libuv reads again. */
  #stopEngineReceive(): void {
    const sink = this.opts.nativeReceive;
    if (!sink || !this.#engineSocket) return;
    const st = sink.stats();
    if (st) {
      this.#countDrops('authFailed', st.authFailed);
      this.#countDrops('replayed', st.replayed);
      this.#countDrops('tooOld', st.tooOld);
      this.#countDrops('malformed', st.malformed);
      this.#countDrops('otherDropped', st.otherDropped + st.truncated + st.readErrors);
    }
    sink.detach();
    this.#engineFd?.setNodeReading(true);
    this.#engineSocket = undefined;
    this.#engineFd = undefined;
  }

  #countDrops(key: SrtpDropKey, n: number): void {
    if (n === 0) return;
    this.stats[key] += n;
    const b = this.opts.bridgeStats;
    if (b) b[key] += n;
  }

  /** RTP the media engine read from the socket this tick: counted where werift's stats and reports read them. */
  onEngineReceived(packets: number, bytes: number): void {
    if (!this.#engineSocket) return;
    this.stats.rtpIn += packets;
    const p = this.#pair as WeriftPair;
    p.packetsReceived += packets;
    p.bytesReceived += bytes;
    if (this.#engineStats) return;
    const sink = this.opts.nativeReceive as NativeReceiveSink;
    const ssrc = sink.stats()?.ssrc ?? -1;
    if (ssrc < 0) return;
    // werift's receiver-report loop reads remoteStreams[ssrc] (RFC 3550 §6.4.2), started with the first stream.
    const rcv = this.receiver as unknown as WeriftReceiverInternals;
    this.#engineStats = new EngineReceiveStats(() => sink.stats());
    (rcv.remoteStreams as Record<number, unknown>)[ssrc] = this.#engineStats;
    if (this.#rxStreams++ === 0) (rcv.runRtcp as () => Promise<void>).call(rcv).catch(() => undefined);
  }

  /** A datagram the media engine read from the socket that is not RTP: to werift's listener, as the socket would. */
  deliver(d: HandedBackDatagram): void {
    const socket = this.#engineSocket;
    const hook = socket ? this.#hooks.get(socket) : undefined;
    if (!socket || !hook) return;
    this.#countPassedOn(classifyDatagram(d.data));
    // A copy: the engine reuses its buffer, and werift may keep what it is given.
    const msg = Buffer.from(d.data);
    const rinfo: RemoteInfo = { address: d.address, family: d.family, port: d.port, size: msg.length };
    for (let i = 0; i < hook.prior.length; i++) (hook.prior[i] as MessageListener).call(socket, msg, rinfo);
  }

  /** Counts a datagram passed on to werift, by kind (RFC 7983 §7); RTP before the switch is not counted. */
  #countPassedOn(kind: DatagramKind): void {
    const s = this.stats;
    if (kind === DatagramKind.stun) s.stunIn++;
    else if (kind === DatagramKind.dtls) s.dtlsIn++;
    else if (kind === DatagramKind.rtcp) s.rtcpIn++;
    else if (kind !== DatagramKind.rtp) s.otherIn++;
  }

  /** Puts our demultiplexer in front of werift's `message` listener(s) on this socket. */
  #hook(socket: Socket): void {
    if (this.#hooks.has(socket)) return;
    const prior = socket.listeners('message') as MessageListener[];
    const s = this.stats;
    const ours: MessageListener = (msg, rinfo) => {
      const kind = classifyDatagram(msg);
      if (kind === DatagramKind.rtp && this.#active) {
        try {
          this.#receiveRtp(msg);
        } catch (err) {
          // A failing consumer must not escape into the socket's emit (an uncaught exception ends the worker).
          s.handlerErrors++;
          if (s.handlerErrors === 1) this.opts.log?.error({ err }, 'lean RTP consumer failed');
        }
        return;
      }
      this.#countPassedOn(kind);
      for (let i = 0; i < prior.length; i++) (prior[i] as MessageListener).call(socket, msg, rinfo);
    };
    socket.removeAllListeners('message');
    socket.on('message', ours);
    this.#hooks.set(socket, { ours, prior });
  }

  #receiveRtp(msg: Buffer): void {
    const s = this.stats;
    const n = (this.#session as NativeSrtpSession).unprotectRtp(msg, msg.length);
    if (n < 0) return this.#drop(n);
    const offset = rtpPayloadOffset(msg, n);
    const end = offset < 0 ? -1 : rtpPayloadEnd(msg, n, offset);
    if (end < 0) return this.#drop(SrtpStatus.malformed);
    s.rtpIn++;
    const p = this.#pair as WeriftPair;
    p.packetsReceived++;
    p.bytesReceived += msg.length;
    const b1 = msg[1] as number;
    const sequenceNumber = msg.readUInt16BE(2);
    const timestamp = msg.readUInt32BE(4);
    const ssrc = msg.readUInt32BE(8);
    const arrivalMs = performance.now();
    const rx = ssrc === this.#rxSsrc ? this.#rxStats : this.#receiveStats(ssrc);
    rx?.add(sequenceNumber, timestamp, arrivalMs, end - offset);
    this.opts.onRtp({
      payload: msg.subarray(offset, end),
      sequenceNumber,
      timestamp,
      marker: (b1 & 0x80) !== 0,
      payloadType: b1 & 0x7f,
      ssrc,
      arrivalMs,
    });
  }

  /**
   * The receiver statistics of a stream, kept in werift's `receiver.remoteStreams` where its
   * receiver-report loop reads them (RFC 3550 §6.4.2); the loop is started with the first stream.
   */
  #receiveStats(ssrc: number): LeanReceiveStats | undefined {
    const rcv = this.receiver as unknown as WeriftReceiverInternals;
    const streams = rcv.remoteStreams as Record<number, unknown>;
    let rx = streams[ssrc];
    if (!(rx instanceof LeanReceiveStats)) {
      if (this.#rxStreams >= MAX_RECEIVE_STREAMS) return undefined;
      rx = new LeanReceiveStats(this.#clockRate);
      streams[ssrc] = rx;
      if (this.#rxStreams++ === 0) (rcv.runRtcp as () => Promise<void>).call(rcv).catch(() => undefined);
    }
    this.#rxSsrc = ssrc;
    this.#rxStats = rx as LeanReceiveStats;
    return this.#rxStats;
  }

  #drop(status: number): void {
    this.#countDrops(srtpDropKey(status), 1);
  }
}

/** Puts a call's RTP on the lean path once its DTLS transport connects (see LeanRtpPath). */
export function attachLeanRtp(dtls: RTCDtlsTransport, transceiver: RTCRtpTransceiver, opts: LeanRtpOptions): LeanRtpPath {
  return new LeanRtpPath(dtls, transceiver, opts);
}
