/**
 * A yamux session over any byte transport. The session never reads or writes a socket by
 * itself: the owner feeds it transport bytes (`receive`), gives it a `write` that returns how
 * many bytes the transport accepted, and calls `onTransportDrain()` when the transport can
 * take more. That keeps this file free of runtime APIs (see socket.ts for a socket adapter).
 * @module
 */

import { encodeHeader, Flag, FrameType, GoAwayCode, HEADER_SIZE, INITIAL_WINDOW } from "./frame.ts";
import { FrameDecoder, type FrameSink } from "./decoder.ts";
import {
  GoAwayError,
  LimitError,
  MuxError,
  ProtocolError,
  SessionClosedError,
  StreamResetError,
  TimeoutError,
} from "./errors.ts";
import type { Logger } from "./logger.ts";
import type { StreamHost } from "./_host.ts";
import { Stream } from "./stream.ts";

export interface SessionOptions {
  /** Client sessions open odd stream ids, servers even ones. */
  client: boolean;
  /**
   * Hands bytes to the transport; returns how many it accepted (fewer means "call
   * `onTransportDrain()` when you can take more"; negative means the transport is closed).
   * The buffer is reused after the call returns: consume or copy it synchronously.
   */
  write(bytes: Uint8Array): number;
  /** Closes the transport. Called once when the session closes. */
  close(): void;
  /** Receive new streams here instead of through `accept()`. */
  onStream?: (stream: Stream) => void;
  /** The peer sent GoAway(normal): it opens and accepts nothing new; move elsewhere. */
  onGoAway?: () => void;
  /** Open streams allowed at once, both directions together. Default 1024. */
  maxStreams?: number;
  /** Incoming streams waiting for `accept()`; beyond this they are reset. Default 256. */
  acceptBacklog?: number;
  /** Grow receive windows toward the measured bandwidth-delay product. Default true. */
  autoTuneWindow?: boolean;
  /** Largest receive window one stream may grow to. Default 16 MiB. */
  maxStreamWindow?: number;
  /** Total window growth (beyond the initial 256 KiB each) over all streams. Default 64 MiB. */
  maxSessionWindowGrowth?: number;
  /**
   * Received-but-unread bytes over all streams above which new streams are refused (incoming
   * reset, `open()` rejects). Default 256 MiB.
   */
  maxSessionReceiveBuffer?: number;
  /** Bytes one stream may hold queued for sending across writes. Default 16 MiB. */
  maxStreamWriteQueue?: number;
  /** `Stream.push()` returns false at or above this many queued bytes. Default 256 KiB. */
  writeHighWaterMark?: number;
  /** Control frames (window updates, pings, resets) allowed to pile up unsent. Default 1 MiB. */
  maxControlBuffer?: number;
  /**
   * Largest Data frame payload we send. Default: what fills the 256 KiB frame buffer (256 KiB − 12).
   * Large frames let a reader forward each transport read in one piece: with 64 KiB frames a relay
   * made about a third more socket writes per GB. One frame of a busy stream delays the next
   * stream's turn by well under a millisecond at loopback speeds.
   */
  maxFrameSize?: number;
  /** Send a keepalive ping this often, in ms; 0 disables. Default 30 000. */
  keepaliveInterval?: number;
  /** A ping with no reply after this many ms closes the session. Default 10 000. */
  pingTimeout?: number;
  logger?: Logger;
}

export interface SessionStats {
  streams: number;
  pendingAccept: number;
  bytesIn: number;
  bytesOut: number;
  /** Smoothed ping round trip in ms, if measured. */
  rttMs: number | undefined;
  /** Received bytes not yet consumed by the application, all streams. */
  receiveBuffered: number;
  /** Receive window growth handed out by auto-tuning, all streams. */
  windowGrowth: number;
}

interface PendingPing {
  start: number;
  resolve(rtt: number): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const WRITE_BUFFER = 256 * 1024;
/**
 * One framing buffer for every session in this thread, since `write` consumes it synchronously:
 * a private one per session would stay resident after its first burst (≈256 KiB per tunnel).
 * A flush that starts while another is filling it (a transport whose write re-enters) gets a
 * buffer of its own.
 */
const SHARED_OUT = new Uint8Array(WRITE_BUFFER);
let sharedOutInUse = false;

export class Session {
  readonly client: boolean;
  /** Resolves once the session is closed (never rejects; see `closeReason`). */
  readonly closed: Promise<void>;
  /** Why the session closed: undefined for a clean local close. */
  closeReason: Error | undefined;

  readonly #o: Required<Omit<SessionOptions, "onStream" | "onGoAway" | "logger">>;
  readonly #onGoAwayCb: (() => void) | undefined;
  readonly #logger: Logger | undefined;
  readonly #onStream: ((s: Stream) => void) | undefined;
  readonly #decoder: FrameDecoder;
  readonly #host: StreamHost;
  readonly #streams = new Map<number, Stream>();
  #nextId: number;
  #isClosed = false;
  #resolveClosed!: () => void;
  #localGoAway = false;
  #remoteGoAway = false;

  #acceptQueue: Stream[] = [];
  #acceptWaiters: ((s: Stream | null) => void)[] = [];

  // Outgoing: control frames are encoded into #ctrl as they are queued; data is pulled from
  // streams round-robin when the writer runs, straight into SHARED_OUT (one copy, one write).
  #ctrl = new Uint8Array(HEADER_SIZE * 64);
  #ctrlLen = 0;
  #ready: Stream[] = [];
  #readyHead = 0;
  #pendingOut: Uint8Array | undefined;
  #flushScheduled = false;
  #flushing = false;

  // Receive-side state for the Data frame being decoded.
  #cur: Stream | undefined;
  #curFlags = 0;

  #pings = new Map<number, PendingPing>();
  #pingId = 0;
  #rtt: number | undefined;
  #rttAt = -Infinity;
  #rttProbe = false;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #keepalivePending = false;

  #bytesIn = 0;
  #bytesOut = 0;
  #recvBuffered = 0;
  #growth = 0;

  constructor(options: SessionOptions) {
    this.client = options.client;
    this.#o = {
      client: options.client,
      write: options.write,
      close: options.close,
      maxStreams: options.maxStreams ?? 1024,
      acceptBacklog: options.acceptBacklog ?? 256,
      autoTuneWindow: options.autoTuneWindow ?? true,
      maxStreamWindow: Math.max(INITIAL_WINDOW, options.maxStreamWindow ?? 16 * 1024 * 1024),
      maxSessionWindowGrowth: options.maxSessionWindowGrowth ?? 64 * 1024 * 1024,
      maxSessionReceiveBuffer: options.maxSessionReceiveBuffer ?? 256 * 1024 * 1024,
      maxStreamWriteQueue: options.maxStreamWriteQueue ?? 16 * 1024 * 1024,
      writeHighWaterMark: options.writeHighWaterMark ?? 256 * 1024,
      maxControlBuffer: options.maxControlBuffer ?? 1024 * 1024,
      maxFrameSize: Math.min(options.maxFrameSize ?? WRITE_BUFFER - HEADER_SIZE, WRITE_BUFFER - HEADER_SIZE),
      keepaliveInterval: options.keepaliveInterval ?? 30_000,
      pingTimeout: options.pingTimeout ?? 10_000,
    };
    this.#logger = options.logger;
    this.#onStream = options.onStream;
    this.#onGoAwayCb = options.onGoAway;
    this.#nextId = options.client ? 1 : 2;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#decoder = new FrameDecoder(this.#sink());
    this.#host = this.#makeHost();
    if (this.#o.keepaliveInterval > 0) {
      this.#keepalive = setInterval(() => this.#keepaliveTick(), this.#o.keepaliveInterval);
    }
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Number of live streams. */
  get numStreams(): number {
    return this.#streams.size;
  }

  stats(): SessionStats {
    return {
      streams: this.#streams.size,
      pendingAccept: this.#acceptQueue.length,
      bytesIn: this.#bytesIn,
      bytesOut: this.#bytesOut,
      rttMs: this.#rtt,
      receiveBuffered: this.#recvBuffered,
      windowGrowth: this.#growth,
    };
  }

  // ---------------------------------------------------------------- public API

  /** Opens a stream (sends SYN). The peer may still refuse it with RST (seen as a reset). */
  open(): Promise<Stream> {
    try {
      return Promise.resolve(this.openSync());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** `open()` without the promise; throws the same errors. */
  openSync(): Stream {
    if (this.#isClosed) {
      throw new SessionClosedError("Cannot open stream: session is closed", { cause: this.closeReason });
    }
    if (this.#localGoAway) throw new SessionClosedError("Cannot open stream: session is going away");
    if (this.#remoteGoAway) throw new GoAwayError("Cannot open stream: peer sent GoAway", GoAwayCode.Normal);
    const max = this.#o.maxStreams;
    if (this.#streams.size >= max) {
      throw new LimitError(`Cannot open stream: session has ${this.#streams.size} streams (limit ${max})`);
    }
    const limit = this.#o.maxSessionReceiveBuffer;
    if (this.#recvBuffered >= limit) {
      throw new LimitError(
        `Cannot open stream: session buffers ${this.#recvBuffered} received bytes (limit ${limit})`,
      );
    }
    const id = this.#nextId;
    if (id > 0xffffffff) throw new LimitError("Cannot open stream: stream ids are exhausted");
    this.#nextId += 2;
    const stream = new Stream(id, this.#host);
    this.#streams.set(id, stream);
    this.#control(FrameType.WindowUpdate, Flag.SYN, id, 0);
    return stream;
  }

  /** The next stream the peer opened, or `null` once the session is closed. */
  accept(): Promise<Stream | null> {
    if (this.#onStream) return Promise.reject(new TypeError("Cannot accept: session has onStream"));
    const s = this.#acceptQueue.shift();
    if (s) return Promise.resolve(this.#ack(s));
    if (this.#isClosed) return Promise.resolve(null);
    return new Promise((resolve) => this.#acceptWaiters.push(resolve));
  }

  /** Measures one round trip with a Ping frame, in ms. */
  ping(): Promise<number> {
    if (this.#isClosed) {
      return Promise.reject(
        new SessionClosedError("Cannot ping: session is closed", { cause: this.closeReason }),
      );
    }
    return new Promise((resolve, reject) => {
      const id = this.#pingId = (this.#pingId + 1) >>> 0;
      const p: PendingPing = { start: performance.now(), resolve, reject, timer: undefined };
      const ms = this.#o.pingTimeout;
      if (ms > 0) {
        p.timer = setTimeout(() => {
          this.#pings.delete(id);
          const err = new TimeoutError(`Ping failed: no reply within ${ms} ms`);
          reject(err);
          this.#shutdown(err, undefined);
        }, ms);
      }
      this.#pings.set(id, p);
      this.#control(FrameType.Ping, Flag.SYN, 0, id);
    });
  }

  /**
   * Graceful drain: tells the peer (GoAway normal) and refuses new streams both ways; open
   * streams finish; the session closes when the last one ends. Resolves when closed.
   */
  goAway(): Promise<void> {
    if (!this.#isClosed && !this.#localGoAway) {
      this.#localGoAway = true;
      this.#control(FrameType.GoAway, 0, 0, GoAwayCode.Normal);
      for (const s of this.#acceptQueue.splice(0)) s.reset();
      this.#maybeDrained();
    }
    return this.closed;
  }

  /** Closes now: streams end with `SessionClosedError`, the transport is closed. */
  close(): Promise<void> {
    this.#shutdown(undefined, GoAwayCode.Normal);
    return this.closed;
  }

  // ---------------------------------------------------------------- transport side

  /** Feeds bytes read from the transport. The session keeps views into `bytes`: hand it over. */
  receive(bytes: Uint8Array): void {
    if (this.#isClosed) return;
    this.#bytesIn += bytes.length;
    try {
      this.#decoder.push(bytes);
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.#logger?.warn("Closing session: protocol error", { err: err.message });
        this.#shutdown(err, GoAwayCode.ProtocolError);
      } else if (err instanceof MuxError) {
        this.#shutdown(err, GoAwayCode.InternalError);
      } else {
        this.#logger?.error("Closing session: internal error", { err });
        this.#shutdown(
          new MuxError("Session failed: internal error", { cause: err }),
          GoAwayCode.InternalError,
        );
      }
    }
  }

  /** The transport can take more bytes. */
  onTransportDrain(): void {
    if (this.#isClosed) return;
    this.#flush();
  }

  /** The transport closed (or failed, with `err`). */
  transportClosed(err?: unknown): void {
    if (this.#isClosed) return;
    this.#shutdown(
      new SessionClosedError("Session closed: transport closed", { cause: err }),
      undefined,
      false,
    );
  }

  // ---------------------------------------------------------------- receiving

  #sink(): FrameSink {
    return {
      dataStart: (flags, id, length) => {
        const s = this.#frameStream(flags, id);
        this.#cur = s;
        this.#curFlags = flags;
        if (s && !s._dataStart(length)) {
          throw new ProtocolError(
            `Cannot accept data: stream ${id} sent ${length} bytes beyond its receive window`,
          );
        }
      },
      data: (chunk) => {
        const s = this.#cur;
        if (!s) return; // unknown stream: drained and ignored
        this.#recvBuffered += chunk.length;
        s._data(chunk);
      },
      dataEnd: () => {
        const s = this.#cur;
        this.#cur = undefined;
        if (s) this.#applyEndFlags(s, this.#curFlags);
      },
      control: (type, flags, id, value) => {
        if (type === FrameType.WindowUpdate) {
          const s = this.#frameStream(flags, id);
          if (!s) return;
          if (value > 0) s._windowUpdate(value);
          this.#applyEndFlags(s, flags);
        } else if (type === FrameType.Ping) {
          this.#onPing(flags, value);
        } else {
          this.#onGoAway(value);
        }
      },
    };
  }

  /** Finds (or, on SYN, creates) the stream a Data/WindowUpdate frame is for. */
  #frameStream(flags: number, id: number): Stream | undefined {
    if (flags & Flag.SYN) return this.#incoming(id);
    return this.#streams.get(id);
  }

  #applyEndFlags(s: Stream, flags: number): void {
    if (flags & Flag.RST) s._terminate(new StreamResetError(`Stream ${s.id} was reset by the peer`), true);
    else if (flags & Flag.FIN) s._remoteFin();
  }

  #incoming(id: number): Stream | undefined {
    if (this.#streams.has(id)) {
      throw new ProtocolError(`Cannot open stream: stream ${id} already exists (duplicate SYN)`);
    }
    if (id === 0 || (id & 1) === (this.client ? 1 : 0)) {
      throw new ProtocolError(`Cannot open stream: stream ${id} has our parity`);
    }
    const refuse = (why: string, fields: Record<string, unknown>) => {
      this.#logger?.warn(`Refusing stream: ${why}`, { stream: id, ...fields });
      this.#control(FrameType.WindowUpdate, Flag.RST, id, 0);
      return undefined;
    };
    if (this.#localGoAway) return refuse("session is going away", {});
    if (this.#streams.size >= this.#o.maxStreams) {
      return refuse("too many streams", { streams: this.#streams.size, limit: this.#o.maxStreams });
    }
    if (!this.#onStream && this.#acceptQueue.length >= this.#o.acceptBacklog) {
      return refuse("accept backlog full", { backlog: this.#o.acceptBacklog });
    }
    if (this.#recvBuffered >= this.#o.maxSessionReceiveBuffer) {
      return refuse("receive buffer full", {
        buffered: this.#recvBuffered,
        limit: this.#o.maxSessionReceiveBuffer,
      });
    }
    const s = new Stream(id, this.#host);
    this.#streams.set(id, s);
    if (this.#onStream) {
      this.#ack(s);
      try {
        this.#onStream(s);
      } catch (err) {
        this.#logger?.error("onStream threw: resetting stream", { stream: id, err });
        s.reset();
      }
    } else {
      const waiter = this.#acceptWaiters.shift();
      if (waiter) waiter(this.#ack(s));
      else this.#acceptQueue.push(s);
    }
    return s;
  }

  #ack(s: Stream): Stream {
    this.#control(FrameType.WindowUpdate, Flag.ACK, s.id, 0);
    return s;
  }

  #onPing(flags: number, value: number): void {
    if (flags & Flag.SYN) {
      this.#control(FrameType.Ping, Flag.ACK, 0, value);
      return;
    }
    const p = this.#pings.get(value);
    if (!p) return;
    this.#pings.delete(value);
    if (p.timer !== undefined) clearTimeout(p.timer);
    const rtt = performance.now() - p.start;
    this.#rtt = this.#rtt === undefined ? rtt : this.#rtt * 0.75 + rtt * 0.25;
    this.#rttAt = performance.now();
    p.resolve(rtt);
  }

  #onGoAway(code: number): void {
    if (code === GoAwayCode.Normal) {
      if (!this.#remoteGoAway) {
        this.#remoteGoAway = true;
        this.#onGoAwayCb?.();
      }
      return;
    }
    const what = code === GoAwayCode.ProtocolError
      ? "protocol error"
      : code === GoAwayCode.InternalError
      ? "internal error"
      : `unknown code ${code}`;
    this.#shutdown(new GoAwayError(`Session closed: peer sent GoAway (${what})`, code), undefined);
  }

  // ---------------------------------------------------------------- sending

  #control(type: number, flags: number, id: number, value: number): void {
    if (this.#isClosed) return;
    if (this.#ctrlLen + HEADER_SIZE > this.#ctrl.length) {
      const limit = this.#o.maxControlBuffer;
      if (this.#ctrl.length >= limit) {
        this.#shutdown(
          new LimitError(
            `Cannot queue frame: ${this.#ctrlLen} bytes of control frames pending (limit ${limit})`,
          ),
          undefined,
        );
        return;
      }
      const bigger = new Uint8Array(Math.min(this.#ctrl.length * 2, limit));
      bigger.set(this.#ctrl.subarray(0, this.#ctrlLen));
      this.#ctrl = bigger;
    }
    encodeHeader(this.#ctrl, this.#ctrlLen, type, flags, id, value);
    this.#ctrlLen += HEADER_SIZE;
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#flushing) return;
    this.#flushScheduled = true;
    // One microtask per burst: everything queued in this turn goes out in as few writes as
    // possible (window updates from a whole read, several streams' data).
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  /** Writes queued frames until done or the transport pushes back. */
  #flush(): void {
    if (this.#flushing || this.#isClosed) return;
    this.#flushing = true;
    try {
      this.#flushLoop();
    } finally {
      this.#flushing = false;
    }
  }

  #flushLoop(): void {
    if (this.#pendingOut) {
      if (!this.#writeOut(this.#pendingOut)) return;
      this.#pendingOut = undefined;
    }
    const shared = !sharedOutInUse;
    const out = shared ? SHARED_OUT : new Uint8Array(WRITE_BUFFER);
    if (shared) sharedOutInUse = true;
    try {
      this.#fillAndWrite(out);
    } finally {
      if (shared) sharedOutInUse = false;
    }
  }

  #fillAndWrite(out: Uint8Array): void {
    for (;;) {
      let fill = 0;
      if (this.#ctrlLen > 0) {
        const n = Math.min(this.#ctrlLen, out.length);
        out.set(this.#ctrl.subarray(0, n));
        if (n < this.#ctrlLen) this.#ctrl.copyWithin(0, n, this.#ctrlLen);
        this.#ctrlLen -= n;
        fill = n;
      }
      const ready = this.#ready;
      while (this.#readyHead < ready.length && out.length - fill > HEADER_SIZE) {
        const s = ready[this.#readyHead];
        ready[this.#readyHead++] = undefined as unknown as Stream;
        s._inReady = false;
        fill += s._emit(out, fill, out.length - fill);
        if (!s._inReady && s._wantsSend()) {
          s._inReady = true;
          ready.push(s);
        }
      }
      if (this.#readyHead === ready.length) {
        ready.length = 0;
        this.#readyHead = 0;
      } else if (this.#readyHead > 1024 && this.#readyHead * 2 > ready.length) {
        this.#ready = ready.slice(this.#readyHead);
        this.#readyHead = 0;
      }
      if (fill === 0) return;
      if (!this.#writeOut(out.subarray(0, fill))) return;
      if (this.#isClosed) return;
    }
  }

  /** True when all of `buf` was accepted; otherwise remembers the rest for the drain. */
  #writeOut(buf: Uint8Array): boolean {
    let n: number;
    try {
      n = this.#o.write(buf);
    } catch (err) {
      this.#shutdown(
        new SessionClosedError("Session closed: transport write failed", { cause: err }),
        undefined,
      );
      return false;
    }
    if (n < 0) {
      this.#shutdown(new SessionClosedError("Session closed: transport is closed"), undefined, false);
      return false;
    }
    this.#bytesOut += n;
    if (n >= buf.length) return true;
    // The shared buffer is refilled by the next flush of any session: keep a copy of the rest.
    this.#pendingOut = buf.buffer === SHARED_OUT.buffer ? buf.slice(n) : buf.subarray(n);
    return false;
  }

  // ---------------------------------------------------------------- lifecycle

  #maybeDrained(): void {
    if (this.#localGoAway && this.#streams.size === 0 && !this.#isClosed) {
      // Let the last frames (FIN, GoAway) go out before closing.
      queueMicrotask(() => this.#shutdown(undefined, undefined));
    }
  }

  #keepaliveTick(): void {
    if (this.#keepalivePending || this.#isClosed) return;
    this.#keepalivePending = true;
    this.ping().then(
      () => (this.#keepalivePending = false),
      () => (this.#keepalivePending = false),
    );
  }

  #shutdown(reason: Error | undefined, goAway: GoAwayCode | undefined, closeTransport = true): void {
    if (this.#isClosed) return;
    if (goAway !== undefined && (goAway !== GoAwayCode.Normal || !this.#localGoAway)) {
      // Best effort: whatever is queued plus a GoAway, as far as the transport takes it now.
      this.#control(FrameType.GoAway, 0, 0, goAway);
      if (this.#isClosed) return; // the control buffer overflowed and closed us already
    }
    if (closeTransport) this.#flush();
    this.#isClosed = true;
    this.closeReason = reason;
    if (this.#keepalive !== undefined) clearInterval(this.#keepalive);
    const err = reason ?? new SessionClosedError("Session closed");
    for (const p of this.#pings.values()) {
      if (p.timer !== undefined) clearTimeout(p.timer);
      p.reject(new SessionClosedError("Cannot ping: session closed", { cause: reason }));
    }
    this.#pings.clear();
    const streamErr = err instanceof SessionClosedError
      ? err
      : new SessionClosedError(`Session closed: ${err.message}`, { cause: err });
    for (const s of [...this.#streams.values()]) s._terminate(streamErr, false);
    this.#streams.clear();
    this.#acceptQueue.length = 0;
    for (const w of this.#acceptWaiters.splice(0)) w(null);
    this.#ready = [];
    this.#readyHead = 0;
    if (closeTransport) {
      try {
        this.#o.close();
      } catch (e) {
        this.#logger?.warn("Transport close threw", { err: e });
      }
    }
    this.#resolveClosed();
  }

  #makeHost(): StreamHost {
    const o = this.#o;
    return {
      logger: this.#logger,
      maxFrameSize: o.maxFrameSize,
      maxStreamWriteQueue: o.maxStreamWriteQueue,
      writeHighWaterMark: o.writeHighWaterMark,
      schedule: (s) => {
        if (this.#isClosed) return;
        s._inReady = true;
        this.#ready.push(s);
        this.#scheduleFlush();
      },
      windowUpdate: (id, flags, delta) => this.#control(FrameType.WindowUpdate, flags, id, delta),
      consumed: (n) => {
        this.#recvBuffered -= n;
      },
      grow: (_s, want, since) => {
        if (!o.autoTuneWindow) return 0;
        const now = performance.now();
        if (!this.#rttProbe && now - this.#rttAt > 10_000) this.#probeRtt();
        const rtt = this.#rtt;
        // quic-go's rule: half the window was used in under 2 RTTs, so the window is
        // smaller than ~4 BDP: double it (within the stream and session budgets).
        if (rtt === undefined || since >= 2 * rtt) return 0;
        const g = Math.min(
          want,
          o.maxStreamWindow - _s.receiveWindow,
          o.maxSessionWindowGrowth - this.#growth,
        );
        if (g <= 0) return 0;
        this.#growth += g;
        return g;
      },
      release: (bytes) => {
        this.#growth -= bytes;
      },
      done: (s) => {
        if (this.#streams.get(s.id) === s) this.#streams.delete(s.id);
        this.#maybeDrained();
      },
    };
  }

  #probeRtt(): void {
    this.#rttProbe = true;
    this.ping().then(
      () => (this.#rttProbe = false),
      () => (this.#rttProbe = false),
    );
  }
}
