/**
 * yamux wire format (hashicorp/yamux spec.md): a 12-byte big-endian header
 * `version u8 | type u8 | flags u16 | stream id u32 | length u32`. For Data frames `length`
 * counts the payload that follows; for WindowUpdate it is the window delta, for Ping the
 * opaque value, for GoAway the error code.
 * @module
 */

export const HEADER_SIZE = 12;
export const PROTOCOL_VERSION = 0;

export const FrameType = { Data: 0, WindowUpdate: 1, Ping: 2, GoAway: 3 } as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const Flag = { SYN: 1, ACK: 2, FIN: 4, RST: 8 } as const;

export const GoAwayCode = { Normal: 0, ProtocolError: 1, InternalError: 2 } as const;
export type GoAwayCode = (typeof GoAwayCode)[keyof typeof GoAwayCode];

/** The window every stream starts with, on both sides, by the spec. */
export const INITIAL_WINDOW = 256 * 1024;

export interface FrameHeader {
  version: number;
  type: number;
  flags: number;
  streamId: number;
  length: number;
}

/** Writes a header at `offset` of `buf` (which must have 12 bytes there); no allocation. */
export function encodeHeader(
  buf: Uint8Array,
  offset: number,
  type: number,
  flags: number,
  streamId: number,
  length: number,
): void {
  buf[offset] = PROTOCOL_VERSION;
  buf[offset + 1] = type;
  buf[offset + 2] = flags >>> 8;
  buf[offset + 3] = flags & 0xff;
  buf[offset + 4] = streamId >>> 24;
  buf[offset + 5] = (streamId >>> 16) & 0xff;
  buf[offset + 6] = (streamId >>> 8) & 0xff;
  buf[offset + 7] = streamId & 0xff;
  buf[offset + 8] = length >>> 24;
  buf[offset + 9] = (length >>> 16) & 0xff;
  buf[offset + 10] = (length >>> 8) & 0xff;
  buf[offset + 11] = length & 0xff;
}

/** Reads the header at `offset` of `buf` without validating it (see `FrameDecoder`). */
export function decodeHeader(buf: Uint8Array, offset = 0): FrameHeader {
  return {
    version: buf[offset],
    type: buf[offset + 1],
    flags: (buf[offset + 2] << 8) | buf[offset + 3],
    streamId: readU32(buf, offset + 4),
    length: readU32(buf, offset + 8),
  };
}

export function readU32(buf: Uint8Array, offset: number): number {
  return ((buf[offset] << 24) | (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]) >>> 0;
}
