/**
 * Streaming yamux frame decoder. Bytes arrive in arbitrary pieces (a frame split at any
 * byte, or many frames in one read); the decoder keeps only a partial 12-byte header and
 * hands Data payload to the sink as `subarray` views of the input, so payload is never
 * copied or accumulated here and each input byte is looked at once.
 * @module
 */

import { FrameType, HEADER_SIZE, PROTOCOL_VERSION, readU32 } from "./frame.ts";
import { ProtocolError } from "./errors.ts";

/** Receives decoded frames. A Data frame is `dataStart`, zero or more `data`, then `dataEnd`. */
export interface FrameSink {
  /** A Data frame header; `length` payload bytes follow. */
  dataStart(flags: number, streamId: number, length: number): void;
  /** A piece of the current Data frame's payload: a view into the input, valid while retained. */
  data(chunk: Uint8Array): void;
  /** The current Data frame's payload is complete (its FIN/RST may now be applied). */
  dataEnd(): void;
  /** A WindowUpdate, Ping or GoAway frame; `value` is the header's length field. */
  control(type: number, flags: number, streamId: number, value: number): void;
}

export class FrameDecoder {
  readonly #sink: FrameSink;
  readonly #hdr = new Uint8Array(HEADER_SIZE);
  #hdrFill = 0;
  /** Payload bytes still expected for the current Data frame; -1 while reading a header. */
  #remaining = -1;
  #failed: ProtocolError | undefined;

  constructor(sink: FrameSink) {
    this.#sink = sink;
  }

  /**
   * Feeds transport bytes. Throws `ProtocolError` on a bad version or frame type; after
   * that the decoder refuses further input (the session must close).
   */
  push(chunk: Uint8Array): void {
    if (this.#failed) throw this.#failed;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, n - i);
        this.#remaining -= take;
        this.#sink.data(take === n && i === 0 ? chunk : chunk.subarray(i, i + take));
        i += take;
        if (this.#remaining === 0) this.#endData();
        continue;
      }
      let buf: Uint8Array;
      let off: number;
      if (this.#hdrFill === 0 && n - i >= HEADER_SIZE) {
        // Fast path: the whole header is in this chunk.
        buf = chunk;
        off = i;
        i += HEADER_SIZE;
      } else {
        const take = Math.min(HEADER_SIZE - this.#hdrFill, n - i);
        this.#hdr.set(chunk.subarray(i, i + take), this.#hdrFill);
        this.#hdrFill += take;
        i += take;
        if (this.#hdrFill < HEADER_SIZE) return;
        this.#hdrFill = 0;
        buf = this.#hdr;
        off = 0;
      }
      this.#frame(buf, off);
    }
  }

  #endData(): void {
    this.#remaining = -1;
    this.#sink.dataEnd();
  }

  #frame(buf: Uint8Array, off: number): void {
    const version = buf[off];
    const type = buf[off + 1];
    if (version !== PROTOCOL_VERSION) {
      throw (this.#failed = new ProtocolError(`Cannot decode frame: version is ${version}`));
    }
    if (type > FrameType.GoAway) {
      throw (this.#failed = new ProtocolError(`Cannot decode frame: type is ${type}`));
    }
    const flags = (buf[off + 2] << 8) | buf[off + 3];
    const streamId = readU32(buf, off + 4);
    const length = readU32(buf, off + 8);
    if (type === FrameType.Data) {
      this.#remaining = length;
      this.#sink.dataStart(flags, streamId, length);
      if (length === 0) this.#endData();
    } else {
      this.#sink.control(type, flags, streamId, length);
    }
  }
}
