/**
 * Where a request came from, for throttles and "last used from": the peer's address on the local
 * listener; through a relay, the browser's address as the relay reported it in the stream's source
 * header (the connector records it by the loopback port it connected from, `StreamSources`), else
 * "relayed".
 */
import type { Context } from "hono";
import { getConnInfo } from "hono/bun";
import type { StreamSources } from "../connector/sources.ts";

export function clientAddress(c: Context, sources?: StreamSources): string {
  try {
    const remote = getConnInfo(c).remote;
    const relayed = remote.port !== undefined ? sources?.get(remote.port) : undefined;
    return relayed ?? remote.address ?? "relayed";
  } catch {
    return "relayed";
  }
}
