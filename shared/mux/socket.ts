/**
 * Glue between a session/stream and a socket, described structurally so this file needs no
 * runtime import. Bun's TCP/TLS `Socket` fits: `write(data): number` returns the bytes the
 * kernel took (partial under backpressure, -1 once closed), `end()`, `pause()`/`resume()`
 * (present in current Bun), `shutdown(halfClose)`, `terminate()`. Bun hands each `data`
 * event a fresh buffer, so chunks are passed on without copying; an adapter for a runtime that
 * reuses its read buffer must copy before calling `data()`.
 * @module
 */

import { Session, type SessionOptions } from "./session.ts";
import type { Stream } from "./stream.ts";
import { LimitError } from "./errors.ts";
import type { Logger } from "./logger.ts";

/** What a session needs from its transport socket. */
export interface SocketLike {
  /** Bytes accepted (may be fewer than given), or negative once closed. */
  write(data: Uint8Array): number;
  /** Flushes what the socket holds and closes it. */
  end(): void;
}

/** What a splice needs: a socket, optionally able to stop reading and to half-close. */
export interface SpliceSocket extends SocketLike {
  /** Stop delivering `data` events (Bun: `socket.pause()`). Without it, see `maxBuffered`. */
  pause?(): void;
  resume?(): void;
  /**
   * Bun: `shutdown()` sends FIN (closes our write half) and keeps reading; `shutdown(true)`
   * stops *receiving* instead, which would lose the peer's answer. Used when `halfClose` is set.
   */
  shutdown?(halfClose?: boolean): void;
  /** Abortive close (used when the stream was reset). Falls back to `end()`. */
  terminate?(): void;
}

/** The socket events the caller forwards (e.g. from Bun's `socket: { data, drain, ... }`). */
export interface SocketEvents {
  /** Bytes read from the socket; ownership passes to the callee. */
  data(chunk: Uint8Array): void;
  /** The socket can take more writes. */
  drain(): void;
  /** The socket closed (with `err` when it failed). */
  close(err?: unknown): void;
}

export interface AttachedSession extends SocketEvents {
  session: Session;
}

/**
 * Runs a session over `socket`. Forward the socket's data/drain/close events to the returned
 * handlers.
 * @example
 * ```ts
 * let mux!: AttachedSession;
 * const sock = await Bun.connect({ hostname, port, socket: {
 *   data: (_s, d) => mux.data(d), drain: () => mux.drain(), close: () => mux.close() } });
 * mux = attachSocket(sock, { client: true });
 * ```
 */
export function attachSocket(
  socket: SocketLike,
  options: Omit<SessionOptions, "write" | "close">,
): AttachedSession {
  const session = new Session({
    ...options,
    write: (b) => socket.write(b),
    close: () => socket.end(),
  });
  return {
    session,
    data: (chunk) => session.receive(chunk),
    drain: () => session.onTransportDrain(),
    close: (err) => session.transportClosed(err),
  };
}

export interface SpliceOptions {
  /**
   * Bytes read from the socket that may wait for the stream's send window when the socket
   * cannot `pause()`. Past this the stream is reset and the socket closed. Default 1 MiB.
   */
  maxBuffered?: number;
  /** On the stream's FIN, half-close the socket with `shutdown()` (FIN, keep reading) instead of `end()`. */
  halfClose?: boolean;
  /** Called once both directions are finished or either side failed. */
  onClose?: (err?: Error) => void;
  logger?: Logger;
}

export interface SpliceEvents extends SocketEvents {
  /** The socket's peer half-closed (Bun's `end` handler). */
  end(): void;
}

/**
 * Pipes `stream` and `socket` into each other with backpressure both ways, chunks passed by
 * reference. stream → socket: push mode; a partial `socket.write` pauses the stream (its
 * window stays shut) until `drain`. socket → stream: `stream.push`; above the stream's
 * high-water mark the socket is paused until the stream drains — or, for a socket without
 * `pause`, reading continues into a bounded queue (`maxBuffered`). Forward the socket's events
 * to the returned handlers.
 */
export function splice(stream: Stream, socket: SpliceSocket, options: SpliceOptions = {}): SpliceEvents {
  const { maxBuffered = 1024 * 1024, halfClose = false, onClose, logger } = options;
  let pending: Uint8Array | undefined; // stream bytes the socket has not taken yet
  let endAfterPending = false;
  let socketPaused = false;
  let upDone = false; // socket → stream finished (FIN sent)
  let downDone = false; // stream → socket finished
  let downBroken = false; // the socket refused a write: the stream's input is dropped
  let closed = false;

  const finish = (err?: Error) => {
    if (closed) return;
    if (err || (upDone && downDone)) {
      closed = true;
      onClose?.(err);
    }
  };
  const abort = (err: Error) => {
    finish(err); // first, so the reset's own error callback does not replace `err`
    stream.reset();
    if (socket.terminate) socket.terminate();
    else socket.end();
  };
  const endSocket = () => {
    downDone = true;
    if (halfClose && socket.shutdown) socket.shutdown();
    else socket.end();
    finish();
  };

  // The socket refused a write: its peer stopped reading. A Unix-socket peer that answered and
  // closed (an HTTP server after `Connection: close`) makes the next write fail with EPIPE while
  // its whole answer still waits in our receive buffer — so this ends only the stream → socket
  // direction: what the stream still sends is dropped (its window stays open), and the socket is
  // read to its end as usual. Resetting here lost that answer (issue #22).
  const writeFailed = () => {
    pending = undefined;
    endAfterPending = false;
    downBroken = true;
    downDone = true;
    stream.resume();
    finish();
  };

  stream.onData({
    data(chunk) {
      if (downBroken) return;
      const n = socket.write(chunk);
      if (n < 0) return writeFailed();
      if (n < chunk.length) {
        pending = chunk.subarray(n);
        stream.pause();
      }
    },
    end() {
      if (downBroken) return;
      if (pending) endAfterPending = true;
      else endSocket();
    },
    error(err) {
      if (socket.terminate) socket.terminate();
      else socket.end();
      finish(err);
    },
  });
  stream.onDrain(() => {
    if (socketPaused) {
      socketPaused = false;
      socket.resume?.();
    }
  });

  return {
    data(chunk) {
      if (closed) return;
      let ok: boolean;
      try {
        ok = stream.push(chunk);
      } catch (err) {
        return abort(err instanceof Error ? err : new Error(String(err)));
      }
      if (ok || socketPaused) return;
      if (socket.pause) {
        socketPaused = true;
        socket.pause();
      } else if (stream.bufferedSend > maxBuffered) {
        const err = new LimitError(
          `Cannot splice: ${stream.bufferedSend} bytes wait for stream ${stream.id} (limit ${maxBuffered})`,
        );
        logger?.warn("Splice buffer full: resetting stream", { stream: stream.id, limit: maxBuffered });
        abort(err);
      }
    },
    drain() {
      if (!pending) return;
      const n = socket.write(pending);
      if (n < 0) return writeFailed();
      if (n < pending.length) {
        pending = pending.subarray(n);
        return;
      }
      pending = undefined;
      if (endAfterPending) endSocket();
      else stream.resume();
    },
    end() {
      upDone = true;
      stream.closeWrite();
      finish();
    },
    close(err) {
      if (closed) return;
      // After our half-close, Bun may report the peer's FIN as a clean `close` with no `end`
      // first: that is the end of its input, not a failure, so it must not reset the stream.
      if (!err && downDone && (halfClose || downBroken) && !upDone) {
        upDone = true;
        stream.closeWrite();
        finish();
        return;
      }
      if (!(upDone && downDone)) {
        stream.reset();
        closed = true;
        onClose?.(err instanceof Error ? err : err === undefined ? undefined : new Error(String(err)));
      }
    },
  };
}
