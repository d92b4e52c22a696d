/**
 * Where a request came from, for throttles and "last used from": the peer's address on the local
 * listener; through a relay, the browser's address as the relay reported it for the stream
 * (`relayedAddresses`), else "relayed".
 */
import type { Context } from "hono";
import { getConnInfo } from "hono/bun";

/** Browser addresses of relayed connections, by the local port the connector used to reach the listener. */
export const relayedAddresses = new Map<number, string>();

export function clientAddress(c: Context): string {
  try {
    const remote = getConnInfo(c).remote;
    if (remote.port !== undefined && relayedAddresses.has(remote.port)) {
      return relayedAddresses.get(remote.port)!;
    }
    return remote.address ?? "relayed";
  } catch {
    return "relayed";
  }
}
