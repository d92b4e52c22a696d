/**
 * Containment for socket and stream callbacks. A runtime that calls our handler (Bun's socket
 * callbacks, a timer) turns an exception thrown there into an uncaught error that ends the whole
 * process: one browser's reset would take every user's connections down. Every such handler is
 * wrapped here instead: the exception is logged and costs only the connection it happened on.
 * @module
 */
import type { Logger } from "../log/mod.ts";

/** What a contained handler can close when it threw: any socket-like first argument. */
export interface Closable {
  end(): void;
  /** Abortive close; preferred over `end()` when present. */
  terminate?(): void;
}

/**
 * Wraps a callback whose first argument is the connection it serves: an exception is logged and
 * that one connection closed; it never propagates to the caller.
 */
export function contain<S extends Closable, A extends unknown[]>(
  log: Logger,
  what: string,
  fn: (socket: S, ...rest: A) => void,
): (socket: S, ...rest: A) => void {
  return (socket, ...rest) => {
    try {
      fn(socket, ...rest);
    } catch (err) {
      log.error(`${what} handler threw: closing that connection`, { err });
      try {
        if (socket.terminate) socket.terminate();
        else socket.end();
      } catch {
        // Already closed: nothing is left to release.
      }
    }
  };
}
