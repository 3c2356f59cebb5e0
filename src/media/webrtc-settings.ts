import os from 'node:os';
import { z } from 'zod';

/** WebRTC media settings, read once from the environment (docs/signaling.md lists them). */
const Schema = z.object({
  /** Comma-separated `stun:host:port` URLs. */
  STUN_URLS: z.string().default(''),
  /** Comma-separated `turn:host:port?transport=udp` URLs; need TURN_USERNAME/TURN_CREDENTIAL. */
  TURN_URLS: z.string().default(''),
  TURN_USERNAME: z.string().optional(),
  TURN_CREDENTIAL: z.string().optional(),
  /** Public IPv4 of a gateway behind 1:1 NAT: host candidates are also offered with this address. */
  ANNOUNCED_IP: z.ipv4().optional(),
  ICE_PORT_MIN: z.coerce.number().int().min(1024).max(65535).optional(),
  ICE_PORT_MAX: z.coerce.number().int().min(1024).max(65535).optional(),
  MEDIA_WORKERS: z.coerce.number().int().min(1).max(256).optional(),
  /** A call whose caller sends no RTP for this long is finished (network loss). */
  RTP_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(8000),
  MAX_CALLS_PER_WORKER: z.coerce.number().int().min(1).default(400),
  /** `native`: SRTP in the native core (falls back to werift's if the addon lacks it); `werift`: werift's TypeScript SRTP. */
  SRTP_IMPL: z.enum(['native', 'werift']).default('native'),
  /** `native`: caller audio through the native MediaEngine (jitter buffer, concealment, VAD, barge-in); `off`: decode on arrival. */
  JITTER_ENGINE: z.enum(['native', 'off']).default('native'),
  /** `lean`: after ICE and DTLS, RTP bypasses werift's RTP stack (needs native SRTP; lean-rtp-path.ts); `werift`: werift's RTP stack. */
  RTP_PATH: z.enum(['lean', 'werift']).default('lean'),
  /**
   * On the lean path with the native jitter engine, `engine`: the media worker's MediaEngine reads each call's
   * socket once per tick (recvmmsg, SRTP and jitter buffer in one native call for all calls); `dgram`: Node's
   * socket reads, one Buffer and JavaScript call per datagram.
   */
  RTP_RECEIVE: z.enum(['engine', 'dgram']).default('engine'),
  /**
   * `native`: caller Opus decoded inside the MediaEngine's tick and the agent's frames encoded into a reused
   * buffer (libopus in the addon); `js`: @discordjs/opus per frame, a Buffer each way. Falls back to `js` without the addon's libopus.
   */
  OPUS_CODEC: z.enum(['native', 'js']).default('native'),
  /**
   * `own`: call handlers (pipeline, dialog, provider clients) run in handler threads of their own,
   * exchanging audio with the media workers through shared memory, so their garbage collections never
   * delay the 20 ms media clock (handler-thread.ts); `inline`: handlers run in the media worker's thread.
   */
  HANDLER_THREAD: z.enum(['own', 'inline']).default('own'),
  /**
   * Handler threads in the process (with HANDLER_THREAD=own), each serving the calls of several media
   * workers; default: one per two media workers. Fewer threads keep fewer V8 heaps, and less garbage
   * waiting in them, per call (BENCHMARKS.md); at most one per media worker.
   */
  HANDLER_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  /**
   * Cap on each media worker's V8 young generation, in MB (0: V8 sizes it, up to 48 MB). V8 splits it
   * into two semi-spaces and a large-object space and rounds the semi-space down to a power of two:
   * 16 gives semi-spaces of 4 MB. The media thread allocates little per tick, so a small young
   * generation costs it few scavenges, while V8 left to itself grows it with the call count (BENCHMARKS.md).
   */
  MEDIA_WORKER_YOUNG_GEN_MB: z.coerce.number().int().min(0).max(1024).default(16),
  /**
   * The same cap for each handler thread (0: V8's own sizing, the default). The handler thread allocates
   * fast (pipeline, provider clients, audio buffers): a smaller young generation promotes buffers that
   * would have died young, and the old generation then keeps them until its next full collection.
   */
  HANDLER_THREAD_YOUNG_GEN_MB: z.coerce.number().int().min(0).max(1024).default(0),
});

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface WebRtcSettings {
  iceServers: IceServer[];
  announcedIp: string | undefined;
  icePortRange: [number, number] | undefined;
  workers: number;
  rtpTimeoutMs: number;
  maxCallsPerWorker: number;
  srtp: 'native' | 'werift';
  jitterEngine: 'native' | 'off';
  /** Which code carries RTP once DTLS is up; absent means `lean` (effective only with native SRTP). */
  rtpPath?: 'lean' | 'werift';
  /** Who reads a lean-path call's socket; absent means `engine` (effective with the native jitter engine). */
  rtpReceive?: 'engine' | 'dgram';
  /** Where Opus is decoded (with the native jitter engine) and encoded; absent means `native` (when the addon has libopus). */
  opusCodec?: 'native' | 'js';
  /** Where call handlers run; absent means `own` (in handler threads). */
  handlerThread?: 'own' | 'inline';
  /** Handler threads with `own` (media worker `i` is served by thread `i % handlerThreads`); absent: 1. */
  handlerThreads?: number;
  /** Cap on the V8 young generation of each media worker and each handler thread, in MB; absent or 0: V8's own sizing. */
  youngGenerationMb?: { media: number; handler: number };
}

export function loadWebRtcSettings(env: NodeJS.ProcessEnv = process.env): WebRtcSettings {
  const parsed = Schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid WebRTC settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const s = parsed.data;
  const list = (v: string): string[] => v.split(',').map((x) => x.trim()).filter(Boolean);
  const iceServers: IceServer[] = [];
  const stun = list(s.STUN_URLS);
  if (stun.length) iceServers.push({ urls: stun });
  const turn = list(s.TURN_URLS);
  if (turn.length) {
    if (!s.TURN_USERNAME || !s.TURN_CREDENTIAL) throw new Error('invalid WebRTC settings: TURN_URLS needs TURN_USERNAME and TURN_CREDENTIAL');
    iceServers.push({ urls: turn, username: s.TURN_USERNAME, credential: s.TURN_CREDENTIAL });
  }
  let icePortRange: [number, number] | undefined;
  if (s.ICE_PORT_MIN !== undefined || s.ICE_PORT_MAX !== undefined) {
    if (s.ICE_PORT_MIN === undefined || s.ICE_PORT_MAX === undefined || s.ICE_PORT_MIN >= s.ICE_PORT_MAX) {
      throw new Error('invalid WebRTC settings: ICE_PORT_MIN and ICE_PORT_MAX go together, MIN < MAX');
    }
    icePortRange = [s.ICE_PORT_MIN, s.ICE_PORT_MAX];
  }
  const workers = s.MEDIA_WORKERS ?? os.availableParallelism();
  return {
    iceServers,
    announcedIp: s.ANNOUNCED_IP,
    icePortRange,
    workers,
    rtpTimeoutMs: s.RTP_TIMEOUT_MS,
    maxCallsPerWorker: s.MAX_CALLS_PER_WORKER,
    srtp: s.SRTP_IMPL,
    jitterEngine: s.JITTER_ENGINE,
    rtpPath: s.RTP_PATH,
    rtpReceive: s.RTP_RECEIVE,
    opusCodec: s.OPUS_CODEC,
    handlerThread: s.HANDLER_THREAD,
    handlerThreads: Math.min(s.HANDLER_THREADS ?? Math.ceil(workers / 2), workers),
    youngGenerationMb: { media: s.MEDIA_WORKER_YOUNG_GEN_MB, handler: s.HANDLER_THREAD_YOUNG_GEN_MB },
  };
}
