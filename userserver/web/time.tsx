/**
 * A moment on a page: `<time datetime>` with the UTC text as the server's fallback; the client
 * (files/client/times.ts) rewrites it in the viewer's own time zone and locale.
 */
import { formatTime } from "./format.ts";

export function Time({ ms }: { ms: number }) {
  const iso = new Date(ms).toISOString();
  return <time datetime={iso} title={formatTime(ms)}>{formatTime(ms)}</time>;
}
