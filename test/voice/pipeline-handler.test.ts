import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCallHandler, dialogEndReason } from '../../src/media/pipeline-call-handler.js';
import type { PipelineHandlerOptions } from '../../src/media/pipeline-handler-options.js';
import type { AgentAudioSink, CallContext, LatencyMark } from '../../src/media/webrtc-call-handler.js';
import { openStore } from '../../src/records/store.js';
import { asyncStore } from '../../src/records/records-store.js';
import { callRecords } from '../../src/records/call-records.js';
import { provideRecordsPort } from '../../src/media/worker-records-port.js';
import { createLogger } from '../../src/observability/logger.js';
import { startRecordsWriter } from '../../src/wiring/records-writer.js';

/** The media layer's paced sender, reduced to what the handler sees: frames leave at once. */
class InstantSink implements AgentAudioSink {
  frames = 0;
  onDrained: (() => void) | undefined;
  write(pcm: Int16Array): void {
    this.frames += Math.ceil(pcm.length / 320);
  }
  flush(): number {
    return 0;
  }
  pending(): number {
    return 0;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'firstring-handler-'));
const options: PipelineHandlerOptions = { tenantsDir: 'config/tenants', dbPath: join(dir, 'calls.db'), providerMode: 'offline', logLevel: 'silent' };
// The handler runs in this thread: its call records reach the store through a records writer here.
const store = openStore(options.dbPath);
const writer = startRecordsWriter(callRecords(asyncStore(store)), createLogger('silent'));
provideRecordsPort(writer.connectWorker());

function context(callId: string, tenant: string) {
  const audio = new InstantSink();
  const marks: LatencyMark[] = [];
  const transcript: string[] = [];
  const hangups: string[] = [];
  const ctx: CallContext = {
    callId,
    tenant,
    audio,
    now: () => performance.timeOrigin + performance.now(),
    hangup: (reason) => hangups.push(reason),
    report: { mark: (m) => marks.push(m), turn: () => undefined, transcript: (role, text) => transcript.push(`${role}:${text}`) },
  };
  return { ctx, audio, marks, transcript, hangups };
}

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('pipeline call handler (in a media worker)', () => {
  afterAll(async () => {
    await writer.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad options with the field named', () => {
    const { ctx } = context('c0', 'demo');
    expect(() => createCallHandler(ctx, { dbPath: 'x.db' })).toThrow(/invalid pipeline handler options: tenantsDir/);
  });

  it('refuses a call for a tenant it does not know', () => {
    const { ctx } = context('c1', 'nobody');
    expect(() => createCallHandler(ctx, options)).toThrow('unknown tenant "nobody"');
  });

  it('greets in English on the offline recognizer and stores an abandoned call when the caller hangs up early', async () => {
    const { ctx, audio, transcript } = context('c2', 'demo');
    const h = createCallHandler(ctx, options);
    h.onConnected();
    await until('greeting audio', () => audio.frames > 50);
    expect(transcript[0]).toBe('agent:Mont-Royal Plumbing and Heating, hello! How can I help you today?');
    h.onEnd('caller_hangup');
    const record = await until('summary', () => store.getCall('c2')?.summary ?? undefined);
    expect(record.outcome).toBe('abandoned');
    expect(record.channel).toBe('webrtc');
    expect(record.transcript.map((t) => t.speaker)).toEqual(['agent']);
  });

  it('maps media end reasons to the dialog end reasons', () => {
    expect(dialogEndReason('caller_hangup')).toBe('caller_hangup');
    expect(dialogEndReason('agent_end')).toBe('agent_end');
    expect(dialogEndReason('agent_transfer')).toBe('agent_end');
    expect(dialogEndReason('handler_error')).toBe('error');
    expect(dialogEndReason('media_timeout')).toBe('abandoned');
  });
});
