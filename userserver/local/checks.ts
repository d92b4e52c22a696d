/**
 * What the local listener checks on every connection before any route (issue #21), each refused
 * with a sentence: the peer is on loopback, and on Linux the peer's socket belongs to the OS user
 * the server runs as (another user of this machine, or their process posing as a browser, gets
 * nothing). The Host check (DNS rebinding) and Origin check run in the app itself.
 */
import { peerUid } from "./socket_owner.ts";

export function isLoopback(ip: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(ip) || ip === "::1" || /^::ffff:127\.\d+\.\d+\.\d+$/i.test(ip);
}

/**
 * Reading /proc/net/tcp costs the kernel a walk of every socket (~4 ms here), too much for every
 * request of a page's keep-alive connection. A positive verdict is kept for a connection (its
 * peer address and port) for `VERDICT_MS`; the requests that grant a session (`/local/open`,
 * `/local/return`) are always checked afresh.
 */
export const VERDICT_MS = 5_000;

export class PeerVerdicts {
  readonly #ok = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether this connection passed within the last VERDICT_MS. */
  passed(peer: { ip: string; port: number }): boolean {
    const key = `${peer.ip}:${peer.port}`;
    const at = this.#ok.get(key);
    if (at !== undefined && this.now() - at <= VERDICT_MS) return true;
    if (at !== undefined) this.#ok.delete(key);
    return false;
  }

  remember(peer: { ip: string; port: number }): void {
    if (this.#ok.size > 10_000) this.#ok.clear();
    this.#ok.set(`${peer.ip}:${peer.port}`, this.now());
  }
}

export interface PeerCheckOptions {
  /** The listener's own address and port (the remote end of the peer's socket). */
  us: { ip: string; port: number };
  /** The uid the server runs as (process.getuid()). */
  uid: number | undefined;
  /** Reads /proc tables (tests replace it). */
  read?: (path: string) => string;
  /** Recent positive verdicts, and whether this request must be checked afresh anyway. */
  verdicts?: PeerVerdicts;
  fresh?: boolean;
}

/** Undefined when the peer may go on; otherwise why not. */
export function refusePeer(
  peer: { ip: string; port: number } | null,
  o: PeerCheckOptions,
): string | undefined {
  if (!peer || !isLoopback(peer.ip)) return "The local listener answers only this computer.";
  if (o.uid === undefined) return undefined; // not a Unix-like system: no user to compare
  if (!o.fresh && o.verdicts?.passed(peer)) return undefined;
  const owner = peerUid(peer, o.us, o.read);
  if (owner === undefined) return "The local listener could not tell which user of this computer is asking.";
  if (owner !== o.uid) return "The local listener answers only the user who runs this server.";
  o.verdicts?.remember(peer);
  return undefined;
}
