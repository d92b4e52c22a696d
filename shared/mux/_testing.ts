/**
 * Test helpers (private to this folder): an in-memory transport pair with bounded capacity,
 * and a raw session whose frames are captured and decoded.
 * @module
 */

import { Session, type SessionOptions } from "./session.ts";
import { FrameDecoder } from "./decoder.ts";
import { encodeHeader, HEADER_SIZE } from "./frame.ts";

export type PairOptions = Partial<Omit<SessionOptions, "write" | "close" | "client">>;

export interface Pair {
  client: Session;
  server: Session;
  /** Stop delivering bytes in both directions (a dead link). */
  cut(): void;
}

/**
 * Two sessions joined by an in-memory link that accepts at most `capacity` undelivered bytes
 * per direction (so transport backpressure is real) and delivers on a timer, `delayMs` late.
 */
export function sessionPair(
  { client = {}, server = {}, capacity = 256 * 1024, delayMs = 0 }: {
    client?: PairOptions;
    server?: PairOptions;
    capacity?: number;
    delayMs?: number;
  } = {},
): Pair {
  let dead = false;
  const link = (getDst: () => Session, getSrc: () => Session) => {
    let inFlight = 0;
    let blocked = false;
    let closed = false;
    return {
      write(b: Uint8Array): number {
        if (closed) return -1;
        if (dead) return b.length; // swallowed
        const n = Math.min(b.length, capacity - inFlight);
        if (n <= 0) {
          blocked = true;
          return 0;
        }
        const copy = b.slice(0, n);
        inFlight += n;
        if (n < b.length) blocked = true;
        setTimeout(() => {
          inFlight -= n;
          if (!dead) getDst().receive(copy);
          if (blocked) {
            blocked = false;
            getSrc().onTransportDrain();
          }
        }, delayMs);
        return n;
      },
      close() {
        if (closed) return;
        closed = true;
        setTimeout(() => getDst().transportClosed(), delayMs);
      },
    };
  };
  const c2s = link(() => s, () => c);
  const s2c = link(() => c, () => s);
  const c: Session = new Session({ keepaliveInterval: 0, ...client, client: true, ...c2s });
  const s: Session = new Session({ keepaliveInterval: 0, ...server, client: false, ...s2c });
  return { client: c, server: s, cut: () => (dead = true) };
}

export interface RawFrame {
  type: number;
  flags: number;
  id: number;
  /** Length field (payload length for Data, value otherwise). */
  value: number;
  payload?: Uint8Array;
}

/** Decodes a byte string into frames (Data payloads concatenated). */
export function decodeAll(bytes: Uint8Array): RawFrame[] {
  const frames: RawFrame[] = [];
  let parts: Uint8Array[] = [];
  const dec = new FrameDecoder({
    dataStart(flags, id, length) {
      frames.push({ type: 0, flags, id, value: length });
      parts = [];
    },
    data(chunk) {
      parts.push(chunk.slice());
    },
    dataEnd() {
      frames[frames.length - 1].payload = concat(parts);
    },
    control(type, flags, id, value) {
      frames.push({ type, flags, id, value });
    },
  });
  dec.push(bytes);
  return frames;
}

export function encodeFrame(f: RawFrame): Uint8Array {
  const len = f.payload ? f.payload.length : 0;
  const b = new Uint8Array(HEADER_SIZE + len);
  encodeHeader(b, 0, f.type, f.flags, f.id, f.payload ? len : f.value);
  if (f.payload) b.set(f.payload, HEADER_SIZE);
  return b;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A session whose output is captured; feed it frames as if from a peer. */
export function rawSession(options: Partial<SessionOptions> & { client: boolean; accept?: number }) {
  const out: Uint8Array[] = [];
  let transportClosed = false;
  const { accept = Infinity, ...rest } = options;
  const session = new Session({
    keepaliveInterval: 0,
    ...rest,
    write(b) {
      if (transportClosed) return -1;
      const n = Math.min(b.length, accept);
      out.push(b.slice(0, n));
      return n;
    },
    close() {
      transportClosed = true;
    },
  });
  return {
    session,
    get transportClosed() {
      return transportClosed;
    },
    feed(...frames: RawFrame[]) {
      for (const f of frames) session.receive(encodeFrame(f));
    },
    /** Frames written so far (and forgets them). */
    async frames(): Promise<RawFrame[]> {
      await tick();
      const all = decodeAll(concat(out.splice(0)));
      return all;
    },
  };
}

export function tick(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` until true or `timeoutMs` passes (then throws `what`). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await tick(1);
  }
}

/** Deterministic pseudo-random bytes. */
export function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

export async function readAll(s: { read(): Promise<Uint8Array | null> }): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (;;) {
    const c = await s.read();
    if (c === null) return concat(parts);
    parts.push(c);
  }
}
