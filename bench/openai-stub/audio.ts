/**
 * OpenAI-compatible audio routes for the local stub server:
 *   POST /v1/audio/transcriptions  (multipart/form-data: file, model, prompt, language, response_format)
 *   POST /v1/audio/speech          (JSON; response_format "pcm": 24 kHz s16le mono, streamed in chunks)
 * with configurable delays and failure injection. The options object is read
 * on every request, so a test can change the behaviour mid-call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenAIStub } from './server.js';

export const STUB_SPEECH_RATE = 24_000;

export interface StubFailure {
  /** HTTP status to answer with (e.g. 500, 503). */
  status?: number;
  /** Never answer (the client's timeout or abort ends the request). */
  stall?: boolean;
  /** How many requests fail; afterwards requests succeed again. Infinity when absent. */
  times?: number;
}

export interface TranscriptionRequest {
  audio: Buffer;
  model: string;
  prompt: string | undefined;
  language: string | undefined;
  responseFormat: string | undefined;
}

export interface AudioStubOptions {
  transcription?: {
    delayMs?: number;
    /** Text to return: a fixed string, a queue consumed one per request, or a function of the request. */
    text?: string | string[] | ((req: TranscriptionRequest) => string);
    language?: string;
    fail?: StubFailure;
  };
  speech?: {
    /** Delay before the first audio byte. */
    firstByteDelayMs?: number;
    /** Audio per chunk (default 40 ms) and the pause between chunks (default 0). */
    chunkMs?: number;
    chunkDelayMs?: number;
    /** Milliseconds of audio per character of input (default 55). */
    msPerChar?: number;
    /** Destroy the connection after this many chunks (a dropped stream). */
    dropAfterChunks?: number;
    fail?: StubFailure;
  };
  /** Requests seen, by route (for assertions). */
  counts?: { transcriptions: number; speech: number };
  /** Inputs received, newest last. */
  log?: { transcriptions: TranscriptionRequest[]; speech: Array<{ input: string; voice: string; model: string }> };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Minimal multipart/form-data parser (RFC 7578): field name → value bytes. */
export function parseMultipart(body: Buffer, contentType: string): Map<string, Buffer> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new Error('multipart body without boundary');
  const delim = Buffer.from(`--${boundary}`);
  const parts = new Map<string, Buffer>();
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', start);
    if (headerEnd < 0) break;
    const headers = body.subarray(start, headerEnd).toString('utf8');
    const next = body.indexOf(delim, headerEnd + 4);
    if (next < 0) break;
    const value = body.subarray(headerEnd + 4, next - 2); // strip the CRLF before the delimiter
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name) parts.set(name, value);
    pos = next;
  }
  return parts;
}

/** Consumes one failure from `fail` if it applies to this request. */
function takeFailure(fail: StubFailure | undefined): StubFailure | undefined {
  if (!fail || (!fail.status && !fail.stall)) return undefined;
  if (fail.times !== undefined) {
    if (fail.times <= 0) return undefined;
    fail.times--;
  }
  return fail;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { message, type: 'stub_error', code: null } });
}

async function transcriptions(req: IncomingMessage, body: Buffer, res: ServerResponse, opts: AudioStubOptions): Promise<void> {
  const o = opts.transcription ?? {};
  let parts: Map<string, Buffer>;
  try {
    parts = parseMultipart(body, req.headers['content-type'] ?? '');
  } catch (err) {
    return sendError(res, 400, err instanceof Error ? err.message : String(err));
  }
  const audio = parts.get('file');
  const model = parts.get('model')?.toString();
  if (!audio || !model) return sendError(res, 400, 'file and model are required');
  const request: TranscriptionRequest = {
    audio,
    model,
    prompt: parts.get('prompt')?.toString(),
    language: parts.get('language')?.toString(),
    responseFormat: parts.get('response_format')?.toString(),
  };
  if (opts.counts) opts.counts.transcriptions++;
  opts.log?.transcriptions.push(request);
  const failure = takeFailure(o.fail);
  if (failure?.stall) return; // left hanging on purpose
  if (o.delayMs) await sleep(o.delayMs);
  if (failure?.status) return sendError(res, failure.status, 'injected failure');
  let text = '';
  if (typeof o.text === 'string') text = o.text;
  else if (Array.isArray(o.text)) text = o.text.shift() ?? '';
  else if (typeof o.text === 'function') text = o.text(request);
  if (request.responseFormat === 'text') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(text);
    return;
  }
  const language = o.language ?? request.language;
  sendJson(res, 200, request.responseFormat === 'verbose_json' ? { text, language, duration: 0, segments: [] } : { text, ...(language ? { language } : {}) });
}

/** Pitch of the stub voice and its syllable rate (speech runs at about four syllables a second). */
const VOICE_F0_HZ = 130;
const SYLLABLES_PER_S = 4;
const HARMONICS = 10;
/** Scales the stub voice to about -20 dBFS RMS, a usual TTS level. */
const VOICE_GAIN = 0.167;

/**
 * The stub's "speech" at time `t` (seconds), in -1..1: a voiced source (130 Hz and its first
 * ten harmonics, falling 6 dB per octave) under a syllable-rate envelope that swings between
 * 25 % and 100 %, about -20 dBFS RMS with sample peaks near -11 dBFS. Not a steady tone, so a barge-in
 * detector meets the rise and fall of a real voice; never silent, so every frame stays audible.
 */
export function stubVoiceSample(t: number): number {
  let v = 0;
  for (let k = 1; k <= HARMONICS; k++) v += Math.sin(2 * Math.PI * VOICE_F0_HZ * k * t) / k;
  const syllable = 0.5 - 0.5 * Math.cos(2 * Math.PI * SYLLABLES_PER_S * t);
  return VOICE_GAIN * (0.25 + 0.75 * syllable) * v;
}

function voice(samples: number, offset: number): Buffer {
  const buf = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) buf.writeInt16LE(Math.round(stubVoiceSample((offset + i) / STUB_SPEECH_RATE) * 32767), i * 2);
  return buf;
}

async function speech(body: Buffer, res: ServerResponse, opts: AudioStubOptions): Promise<void> {
  const o = opts.speech ?? {};
  let parsed: { input?: unknown; voice?: unknown; model?: unknown; response_format?: unknown };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    return sendError(res, 400, 'body is not JSON');
  }
  if (typeof parsed.input !== 'string' || typeof parsed.model !== 'string' || typeof parsed.voice !== 'string') {
    return sendError(res, 400, 'input, model and voice are required');
  }
  if (parsed.response_format !== undefined && parsed.response_format !== 'pcm') {
    return sendError(res, 400, 'this stub only produces response_format "pcm"');
  }
  if (opts.counts) opts.counts.speech++;
  opts.log?.speech.push({ input: parsed.input, voice: parsed.voice, model: parsed.model });
  const failure = takeFailure(o.fail);
  if (failure?.stall) return;
  if (o.firstByteDelayMs) await sleep(o.firstByteDelayMs);
  if (failure?.status) return sendError(res, failure.status, 'injected failure');
  const total = Math.round((parsed.input.length * (o.msPerChar ?? 55) * STUB_SPEECH_RATE) / 1000);
  const chunk = Math.max(1, Math.round(((o.chunkMs ?? 40) * STUB_SPEECH_RATE) / 1000));
  res.writeHead(200, { 'content-type': 'audio/pcm', 'transfer-encoding': 'chunked' });
  let sent = 0;
  let chunks = 0;
  while (sent < total && !res.destroyed) {
    if (o.dropAfterChunks !== undefined && chunks >= o.dropAfterChunks) {
      res.destroy();
      return;
    }
    const n = Math.min(chunk, total - sent);
    res.write(voice(n, sent));
    sent += n;
    chunks++;
    if (o.chunkDelayMs) await sleep(o.chunkDelayMs);
  }
  res.end();
}

/** Adds the transcription and speech routes to the stub server. */
export function registerAudioRoutes(stub: Pick<OpenAIStub, 'route'>, opts: AudioStubOptions): void {
  stub.route('POST', '/v1/audio/transcriptions', (req, body, res) => transcriptions(req, body, res, opts));
  stub.route('POST', '/v1/audio/speech', (_req, body, res) => speech(body, res, opts));
}
