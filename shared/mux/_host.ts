/**
 * The narrow contract a `Stream` uses to reach its `Session`, so stream.ts does not import
 * session.ts (no cycle) and the session's internals stay private.
 * @module
 */

import type { Logger } from "./logger.ts";
import type { Stream } from "./stream.ts";

export interface StreamHost {
  readonly logger: Logger | undefined;
  readonly maxFrameSize: number;
  readonly maxStreamWriteQueue: number;
  readonly writeHighWaterMark: number;
  /** The stream has data (or a FIN) to send and window to send it: queue it for the writer. */
  schedule(stream: Stream): void;
  /** Queue a WindowUpdate (flags SYN/ACK/RST or none) for the stream. */
  windowUpdate(streamId: number, flags: number, delta: number): void;
  /** `n` received bytes left the stream's buffer (session-wide receive accounting). */
  consumed(n: number): void;
  /**
   * Asks for `want` more bytes of receive window beyond the initial one (auto-tuning).
   * Returns what the session budget grants (0 when tuning is off, RTT unknown or budget gone).
   */
  grow(stream: Stream, want: number, sinceLastUpdateMs: number): number;
  /** Give back window growth when the stream ends. */
  release(bytes: number): void;
  /** The stream is finished (both FINs, or reset): forget it. */
  done(stream: Stream): void;
}
