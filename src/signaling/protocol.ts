import { z } from 'zod';

/**
 * WebRTC signaling protocol, version 1 (documented in docs/signaling.md).
 * Every message is a JSON object with `v` (protocol version) and `type`.
 */
export const PROTOCOL_VERSION = 1;

const IceCandidateSchema = z.object({
  candidate: z.string().max(1024),
  sdpMid: z.string().max(64).nullish(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullish(),
  usernameFragment: z.string().max(256).nullish(),
});
export type IceCandidateMessage = z.infer<typeof IceCandidateSchema>;

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('offer'), sdp: z.string().min(10).max(32_000) }),
  /** `candidate: null` is the end-of-candidates indication (RFC 8838 §8.2). */
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('candidate'), candidate: IceCandidateSchema.nullable() }),
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('hangup') }),
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal('ping') }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export type ErrorCode =
  | 'bad_json'
  | 'bad_message'
  | 'unsupported_version'
  | 'invalid_state'
  | 'call_failed'
  | 'over_capacity'
  /** The tenant's call admission refused the call (call-admission.ts; docs/signaling.md). */
  | 'unknown_tenant'
  | 'tenant_suspended'
  | 'tenant_concurrent_limit'
  | 'tenant_rate_limit';

export type CallState = 'connecting' | 'connected' | 'ended';
export type TranscriptRole = 'caller' | 'agent';

export type ServerMessage =
  | { v: 1; type: 'welcome'; callId: string; iceServers: IceServerInfo[] }
  | { v: 1; type: 'answer'; sdp: string }
  | { v: 1; type: 'candidate'; candidate: IceCandidateMessage | null }
  | { v: 1; type: 'state'; state: CallState; reason?: string }
  | { v: 1; type: 'transcript'; role: TranscriptRole; text: string; final: boolean; at: number }
  | { v: 1; type: 'pong' }
  /** `retryAfter`: seconds before trying again, on the tenant limit errors. */
  | { v: 1; type: 'error'; code: ErrorCode; message: string; retryAfter?: number };

export interface IceServerInfo {
  urls: string[];
  username?: string;
  credential?: string;
}

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; code: ErrorCode; message: string };

/** Parses one text frame; never throws. */
export function parseClientMessage(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_json', message: 'message is not valid JSON' };
  }
  if (typeof raw === 'object' && raw !== null && 'v' in raw && (raw as { v: unknown }).v !== PROTOCOL_VERSION) {
    return { ok: false, code: 'unsupported_version', message: `protocol version ${PROTOCOL_VERSION} expected` };
  }
  const parsed = ClientMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, code: 'bad_message', message: first ? `${first.path.join('.') || 'message'}: ${first.message}` : 'invalid message' };
  }
  return { ok: true, message: parsed.data };
}
