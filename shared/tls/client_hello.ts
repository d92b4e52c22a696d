/**
 * Incremental TLS ClientHello parser for routing by SNI without decrypting.
 *
 * The relay feeds each arriving chunk to a `ClientHelloParser`, which keeps the bytes in a
 * growing buffer and resumes walking records where it stopped, so a hello cut into 1-byte records
 * and sent a byte at a time costs work linear in its size (re-walking from offset 0 on every chunk
 * cost ~1000× a normal hello). A hello may span at most `maxRecords` records.
 * `parseClientHello` parses a whole buffer in one call.
 */

import { AlertDescription } from "./alert.ts";

/** Largest TLSPlaintext fragment a peer may send is 2^14; the spec allows 2^14+256 for ciphertext, and we accept that as slack. */
export const DEFAULT_MAX_RECORD_LENGTH = 16384 + 256;
/** Post-quantum key shares make hellos ~1.8 KB; 64 KiB leaves room for any sane client and bounds memory. */
export const DEFAULT_MAX_HELLO_BYTES = 64 * 1024;
/**
 * Records one hello may span. A 64 KiB hello needs 4 full records; clients that fragment to dodge
 * middleboxes use a handful. More is only a way to make the relay walk tiny records.
 */
export const DEFAULT_MAX_RECORDS = 64;

export interface ParseClientHelloOptions {
  /** A record whose length field exceeds this is an error (record_overflow). */
  maxRecordLength?: number;
  /** Bytes of records (headers included) the hello may occupy before it is an error. */
  maxHelloBytes?: number;
  /** Records the hello may span before it is an error. */
  maxRecords?: number;
}

export type ClientHelloResult =
  | {
    kind: "need-more";
    /** Lower bound on how many more bytes must arrive before the answer can change. */
    needed?: number;
  }
  | {
    kind: "ok";
    /** Lowercased, validated DNS name from the server_name extension, or null if absent. */
    serverName: string | null;
    /** ALPN protocol names in the client's order; empty if the extension is absent. */
    alpn: string[];
    /** Bytes of `buffered` taken by the records that carry the hello; anything after is the next flight. */
    recordBytes: number;
  }
  | { kind: "error"; error: ClientHelloError };

/** A ClientHello the relay must refuse; `alert` is the TLS alert description to send before closing. */
export class ClientHelloError extends Error {
  override name = "ClientHelloError";
  readonly alert: number;

  constructor(message: string, alert: number, options?: ErrorOptions) {
    super(message, options);
    this.alert = alert;
  }
}

const RECORD_TYPE_HANDSHAKE = 22;
const HANDSHAKE_TYPE_CLIENT_HELLO = 1;
const RECORD_HEADER_LENGTH = 5;
const HANDSHAKE_HEADER_LENGTH = 4;
const EXTENSION_SERVER_NAME = 0;
const EXTENSION_ALPN = 16;
const NAME_TYPE_HOST_NAME = 0;

function fail(detail: string, alert: number = AlertDescription.decode_error): never {
  throw new ClientHelloError(`Cannot parse ClientHello: ${detail}`, alert);
}

export function parseClientHello(
  buffered: Uint8Array,
  opts: ParseClientHelloOptions = {},
): ClientHelloResult {
  return new ClientHelloParser(opts).push(buffered);
}

/**
 * One connection's hello, fed chunk by chunk. After `ok` or `error` the answer is final and
 * further pushes return it again. `buffered` holds every byte pushed (the relay forwards them).
 */
export class ClientHelloParser {
  readonly #maxRecordLength: number;
  readonly #maxHelloBytes: number;
  readonly #maxRecords: number;
  #buf = new Uint8Array(0);
  #length = 0;
  // Where the record walk stopped: the next record's offset, the complete fragments so far.
  #offset = 0;
  #fragments: Array<[start: number, end: number]> = [];
  #fragmentBytes = 0;
  #handshakeLength = -1; // known once the 4-byte handshake header has arrived
  readonly #headerBytes = new Uint8Array(HANDSHAKE_HEADER_LENGTH);
  #result: ClientHelloResult | undefined;
  /** Steps taken (records visited, bytes copied or parsed): a measure of cost tests can compare. */
  work = 0;

  constructor(
    {
      maxRecordLength = DEFAULT_MAX_RECORD_LENGTH,
      maxHelloBytes = DEFAULT_MAX_HELLO_BYTES,
      maxRecords = DEFAULT_MAX_RECORDS,
    }: ParseClientHelloOptions = {},
  ) {
    this.#maxRecordLength = maxRecordLength;
    this.#maxHelloBytes = maxHelloBytes;
    this.#maxRecords = maxRecords;
  }

  /** Every byte pushed so far. */
  get buffered(): Uint8Array {
    return this.#buf.subarray(0, this.#length);
  }

  push(chunk: Uint8Array): ClientHelloResult {
    if (this.#result) return this.#result;
    this.#append(chunk);
    try {
      const r = this.#walk();
      if (r.kind !== "need-more") this.#result = r;
      return r;
    } catch (error) {
      // Only our own validation failures become results; anything else is a parser bug and
      // must surface rather than be sent to a browser as an alert.
      if (error instanceof ClientHelloError) return this.#result = { kind: "error", error };
      throw error;
    }
  }

  #append(chunk: Uint8Array): void {
    // Everything is kept (bytes after the hello are the next flight, forwarded as they are); the
    // walk refuses a hello past its budget, so the buffer never grows past it by more than a chunk.
    const take = chunk;
    if (this.#length + take.length > this.#buf.length) {
      const grown = new Uint8Array(Math.max(this.#length + take.length, this.#buf.length * 2, 512));
      grown.set(this.#buf.subarray(0, this.#length));
      this.#buf = grown;
    }
    this.#buf.set(take, this.#length);
    this.#length += take.length;
    this.work += take.length;
  }

  #walk(): ClientHelloResult {
    const buffered = this.buffered;
    const headerBytes = this.#headerBytes;
    // Pass 1: walk record headers, validating each as soon as its bytes exist, so garbage
    // (an HTTP request, a port scan) is refused on its first bytes instead of after a timeout.
    for (;;) {
      this.work++;
      const offset = this.#offset;
      const available = buffered.length - offset;
      if (available >= 1 && buffered[offset] !== RECORD_TYPE_HANDSHAKE) {
        fail(`record type is ${buffered[offset]}`, AlertDescription.unexpected_message);
      }
      // Wait for both version bytes so the message names the real value.
      if (available >= 3 && buffered[offset + 1] !== 0x03) {
        fail(
          `record version is ${hex16(buffered[offset + 1]!, buffered[offset + 2]!)}`,
          AlertDescription.protocol_version,
        );
      }
      if (available < RECORD_HEADER_LENGTH) {
        return { kind: "need-more", needed: RECORD_HEADER_LENGTH - available };
      }
      const length = (buffered[offset + 3]! << 8) | buffered[offset + 4]!;
      if (length > this.#maxRecordLength) {
        fail(`record length is ${length}`, AlertDescription.record_overflow);
      }
      // RFC 8446 §5.1 forbids zero-length handshake fragments; accepting them would let a peer
      // keep us walking empty records forever within the byte budget.
      if (length === 0) fail("record length is 0", AlertDescription.unexpected_message);
      if (this.#fragments.length >= this.#maxRecords) {
        fail(`hello spans more than ${this.#maxRecords} records`, AlertDescription.handshake_failure);
      }
      const start = offset + RECORD_HEADER_LENGTH;
      const end = start + length;
      if (end > this.#maxHelloBytes) {
        fail(`hello exceeds ${this.#maxHelloBytes} bytes`, AlertDescription.handshake_failure);
      }

      // Check the handshake header from whatever part of it has arrived, even mid-record.
      const got = Math.min(end, buffered.length) - start;
      for (let i = 0; i < got && this.#fragmentBytes + i < HANDSHAKE_HEADER_LENGTH; i++) {
        headerBytes[this.#fragmentBytes + i] = buffered[start + i]!;
      }
      if (this.#fragmentBytes === 0 && got >= 1 && headerBytes[0] !== HANDSHAKE_TYPE_CLIENT_HELLO) {
        fail(`handshake type is ${headerBytes[0]}`, AlertDescription.unexpected_message);
      }
      if (this.#handshakeLength < 0 && this.#fragmentBytes + got >= HANDSHAKE_HEADER_LENGTH) {
        this.#handshakeLength = (headerBytes[1]! << 16) | (headerBytes[2]! << 8) | headerBytes[3]!;
        if (HANDSHAKE_HEADER_LENGTH + this.#handshakeLength > this.#maxHelloBytes) {
          fail(`handshake length is ${this.#handshakeLength}`, AlertDescription.handshake_failure);
        }
      }
      if (end > buffered.length) return { kind: "need-more", needed: end - buffered.length };

      this.#fragments.push([start, end]);
      this.#fragmentBytes += length;
      this.#offset = end;
      if (this.#handshakeLength >= 0) {
        const total = HANDSHAKE_HEADER_LENGTH + this.#handshakeLength;
        if (this.#fragmentBytes === total) break;
        // The hello must end on a record boundary (RFC 8446 §5.1: it precedes a key change),
        // so extra handshake bytes in its last record mean a confused or hostile peer.
        if (this.#fragmentBytes > total) {
          fail(
            `records carry ${this.#fragmentBytes - total} bytes after the hello`,
            AlertDescription.unexpected_message,
          );
        }
      }
    }

    // Pass 2: the hello is complete; join its fragments and parse the body (once).
    const message = new Uint8Array(this.#fragmentBytes);
    let at = 0;
    for (const [start, end] of this.#fragments) {
      message.set(buffered.subarray(start, end), at);
      at += end - start;
    }
    this.work += message.length;
    const { serverName, alpn } = parseBody(new Reader(message.subarray(HANDSHAKE_HEADER_LENGTH), "hello"));
    return { kind: "ok", serverName, alpn, recordBytes: this.#offset };
  }
}

function parseBody(hello: Reader): { serverName: string | null; alpn: string[] } {
  const major = hello.u8();
  const minor = hello.u8();
  if (major !== 0x03) fail(`client version is ${hex16(major, minor)}`, AlertDescription.protocol_version);
  hello.skip(32); // random
  const sessionId = hello.u8();
  if (sessionId > 32) fail(`session id length is ${sessionId}`);
  hello.skip(sessionId);
  const suites = hello.u16();
  if (suites === 0 || suites % 2 !== 0) fail(`cipher suites length is ${suites}`);
  hello.skip(suites);
  const compression = hello.u8();
  if (compression === 0) fail("compression methods length is 0");
  hello.skip(compression);

  let serverName: string | null = null;
  let alpn: string[] = [];
  // A TLS 1.2 hello may end here with no extensions at all (RFC 5246 §7.4.1.2).
  if (hello.remaining === 0) return { serverName, alpn };

  const extensions = hello.sub(hello.u16(), "extensions");
  hello.end();
  const seen = new Set<number>();
  while (extensions.remaining > 0) {
    const type = extensions.u16();
    const data = extensions.sub(extensions.u16(), `extension ${type}`);
    // RFC 8446 §4.2: duplicates are forbidden, and two SNI extensions would be ambiguous.
    if (seen.has(type)) fail(`extension ${type} appears twice`, AlertDescription.illegal_parameter);
    seen.add(type);
    if (type === EXTENSION_SERVER_NAME) serverName = parseServerNameExtension(data);
    else if (type === EXTENSION_ALPN) alpn = parseAlpnExtension(data);
  }
  return { serverName, alpn };
}

function parseServerNameExtension(data: Reader): string {
  const list = data.sub(data.u16(), "server name list");
  data.end();
  if (list.remaining === 0) fail("server name list is empty");
  let hostName: string | null = null;
  while (list.remaining > 0) {
    const nameType = list.u8();
    const name = list.bytes(list.u16(), "server name");
    // Other name types are reserved for future use; skip rather than reject them.
    if (nameType !== NAME_TYPE_HOST_NAME) continue;
    // RFC 6066 §3: at most one name per type; picking one of several would route blindly.
    if (hostName !== null) {
      fail("server name list has more than one host_name", AlertDescription.illegal_parameter);
    }
    hostName = normalizeServerName(name);
  }
  if (hostName === null) fail("server name list has no host_name", AlertDescription.unrecognized_name);
  return hostName;
}

function parseAlpnExtension(data: Reader): string[] {
  const list = data.sub(data.u16(), "ALPN list");
  data.end();
  if (list.remaining === 0) fail("ALPN list is empty");
  const protocols: string[] = [];
  while (list.remaining > 0) {
    const name = list.bytes(list.u8(), "ALPN protocol");
    if (name.length === 0) fail("ALPN protocol name is empty");
    // Protocol names are opaque bytes; a byte-per-char string keeps them lossless.
    protocols.push(String.fromCharCode(...name));
  }
  return protocols;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
// A last label of digits or 0x-hex makes WHATWG URL parsing read the host as IPv4, and no
// real TLD looks like that; RFC 6066 §3 forbids IP literals in SNI.
const NUMERIC_LABEL = /^(\d+|0x[0-9a-f]*)$/;

/**
 * Lowercases and validates a host_name as a DNS name. Rejecting here keeps odd names out of
 * routing tables and logs, so two spellings can never map to different tunnels.
 */
function normalizeServerName(raw: Uint8Array): string {
  if (raw.length === 0) fail("server name is empty", AlertDescription.unrecognized_name);
  let name = "";
  for (const byte of raw) {
    // Non-ASCII must arrive as punycode (RFC 6066 §3); uppercase A–Z folds to lowercase.
    if (byte > 0x7e || byte < 0x21) {
      fail(
        `server name ${quote(raw)} has byte 0x${byte.toString(16).padStart(2, "0")}`,
        AlertDescription.unrecognized_name,
      );
    }
    name += String.fromCharCode(byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte);
  }
  if (name.length > 253) {
    fail(`server name ${quote(raw)} is longer than 253`, AlertDescription.unrecognized_name);
  }
  const labels = name.split(".");
  for (const label of labels) {
    if (!LABEL.test(label)) {
      fail(`server name ${JSON.stringify(name)} is not a DNS name`, AlertDescription.unrecognized_name);
    }
  }
  if (NUMERIC_LABEL.test(labels[labels.length - 1]!)) {
    fail(`server name ${JSON.stringify(name)} is an IP address`, AlertDescription.unrecognized_name);
  }
  return name;
}

function quote(raw: Uint8Array): string {
  // Cap and escape the offending value so a hostile name cannot flood or forge log lines.
  const text = String.fromCharCode(...raw.subarray(0, 64));
  return JSON.stringify(raw.length > 64 ? `${text}…` : text);
}

function hex16(major: number, minor: number): string {
  return `0x${((major << 8) | minor).toString(16).padStart(4, "0")}`;
}

/** Bounds-checked cursor; every overrun inside a complete hello is a decode_error. */
class Reader {
  #at = 0;
  constructor(readonly view: Uint8Array, readonly what: string) {}

  get remaining(): number {
    return this.view.length - this.#at;
  }

  #take(n: number, what: string): number {
    if (n > this.remaining) fail(`${what} needs ${n} bytes but ${this.remaining} remain`);
    const at = this.#at;
    this.#at += n;
    return at;
  }

  u8(): number {
    return this.view[this.#take(1, this.what)]!;
  }

  u16(): number {
    const at = this.#take(2, this.what);
    return (this.view[at]! << 8) | this.view[at + 1]!;
  }

  skip(n: number): void {
    this.#take(n, this.what);
  }

  bytes(n: number, what: string): Uint8Array {
    const at = this.#take(n, what);
    return this.view.subarray(at, at + n);
  }

  sub(n: number, what: string): Reader {
    return new Reader(this.bytes(n, what), what);
  }

  /** Length-prefixed vectors must fill their container exactly. */
  end(): void {
    if (this.remaining !== 0) fail(`${this.what} has ${this.remaining} trailing bytes`);
  }
}
