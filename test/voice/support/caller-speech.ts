import { execFileSync } from 'node:child_process';
import type { WebRtcCaller } from '../../../bench/clients/webrtc-caller.js';
import type { PipelineTrace } from '../../../src/media/pipeline-call-handler.js';
import type { TurnRecord } from '../../../src/pipeline/index.js';

/**
 * Caller speech from espeak-ng's `en-us+f2` voice at `rate` Hz (the voice the
 * offline recognizer understands best; see docs/pipeline.md).
 */
export function callerSpeech(text: string, rate = 16_000): Int16Array {
  const wav = execFileSync('espeak-ng', ['-v', 'en-us+f2', '-s', '160', '--stdout', text], { maxBuffer: 64 << 20 });
  const raw = execFileSync('sox', ['-t', 'wav', '-', '-t', 'raw', '-r', String(rate), '-c', '1', '-e', 'signed', '-b', '16', '-L', '-'], { input: wav, maxBuffer: 64 << 20 });
  return new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1).slice();
}

const wall = (): number => performance.timeOrigin + performance.now();

/** Waits until the agent has spoken since `since` and then been quiet for `quietMs`. */
export function agentDoneSpeaking(caller: WebRtcCaller, since: number, timeoutMs = 20_000, quietMs = 600): Promise<true> {
  return caller.waitFor(() => {
    const loud = caller.loudFramesSince(since);
    const last = loud.at(-1);
    return last !== undefined && wall() - last.at > quietMs;
  }, timeoutMs, 'agent to finish speaking');
}

export function turnsOf(traces: PipelineTrace[], callId: string): TurnRecord[] {
  return traces.flatMap((t) => (t.type === 'turn' && t.callId === callId ? [t.record] : []));
}

export function endedOf(traces: PipelineTrace[], callId: string): Extract<PipelineTrace, { type: 'ended' }> | undefined {
  return traces.find((t): t is Extract<PipelineTrace, { type: 'ended' }> => t.type === 'ended' && t.callId === callId);
}

export { wall };
