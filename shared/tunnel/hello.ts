/**
 * The tunnel hello exchange (see edge/relay/PROTOCOL.md): after TLS with ALPN `hearth-tunnel/1`,
 * the user server sends one hello message and the relay answers with one reply; then both sides
 * speak yamux. Each message is a 4-byte big-endian length followed by that many bytes of UTF-8
 * JSON, at most 4 KiB.
 */

export const TUNNEL_PROTOCOL_VERSION = 1;
export const MAX_HELLO_MESSAGE = 4096;

export interface TunnelHello {
  version: number;
  serverId: string;
  nonce: string;
  totp: string;
  /** Asks the relay to begin each stream with the browser's address (shared/tunnel/source_header.ts). */
  sourceHeader?: boolean;
}

export interface TunnelLimits {
  maxStreams: number;
  maxStreamWindow: number;
  keepaliveIntervalMs: number;
}

export type TunnelReply =
  | {
    ok: true;
    relayId: string;
    serverName: string;
    limits: TunnelLimits;
    /** True when every stream of this tunnel begins with a source header (the hello asked for it). */
    sourceHeader?: boolean;
  }
  | { ok: false; code: TunnelErrorCode; message: string };

/** Why a relay refused a hello. */
export type TunnelErrorCode =
  | "bad_hello" // malformed message or unsupported version
  | "attach_refused" // nonce or TOTP rejected by RegCloud
  | "throttled" // too many failed attaches
  | "relay_full" // the relay's tunnel limit is reached
  | "unavailable" // RegCloud could not be asked
  | "server_suspended" // an operator suspended the server (PROTOCOL.md §10)
  | "server_deregistered"; // an operator deregistered it

export class TunnelProtocolError extends Error {
  override name = "TunnelProtocolError";
}

export function encodeMessage(message: unknown): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(message));
  if (body.length > MAX_HELLO_MESSAGE) {
    throw new TunnelProtocolError(`Tunnel message is ${body.length} bytes (limit ${MAX_HELLO_MESSAGE})`);
  }
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

/**
 * Reads one message from the front of `buffered`. Returns `undefined` while more bytes are
 * needed, else the parsed JSON and how many bytes it used (the rest belongs to yamux).
 */
export function decodeMessage(buffered: Uint8Array): { value: unknown; used: number } | undefined {
  if (buffered.length < 4) return undefined;
  const length = new DataView(buffered.buffer, buffered.byteOffset, 4).getUint32(0);
  if (length > MAX_HELLO_MESSAGE) {
    throw new TunnelProtocolError(`Tunnel message length is ${length} (limit ${MAX_HELLO_MESSAGE})`);
  }
  if (buffered.length < 4 + length) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(buffered.subarray(4, 4 + length)));
  } catch (cause) {
    throw new TunnelProtocolError("Tunnel message is not UTF-8 JSON", { cause });
  }
  return { value, used: 4 + length };
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Random bytes in an attach nonce; RegCloud issues them base64url-encoded (32 characters). */
export const NONCE_BYTES = 24;
const ISSUED_NONCE = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((NONCE_BYTES * 4) / 3)}}$`);
const ISSUED_SERVER_ID = /^srv_[A-Za-z0-9_-]{1,64}$/;

/**
 * Whether a well-formed hello could carry credentials RegCloud issued: a `srv_` server id and a
 * nonce of exactly the issued length. A relay checks this before it asks RegCloud, so junk costs
 * the cloud nothing. Stricter than `parseHello`, which only checks the wire shape.
 */
export function hasIssuedShape(hello: TunnelHello): boolean {
  return ISSUED_SERVER_ID.test(hello.serverId) && ISSUED_NONCE.test(hello.nonce);
}

/** Validates a decoded hello; throws `TunnelProtocolError` naming the first bad field. */
export function parseHello(value: unknown): TunnelHello {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TunnelProtocolError("Tunnel hello is not an object");
  }
  const v = value as Record<string, unknown>;
  if (v.version !== TUNNEL_PROTOCOL_VERSION) {
    throw new TunnelProtocolError(
      `Tunnel hello version ${JSON.stringify(v.version)} is not supported (expected 1)`,
    );
  }
  for (const key of ["serverId", "nonce"] as const) {
    if (typeof v[key] !== "string" || !ID.test(v[key] as string)) {
      throw new TunnelProtocolError(`Tunnel hello field "${key}" is missing or malformed`);
    }
  }
  if (typeof v.totp !== "string" || !/^[0-9]{6}$/.test(v.totp)) {
    throw new TunnelProtocolError('Tunnel hello field "totp" must be 6 digits');
  }
  if (v.sourceHeader !== undefined && typeof v.sourceHeader !== "boolean") {
    throw new TunnelProtocolError('Tunnel hello field "sourceHeader" must be true or false');
  }
  return {
    version: 1,
    serverId: v.serverId as string,
    nonce: v.nonce as string,
    totp: v.totp,
    ...(v.sourceHeader ? { sourceHeader: true } : {}),
  };
}

export function parseReply(value: unknown): TunnelReply {
  if (typeof value !== "object" || value === null) {
    throw new TunnelProtocolError("Tunnel reply is not an object");
  }
  const v = value as Record<string, unknown>;
  if (v.ok === true && typeof v.relayId === "string" && typeof v.serverName === "string" && v.limits) {
    return v as unknown as TunnelReply;
  }
  if (v.ok === false && typeof v.code === "string" && typeof v.message === "string") {
    return v as unknown as TunnelReply;
  }
  throw new TunnelProtocolError("Tunnel reply is malformed");
}
