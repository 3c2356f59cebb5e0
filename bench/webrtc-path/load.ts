/**
 * One measurement process: N connected werift peer pairs in this process, each side
 * sending a pre-encoded 20 ms Opus-sized frame every 20 ms (50 packets/s per stream,
 * two streams per pair), with werift's SRTP or the native bridge on both sides.
 * Prints one JSON line (LoadResult) on stdout. Run by run.ts. With `--profile FILE` the
 * measured window (only) is CPU-profiled through the inspector (the same V8 sampling
 * profiler as `node --cpu-prof`) and written as a .cpuprofile.
 *
 *   node --import tsx bench/webrtc-path/load.ts --mode native --pairs 20 --seconds 10
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createNativeSrtpBridgeStats, type NativeSrtpBridgeStats } from '../../src/media/werift-native-srtp.js';
import { attachLeanRtp, createLeanRtpStats, type LeanRtpPath, type LeanRtpStats } from '../../src/media/lean-rtp-path.js';
import { connectLeanPair } from './lean-path.js';
import { connectPeerPair, framePayload, type Peer } from './werift-peer-pair.js';

/**
 * werift: werift peers with werift's SRTP; native: the same with the native SRTP bridge;
 * hybrid: werift for ICE, DTLS and RTCP (on the bridge), RTP on the gateway's lean path
 * (src/media/lean-rtp-path.ts) on both sides;
 * lean: no werift, connected UDP sockets with native SRTP (lean-path.ts), the floor.
 */
export type SrtpMode = 'werift' | 'native' | 'hybrid' | 'lean';

interface Load {
  /** sends one frame on every stream; returns how many */
  sendAll(): number;
  received(): number;
  close(): Promise<void>;
}

async function weriftLoad(pairs: number, payloadBytes: number, native: NativeSrtpBridgeStats | undefined): Promise<Load> {
  const peers: Peer[] = [];
  const closers: (() => Promise<void>)[] = [];
  // Connect in small groups: the DTLS handshakes are CPU-heavy on two shared cores.
  for (let i = 0; i < pairs; i += 4) {
    const group = await Promise.all(
      Array.from({ length: Math.min(4, pairs - i) }, (_, k) =>
        connectPeerPair({ nativeA: native, nativeB: native, checkPayloads: false, stream: i + k, timeoutMs: 30_000 }),
      ),
    );
    for (const p of group) {
      peers.push(p.a, p.b);
      closers.push(p.close);
    }
  }
  // Pre-encoded frames (as a lean caller sends cached Opus): one buffer per peer.
  const payloads = peers.map((p) => framePayload(p.stream, 0, payloadBytes));
  return {
    sendAll: () => {
      for (let i = 0; i < peers.length; i++) (peers[i] as Peer).sendFrame(payloads[i]).catch(() => undefined);
      return peers.length;
    },
    received: () => peers.reduce((n, p) => n + p.received.packets, 0),
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}

async function hybridLoad(pairs: number, payloadBytes: number, native: NativeSrtpBridgeStats, lean: LeanRtpStats): Promise<Load> {
  const peers: Peer[] = [];
  const closers: (() => Promise<void>)[] = [];
  for (let i = 0; i < pairs; i += 4) {
    const group = await Promise.all(
      Array.from({ length: Math.min(4, pairs - i) }, (_, k) =>
        connectPeerPair({ nativeA: native, nativeB: native, checkPayloads: false, stream: i + k, timeoutMs: 30_000 }),
      ),
    );
    for (const p of group) {
      peers.push(p.a, p.b);
      closers.push(p.close);
    }
  }
  // DTLS is up: each side's RTP moves to the lean path at once (as the gateway's transport does on connect).
  const paths: LeanRtpPath[] = peers.map((p) => attachLeanRtp(p.dtlsTransport, p.transceiver, { onRtp: () => undefined, stats: lean, bridgeStats: native }));
  if (!paths.every((p) => p.active)) throw new Error(`lean path refused on ${lean.refused} peers`);
  const payloads = peers.map((p) => framePayload(p.stream, 0, payloadBytes));
  let seq = 1;
  let ts = 0;
  return {
    sendAll: () => {
      for (let i = 0; i < paths.length; i++) (paths[i] as LeanRtpPath).send(payloads[i] as Buffer, seq, ts, false);
      seq = (seq + 1) & 0xffff;
      ts = (ts + 960) >>> 0;
      return paths.length;
    },
    received: () => lean.rtpIn,
    close: async () => {
      for (const p of paths) p.close();
      await Promise.all(closers.map((c) => c()));
    },
  };
}

async function leanLoad(pairs: number, payloadBytes: number): Promise<Load> {
  const ends = (await Promise.all(Array.from({ length: pairs }, (_, i) => connectLeanPair(i)))).flatMap((p) => [p.a, p.b]);
  const payload = framePayload(0, 0, payloadBytes);
  return {
    sendAll: () => {
      for (const e of ends) e.send(payload);
      return ends.length;
    },
    received: () => ends.reduce((n, e) => n + e.received, 0),
    close: async () => {
      for (const e of ends) e.close();
    },
  };
}

export interface LoadResult {
  mode: SrtpMode;
  pairs: number;
  seconds: number;
  payloadBytes: number;
  /** RTP packets handed to werift's senders in the window */
  packetsSent: number;
  /** RTP packets delivered to the receiving tracks in the window */
  packetsReceived: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** process CPU per RTP packet, send side + receive side together */
  cpuUsPerPacket: number;
  /** the same split evenly over the two sides of a packet */
  cpuUsPerPacketPerSide: number;
  eventLoopDelayP99Ms: number;
  native?: NativeSrtpBridgeStats;
  lean?: LeanRtpStats;
}

const FRAME_MS = 20;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'native' },
      pairs: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      'payload-bytes': { type: 'string', default: '80' },
      profile: { type: 'string' },
    },
  });
  const mode = values.mode as SrtpMode;
  if (mode !== 'werift' && mode !== 'native' && mode !== 'hybrid' && mode !== 'lean') {
    throw new Error(`--mode must be werift, native, hybrid or lean, got ${values.mode}`);
  }
  const pairs = Number(values.pairs);
  const seconds = Number(values.seconds);
  const warmup = Number(values.warmup);
  const payloadBytes = Number(values['payload-bytes']);

  const native = mode === 'native' || mode === 'hybrid' ? createNativeSrtpBridgeStats() : undefined;
  const lean = mode === 'hybrid' ? createLeanRtpStats() : undefined;
  const load =
    mode === 'lean'
      ? await leanLoad(pairs, payloadBytes)
      : native && lean
        ? await hybridLoad(pairs, payloadBytes, native, lean)
        : await weriftLoad(pairs, payloadBytes, native);
  let sent = 0;
  const timer = setInterval(() => {
    sent += load.sendAll();
  }, FRAME_MS);
  const received = load.received;
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const inspector = values.profile ? new Session() : undefined;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
    await inspector.post('Profiler.start');
  }
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const sent0 = sent;
  const recv0 = received();
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const packetsSent = sent - sent0;
  const packetsReceived = received() - recv0;
  delay.disable();
  if (inspector && values.profile) {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(values.profile, JSON.stringify(profile));
    inspector.disconnect();
  }
  clearInterval(timer);

  const cpuUs = cpu.user + cpu.system;
  const result: LoadResult = {
    mode,
    pairs,
    seconds,
    payloadBytes,
    packetsSent,
    packetsReceived,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    cpuUsPerPacket: cpuUs / Math.max(1, packetsSent),
    cpuUsPerPacketPerSide: cpuUs / Math.max(1, packetsSent) / 2,
    eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    ...(native ? { native } : {}),
    ...(lean ? { lean } : {}),
  };
  await load.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
