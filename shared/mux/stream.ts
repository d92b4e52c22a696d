/**
 * One yamux stream: a reliable, ordered, flow-controlled byte channel within a session.
 *
 * Two ways to read: `read()` (pull; a promise per chunk) or `onData()` (push; chunks are
 * handed over synchronously as frames are decoded, with `pause()`/`resume()` for
 * backpressure — the low-overhead mode for splicing). Two ways to write: `write()` (a promise
 * that settles when the bytes were handed to the session) or `push()` (returns `false` above
 * the high-water mark; `onDrain` fires when it is worth pushing again).
 * @module
 */

import { encodeHeader, Flag, FrameType, HEADER_SIZE, INITIAL_WINDOW } from "./frame.ts";
import { LimitError, StreamClosedError, StreamResetError } from "./errors.ts";
import type { StreamHost } from "./_host.ts";

/** Push-mode callbacks (see `Stream.onData`). */
export interface StreamHandlers {
  /** A chunk of received bytes. The chunk is the caller's to keep. */
  data(chunk: Uint8Array): void;
  /** The peer half-closed (FIN) and every byte before it was delivered. */
  end?(): void;
  /** The stream was reset or the session closed before the peer's FIN. */
  error?(err: Error): void;
}

interface WriteEntry {
  data: Uint8Array;
  resolve: (() => void) | undefined;
  reject: ((err: Error) => void) | undefined;
}

interface PendingRead {
  resolve(chunk: Uint8Array | null): void;
  reject(err: Error): void;
}

export class Stream {
  /** The yamux stream id (odd when the client opened it, even for the server). */
  readonly id: number;
  readonly #host: StreamHost;

  // Receive side. `#recvWindow` is the credit the peer still has; `#unacked` counts bytes the
  // application consumed that we have not yet re-advertised.
  #recvWindow = INITIAL_WINDOW;
  #windowSize = INITIAL_WINDOW;
  #unacked = 0;
  #lastUpdateAt = -1;
  #rq: Uint8Array[] = [];
  #rqHead = 0;
  #rqBytes = 0;
  #reads: PendingRead[] = [];
  #handlers: StreamHandlers | undefined;
  #paused = false;
  #delivering = false;
  #remoteFin = false;
  #endDelivered = false;
  #readError: Error | undefined;

  // Send side.
  #sendWindow = INITIAL_WINDOW;
  #wq: WriteEntry[] = [];
  #wqHead = 0;
  #wqOff = 0;
  #wqBytes = 0;
  #finPending = false;
  #finSent = false;
  #writeError: Error | undefined;
  #drainWanted = false;
  #onDrain: (() => void) | undefined;

  #done = false;
  /** @internal Whether the stream sits in the session's send queue. */
  _inReady = false;

  /** @internal Streams are made by `Session.open()` / `accept()`. */
  constructor(id: number, host: StreamHost) {
    this.id = id;
    this.#host = host;
  }

  /** Bytes received and not yet consumed by the application. */
  get bufferedReceive(): number {
    return this.#rqBytes;
  }

  /** Bytes handed to `write()`/`push()` and not yet framed onto the transport. */
  get bufferedSend(): number {
    return this.#wqBytes;
  }

  /** The current receive window target (grows with auto-tuning). */
  get receiveWindow(): number {
    return this.#windowSize;
  }

  /** What the peer currently lets us send. */
  get sendWindow(): number {
    return this.#sendWindow;
  }

  // ---------------------------------------------------------------- reading

  /**
   * The next received chunk, or `null` once the peer half-closed and everything was read.
   * Rejects with `StreamResetError` / `SessionClosedError` on abnormal end.
   */
  read(): Promise<Uint8Array | null> {
    if (this.#handlers) return Promise.reject(new TypeError("Cannot read: stream is in push mode"));
    if (this.#rqBytes > 0) return Promise.resolve(this.#shiftChunk());
    if (this.#remoteFin) return Promise.resolve(null);
    if (this.#readError) return Promise.reject(this.#readError);
    return new Promise((resolve, reject) => this.#reads.push({ resolve, reject }));
  }

  /**
   * Switches to push mode: buffered and future chunks go to `handlers.data`, synchronously
   * as they are decoded. The window re-opens as each callback returns, unless `pause()`d.
   */
  onData(handlers: StreamHandlers): void {
    if (this.#reads.length > 0) throw new TypeError("Cannot switch to push mode: a read() is pending");
    this.#handlers = handlers;
    this.#deliver();
  }

  /** Push mode: stop delivering; received bytes stay buffered and the window stays shut. */
  pause(): void {
    this.#paused = true;
  }

  /** Push mode: deliver what was buffered and carry on. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#deliver();
  }

  get paused(): boolean {
    return this.#paused;
  }

  #shiftChunk(): Uint8Array {
    const chunk = this.#rq[this.#rqHead];
    this.#rq[this.#rqHead++] = EMPTY;
    if (this.#rqHead === this.#rq.length) {
      this.#rq.length = 0;
      this.#rqHead = 0;
    } else if (this.#rqHead > 64 && this.#rqHead * 2 > this.#rq.length) {
      this.#rq = this.#rq.slice(this.#rqHead);
      this.#rqHead = 0;
    }
    this.#rqBytes -= chunk.length;
    this.#consumed(chunk.length);
    return chunk;
  }

  #deliver(): void {
    const h = this.#handlers;
    if (!h || this.#delivering) return;
    this.#delivering = true;
    try {
      while (!this.#paused && this.#rqBytes > 0) {
        const chunk = this.#shiftChunk();
        this.#call(h.data, chunk);
      }
      if (!this.#paused && this.#rqBytes === 0 && !this.#endDelivered) {
        if (this.#remoteFin) {
          this.#endDelivered = true;
          if (h.end) this.#call(h.end, undefined);
        } else if (this.#readError) {
          this.#endDelivered = true;
          if (h.error) this.#call(h.error, this.#readError);
        }
      }
    } finally {
      this.#delivering = false;
    }
  }

  #call<T>(fn: (arg: T) => void, arg: T): void {
    try {
      fn(arg);
    } catch (err) {
      // A throwing handler must not take the whole session down; it costs only this stream.
      this.#host.logger?.error("Stream handler threw: resetting stream", { stream: this.id, err });
      this.reset();
    }
  }

  /** Application consumed `n` bytes: re-open the window once half of it was used. */
  #consumed(n: number): void {
    this.#host.consumed(n);
    if (this.#remoteFin || this.#done) return;
    this.#unacked += n;
    if (this.#unacked < this.#windowSize / 2) return;
    const now = performance.now();
    let delta = this.#unacked;
    if (this.#lastUpdateAt >= 0) {
      const granted = this.#host.grow(this, this.#windowSize, now - this.#lastUpdateAt);
      this.#windowSize += granted;
      delta += granted;
    }
    this.#lastUpdateAt = now;
    this.#unacked = 0;
    this.#recvWindow += delta;
    this.#host.windowUpdate(this.id, 0, delta);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Queues `data` (not copied: do not modify it until the promise settles) and resolves once
   * all of it fitted the peer's window and was framed for the transport.
   */
  write(data: Uint8Array): Promise<void> {
    const err = this.#checkWritable(data.length);
    if (err) return Promise.reject(err);
    if (data.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#enqueue({ data, resolve, reject }));
  }

  /**
   * Queues `data` without a promise (do not modify it afterwards). Returns `false` when the
   * queue is at or above the high-water mark; `onDrain`'s callback then says when to go on.
   * Throws like `write()` rejects.
   */
  push(data: Uint8Array): boolean {
    const err = this.#checkWritable(data.length);
    if (err) throw err;
    if (data.length > 0) this.#enqueue({ data, resolve: undefined, reject: undefined });
    if (this.#wqBytes >= this.#host.writeHighWaterMark) {
      this.#drainWanted = true;
      return false;
    }
    return true;
  }

  /** Called after `push()` returned `false`, once the queue fell below the high-water mark. */
  onDrain(cb: (() => void) | undefined): void {
    this.#onDrain = cb;
  }

  /** Half-closes our side (FIN after everything queued). Reading continues. */
  closeWrite(): void {
    if (this.#finPending || this.#writeError) return;
    this.#finPending = true;
    this.#maybeSchedule();
  }

  /** Aborts both directions (RST); pending reads and writes reject with `StreamResetError`. */
  reset(): void {
    if (this.#done) return;
    this.#host.windowUpdate(this.id, Flag.RST, 0);
    this._terminate(new StreamResetError(`Stream ${this.id} was reset locally`), true);
  }

  #checkWritable(len: number): Error | undefined {
    if (this.#writeError) return this.#writeError;
    if (this.#finPending) {
      return new StreamClosedError(`Cannot write: stream ${this.id} is closed for writing`);
    }
    const limit = this.#host.maxStreamWriteQueue;
    if (this.#wqBytes > 0 && this.#wqBytes + len > limit) {
      return new LimitError(
        `Cannot write: stream ${this.id} has ${this.#wqBytes} bytes queued (limit ${limit})`,
      );
    }
    return undefined;
  }

  #enqueue(entry: WriteEntry): void {
    this.#wq.push(entry);
    this.#wqBytes += entry.data.length;
    this.#maybeSchedule();
  }

  #maybeSchedule(): void {
    if (!this._inReady && this._wantsSend()) this.#host.schedule(this);
  }

  /** @internal Has a frame to send now. */
  _wantsSend(): boolean {
    if (this.#writeError) return false;
    if (this.#wqBytes > 0) return this.#sendWindow > 0;
    return this.#finPending && !this.#finSent;
  }

  /**
   * @internal Writes one Data frame (header + up to `maxFrameSize` payload) into `buf` at
   * `off`, using at most `space` bytes. Returns the bytes written (0 if nothing fits).
   */
  _emit(buf: Uint8Array, off: number, space: number): number {
    let n = Math.min(this.#wqBytes, this.#sendWindow, this.#host.maxFrameSize, space - HEADER_SIZE);
    if (n < 0) return 0;
    if (n === 0 && this.#wqBytes > 0) return 0;
    let pos = off + HEADER_SIZE;
    const total = n;
    while (n > 0) {
      const e = this.#wq[this.#wqHead];
      const avail = e.data.length - this.#wqOff;
      const take = avail < n ? avail : n;
      buf.set(
        take === e.data.length ? e.data : e.data.subarray(this.#wqOff, this.#wqOff + take),
        pos,
      );
      pos += take;
      n -= take;
      if (take === avail) {
        this.#wq[this.#wqHead++] = DONE_ENTRY;
        this.#wqOff = 0;
        e.resolve?.();
      } else {
        this.#wqOff += take;
      }
    }
    if (this.#wqHead === this.#wq.length) {
      this.#wq.length = 0;
      this.#wqHead = 0;
    } else if (this.#wqHead > 64 && this.#wqHead * 2 > this.#wq.length) {
      this.#wq = this.#wq.slice(this.#wqHead);
      this.#wqHead = 0;
    }
    this.#wqBytes -= total;
    this.#sendWindow -= total;
    let flags = 0;
    // FIN goes in a frame of its own, after the last data, as hashicorp/yamux sends it: its
    // reader loses the tail of a data frame that also carries FIN (1–6 in 5,000 streams).
    if (this.#finPending && this.#wqBytes === 0 && total === 0) {
      flags = Flag.FIN;
      this.#finSent = true;
    }
    encodeHeader(buf, off, FrameType.Data, flags, this.id, total);
    if (this.#drainWanted && this.#wqBytes < this.#host.writeHighWaterMark) {
      this.#drainWanted = false;
      if (this.#onDrain) this.#call(this.#onDrain, undefined);
    }
    if (this.#finSent && this.#remoteFin) this.#finish();
    return HEADER_SIZE + total;
  }

  // ---------------------------------------------------------------- from the session

  /** @internal A Data frame of `length` bytes is starting. Returns false on window overrun. */
  _dataStart(length: number): boolean {
    if (length > this.#recvWindow) return false;
    this.#recvWindow -= length;
    return true;
  }

  /** @internal A piece of received payload. */
  _data(chunk: Uint8Array): void {
    if (this.#done && this.#readError) return; // reset: drop
    if (this.#remoteFin) return; // data after FIN: ignore, as hashicorp does by state
    if (this.#reads.length > 0) {
      this.#consumedNow(chunk.length);
      this.#reads.shift()!.resolve(chunk);
      return;
    }
    if (this.#handlers && !this.#paused && this.#rqBytes === 0 && !this.#delivering) {
      this.#consumedNow(chunk.length);
      this.#call(this.#handlers.data, chunk);
      return;
    }
    this.#rq.push(chunk);
    this.#rqBytes += chunk.length;
  }

  #consumedNow(n: number): void {
    // The session counted these bytes as buffered on arrival; count them out immediately.
    this.#consumed(n);
  }

  /** @internal The peer sent FIN. */
  _remoteFin(): void {
    if (this.#remoteFin) return;
    this.#remoteFin = true;
    for (const r of this.#reads.splice(0)) r.resolve(null);
    this.#deliver();
    if (this.#finSent) this.#finish();
  }

  /** @internal The peer sent a WindowUpdate. */
  _windowUpdate(delta: number): void {
    this.#sendWindow += delta;
    this.#maybeSchedule();
  }

  /**
   * @internal Ends the stream abnormally: RST (either side; buffered input dropped) or the
   * session closing (buffered input still readable, then `err`).
   */
  _terminate(err: Error, discardInput: boolean): void {
    if (this.#done) return;
    this.#writeError ??= err;
    for (let i = this.#wqHead; i < this.#wq.length; i++) this.#wq[i].reject?.(err);
    this.#wq = [];
    this.#wqHead = this.#wqOff = 0;
    this.#wqBytes = 0;
    if (!this.#remoteFin || discardInput) {
      this.#readError = err;
      if (discardInput) {
        this.#host.consumed(this.#rqBytes);
        this.#rq = [];
        this.#rqHead = 0;
        this.#rqBytes = 0;
        this.#remoteFin = false;
      }
      for (const r of this.#reads.splice(0)) r.reject(err);
      this.#deliver();
    }
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#host.release(this.#windowSize - INITIAL_WINDOW);
    this.#host.done(this);
  }

  // ---------------------------------------------------------------- web streams

  /** A `ReadableStream` view (pull mode). Created on first access. */
  get readable(): ReadableStream<Uint8Array> {
    return (this.#readable ??= new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const chunk = await this.read();
        if (chunk === null) controller.close();
        else controller.enqueue(chunk);
      },
      cancel: () => this.reset(),
    }));
  }
  #readable: ReadableStream<Uint8Array> | undefined;

  /** A `WritableStream` view: close() half-closes, abort() resets. */
  get writable(): WritableStream<Uint8Array> {
    return (this.#writable ??= new WritableStream<Uint8Array>({
      write: (chunk) => this.write(chunk),
      close: () => this.closeWrite(),
      abort: () => this.reset(),
    }));
  }
  #writable: WritableStream<Uint8Array> | undefined;
}

const EMPTY = new Uint8Array(0);
const DONE_ENTRY: WriteEntry = { data: EMPTY, resolve: undefined, reject: undefined };
