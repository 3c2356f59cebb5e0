/**
 * The OS descriptor behind a Node dgram socket, for the native send path
 * (`NativeSrtpSession.protectRtpSendTo`), read through the socket's handle on every use: once
 * Node closes the socket its handle is gone, and a descriptor number kept past that could name
 * another file by then. Undefined when the socket is closed or Node does not expose it (not POSIX).
 */
import type { Socket } from 'node:dgram';

interface UdpHandle {
  readonly fd?: number;
  recvStart?: () => number;
  recvStop?: () => number;
}
interface DgramState {
  handle: UdpHandle | null;
}

export class UdpSocketFd {
  private readonly state: DgramState | undefined;
  private handle: UdpHandle | null = null;
  private fd = -1;

  constructor(socket: Socket) {
    // Node keeps the socket's handle under a private symbol (lib/dgram.js, `kStateSymbol`).
    const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
    const state = key ? (socket as unknown as Record<symbol, unknown>)[key] : undefined;
    this.state = state && typeof state === 'object' && 'handle' in state ? (state as DgramState) : undefined;
  }

  /** The descriptor now, or undefined when the socket is closed (or unknown). */
  current(): number | undefined {
    const h = this.state?.handle ?? null;
    if (h === null) return undefined;
    if (h !== this.handle) {
      this.handle = h;
      const fd = h.fd;
      this.fd = typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : -1;
    }
    return this.fd >= 0 ? this.fd : undefined;
  }

  /**
   * Stops (false) or restarts (true) libuv's reads of the socket, while another reader (the
   * media engine, on a duplicate descriptor) takes its datagrams. False when the socket is
   * closed or its handle has no such method.
   */
  setNodeReading(on: boolean): boolean {
    const h = this.state?.handle ?? null;
    const fn = h ? (on ? h.recvStart : h.recvStop) : undefined;
    if (!h || typeof fn !== 'function') return false;
    return fn.call(h) === 0;
  }
}
