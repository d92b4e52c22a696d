/**
 * Hearth's yamux: a stream multiplexer wire-compatible with hashicorp/yamux, with real
 * backpressure and receive-window auto-tuning. Runtime-free (web standards only); see
 * README.md for the profile (defaults, limits, tuning rule).
 *
 * - `Session` — one per transport: `receive(bytes)`, `onTransportDrain()`,
 *   `transportClosed(err?)`, `open()`, `accept()` / `onStream`, `ping()`, `goAway()`,
 *   `close()`, `closed`, `stats()`.
 * - `Stream` — `read()` / `onData()` + `pause()` / `resume()`, `write()` / `push()` +
 *   `onDrain()`, `closeWrite()` (FIN), `reset()` (RST), `readable` / `writable`.
 * - `attachSocket()` runs a session over a socket-like object; `splice()` pipes a stream and
 *   a socket both ways with backpressure.
 * - `FrameDecoder`, `encodeHeader`, `decodeHeader` and the constants, for tools and tests.
 * @module
 */

export { Session, type SessionOptions, type SessionStats } from "./session.ts";
export { Stream, type StreamHandlers } from "./stream.ts";
export {
  type AttachedSession,
  attachSocket,
  type SocketEvents,
  type SocketLike,
  splice,
  type SpliceEvents,
  type SpliceOptions,
  type SpliceSocket,
} from "./socket.ts";
export {
  GoAwayError,
  LimitError,
  MuxError,
  ProtocolError,
  SessionClosedError,
  StreamClosedError,
  StreamResetError,
  TimeoutError,
} from "./errors.ts";
export { FrameDecoder, type FrameSink } from "./decoder.ts";
export {
  decodeHeader,
  encodeHeader,
  Flag,
  type FrameHeader,
  FrameType,
  GoAwayCode,
  HEADER_SIZE,
  INITIAL_WINDOW,
  PROTOCOL_VERSION,
} from "./frame.ts";
export type { Logger } from "./logger.ts";
