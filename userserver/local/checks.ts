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

export interface PeerCheckOptions {
  /** The listener's own address and port (the remote end of the peer's socket). */
  us: { ip: string; port: number };
  /** The uid the server runs as (process.getuid()). */
  uid: number | undefined;
  /** Reads /proc tables (tests replace it). */
  read?: (path: string) => string;
}

/** Undefined when the peer may go on; otherwise why not. */
export function refusePeer(
  peer: { ip: string; port: number } | null,
  o: PeerCheckOptions,
): string | undefined {
  if (!peer || !isLoopback(peer.ip)) return "The local listener answers only this computer.";
  if (o.uid === undefined) return undefined; // not a Unix-like system: no user to compare
  const owner = peerUid(peer, o.us, o.read);
  if (owner === undefined) return "The local listener could not tell which user of this computer is asking.";
  if (owner !== o.uid) return "The local listener answers only the user who runs this server.";
  return undefined;
}
