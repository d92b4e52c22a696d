/**
 * Named errors raised by the multiplexer. Each sets `name` so callers can branch on it
 * across realms, and carries a `cause` where one exists.
 * @module
 */

/** Base class of every error this module raises. */
export class MuxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MuxError";
  }
}

/** The peer broke the yamux protocol (bad version or type, window overrun, duplicate SYN). */
export class ProtocolError extends MuxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProtocolError";
  }
}

/** A configured limit (streams, backlog, buffered bytes) was reached. */
export class LimitError extends MuxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LimitError";
  }
}

/** The session is closed (locally, by the transport, or by the peer). */
export class SessionClosedError extends MuxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SessionClosedError";
  }
}

/** The peer sent GoAway: no new streams may be opened, or the peer reported an error. */
export class GoAwayError extends MuxError {
  /** The GoAway code the peer sent (0 normal, 1 protocol error, 2 internal error). */
  readonly code: number;
  constructor(message: string, code: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GoAwayError";
    this.code = code;
  }
}

/** The stream was reset (RST), by us or by the peer. */
export class StreamResetError extends MuxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StreamResetError";
  }
}

/** Writing after `closeWrite()` (our FIN was already queued). */
export class StreamClosedError extends MuxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StreamClosedError";
  }
}

/** No ping reply arrived within the timeout. */
export class TimeoutError extends MuxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TimeoutError";
  }
}
