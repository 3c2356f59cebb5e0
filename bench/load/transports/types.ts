/**
 * The caller side of the call-load bench: one small interface per caller transport.
 * A transport file `bench/load/transports/<name>.ts` default-exports a CallerTransport;
 * adding SIP is a new file `sip.ts`, registered by name in registry.ts.
 */

export interface PlaceCallOptions {
  tenant: string;
  /** Origin presented to the token API and the signaling socket (WebRTC). */
  origin: string;
}

/** One received agent audio frame: arrival time (ms since epoch, monotonic-based) and whether it carried speech. */
export interface ReceivedAudio {
  at: number;
  speech: boolean;
}

export interface CallerSession {
  readonly callId: string;
  /** Received agent audio frames so far, in arrival order. */
  readonly received: readonly ReceivedAudio[];
  /** When the last caller frame carrying speech was sent (ms since epoch; 0 before any). */
  readonly lastSpeechSentAt: number;
  /** Set when the far end ended the call (signaling closed or `state: ended`), with its reason. */
  readonly endedByGateway: string | undefined;
  /** Queues 16 kHz mono PCM to speak after whatever is queued; silence is sent in between. */
  say(pcm: Int16Array): void;
  /** Hangs up (if still up) and releases every resource of the call. */
  close(): Promise<void>;
}

export interface CallerTransport {
  readonly name: string;
  /** Optional: called once per worker process with every utterance its callers will say (e.g. to encode them ahead). */
  prepare?(utterances: readonly Int16Array[]): void;
  /** Places a call to the gateway at `url` (http(s)://host:port); resolves once signaling is under way. */
  placeCall(url: string, opts: PlaceCallOptions): Promise<CallerSession>;
}
