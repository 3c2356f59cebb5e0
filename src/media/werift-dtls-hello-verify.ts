/**
 * werift 0.24.4's DTLS client fails the handshake on a second HelloVerifyRequest: its
 * DtlsClient runs Flight3 for every one, and Flight3.exec throws once flight 3 has begun
 * (`if (this.dtls.flight === 3) throw new Error()`), which fails the DTLS transport and the
 * call (`connection_failed`). A second one comes whenever the first answer to the ClientHello
 * took longer than werift's 500 ms retransmission timer and the server answers every
 * cookieless ClientHello, as RFC 6347 §4.2.1 lets it (werift, pion and NSS servers do).
 * RFC 6347 §4.2.1: a client SHOULD answer a new cookie with a new ClientHello; a repeat of the
 * cookie it already answered is the reply to its own retransmission, and is ignored here.
 */
import { DtlsClient, type RTCDtlsTransport } from 'werift';

/** HandshakeType hello_verify_request (RFC 6347 §4.3.2). */
const HELLO_VERIFY_REQUEST = 3;

interface Handshake {
  msg_type: number;
  fragment: Buffer;
}
// werift 0.24.4 members used here (not in its typings).
interface ClientInternals {
  dtls: { flight: number; cookie?: Buffer };
  onHandleHandshakes: (handshakes: Handshake[]) => Promise<void>;
}

/** Call before the transport starts (e.g. right after setLocalDescription: DTLS starts once ICE connects). */
export function tolerateRepeatedHelloVerify(transport: RTCDtlsTransport): void {
  const start = transport.start.bind(transport);
  transport.start = () => {
    // start() creates its DtlsClient synchronously, before any datagram can reach it.
    const started = start();
    const client = transport.dtls as unknown;
    if (client instanceof DtlsClient) {
      const c = client as unknown as ClientInternals;
      const handle = c.onHandleHandshakes;
      c.onHandleHandshakes = (handshakes) => {
        const kept = handshakes.filter((h) => {
          if (h.msg_type !== HELLO_VERIFY_REQUEST || c.dtls.flight < 3) return true;
          // HelloVerifyRequest body: server_version (2 bytes), cookie<0..2^8-1> (RFC 6347 §4.2.1).
          const cookie = h.fragment.subarray(3, 3 + (h.fragment[2] ?? 0));
          if (c.dtls.cookie?.equals(cookie)) return false;
          c.dtls.flight = 1; // a new cookie: werift's Flight3 sends a new ClientHello with it
          return true;
        });
        return kept.length > 0 ? handle(kept) : Promise.resolve();
      };
    }
    return started;
  };
}
