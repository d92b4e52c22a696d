import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeHeader, encodeHeader, Flag, FrameType, GoAwayCode, HEADER_SIZE } from "./frame.ts";
import { FrameDecoder } from "./decoder.ts";
import { ProtocolError } from "./errors.ts";
import { concat, encodeFrame, type RawFrame } from "./_testing.ts";

describe("frame header", () => {
  const cases: [string, number, number, number, number, number[]][] = [
    ["data syn", FrameType.Data, Flag.SYN, 1, 5, [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5]],
    ["window update ack", FrameType.WindowUpdate, Flag.ACK, 2, 262144, [0, 1, 0, 2, 0, 0, 0, 2, 0, 4, 0, 0]],
    ["data fin", FrameType.Data, Flag.FIN, 0x01020304, 0, [0, 0, 0, 4, 1, 2, 3, 4, 0, 0, 0, 0]],
    ["window update rst", FrameType.WindowUpdate, Flag.RST, 7, 0, [0, 1, 0, 8, 0, 0, 0, 7, 0, 0, 0, 0]],
    ["ping syn", FrameType.Ping, Flag.SYN, 0, 0xdeadbeef, [0, 2, 0, 1, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]],
    ["ping ack", FrameType.Ping, Flag.ACK, 0, 1, [0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1]],
    ["go away normal", FrameType.GoAway, 0, 0, GoAwayCode.Normal, [0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ["go away protocol", FrameType.GoAway, 0, 0, GoAwayCode.ProtocolError, [
      0,
      3,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
    ]],
    ["go away internal", FrameType.GoAway, 0, 0, GoAwayCode.InternalError, [
      0,
      3,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      2,
    ]],
    ["all flags, max values", FrameType.Data, 0xf, 0xffffffff, 0xffffffff, [
      0,
      0,
      0,
      15,
      255,
      255,
      255,
      255,
      255,
      255,
      255,
      255,
    ]],
  ];
  for (const [name, type, flags, id, len, bytes] of cases) {
    it(`encodes and decodes ${name}`, () => {
      const buf = new Uint8Array(HEADER_SIZE + 3);
      encodeHeader(buf, 3, type, flags, id, len);
      assert.deepEqual([...buf.subarray(3)], bytes);
      assert.deepEqual(decodeHeader(buf, 3), { version: 0, type, flags, streamId: id, length: len });
    });
  }
});

type Event = [string, ...number[]] | ["data", number, number, string];

function collect(chunks: Uint8Array[]): { events: Event[]; error?: unknown } {
  const events: Event[] = [];
  let cur: { flags: number; id: number; parts: Uint8Array[] } | undefined;
  const dec = new FrameDecoder({
    dataStart(flags, id) {
      cur = { flags, id, parts: [] };
    },
    data(chunk) {
      cur!.parts.push(chunk.slice());
    },
    dataEnd() {
      events.push(["data", cur!.flags, cur!.id, Array.from(concat(cur!.parts)).join(",")]);
    },
    control(type, flags, id, value) {
      events.push(["control", type, flags, id, value]);
    },
  });
  try {
    for (const c of chunks) dec.push(c);
  } catch (error) {
    return { events, error };
  }
  return { events };
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

const frameArb: fc.Arbitrary<RawFrame> = fc.oneof(
  fc.record({
    type: fc.constant(0),
    flags: fc.integer({ min: 0, max: 15 }),
    id: fc.integer({ min: 0, max: 0xffffffff }),
    value: fc.constant(0),
    payload: fc.uint8Array({ maxLength: 300 }),
  }),
  fc.record({
    type: fc.integer({ min: 1, max: 3 }),
    flags: fc.integer({ min: 0, max: 0xffff }),
    id: fc.integer({ min: 0, max: 0xffffffff }),
    value: fc.integer({ min: 0, max: 0xffffffff }),
  }),
);

describe("FrameDecoder", () => {
  it("decodes every frame type split at every byte boundary", () => {
    const frames: RawFrame[] = [
      { type: 0, flags: Flag.SYN, id: 1, value: 0, payload: new Uint8Array([1, 2, 3]) },
      { type: 0, flags: Flag.FIN, id: 1, value: 0, payload: new Uint8Array(0) },
      { type: 1, flags: Flag.ACK, id: 2, value: 1000 },
      { type: 1, flags: Flag.RST, id: 3, value: 0 },
      { type: 2, flags: Flag.SYN, id: 0, value: 9 },
      { type: 3, flags: 0, id: 0, value: 1 },
    ];
    const bytes = concat(frames.map(encodeFrame));
    const whole = collect([bytes]);
    assert.equal(whole.events.length, 6);
    assert.deepEqual(whole.events[0], ["data", Flag.SYN, 1, "1,2,3"]);
    assert.deepEqual(whole.events[5], ["control", 3, 0, 0, 1]);
    for (let i = 0; i <= bytes.length; i++) {
      assert.deepEqual(collect([bytes.subarray(0, i), bytes.subarray(i)]), whole, `split at ${i}`);
    }
    assert.deepEqual(collect([...bytes].map((b) => new Uint8Array([b]))), whole, "byte by byte");
  });

  it("hands payload over as views of the input, without copying", () => {
    const bytes = encodeFrame({ type: 0, flags: 0, id: 1, value: 0, payload: new Uint8Array(100) });
    const seen: Uint8Array[] = [];
    const dec = new FrameDecoder({
      dataStart() {},
      data: (c) => seen.push(c),
      dataEnd() {},
      control() {},
    });
    dec.push(bytes);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].buffer, bytes.buffer);
    assert.equal(seen[0].byteOffset, HEADER_SIZE);
  });

  it("rejects a bad version or type with ProtocolError and stays failed", () => {
    const v1 = encodeFrame({ type: 2, flags: 1, id: 0, value: 0 });
    v1[0] = 1;
    const r = collect([v1]);
    assert.ok(r.error instanceof ProtocolError);
    assert.equal(r.error.message, "Cannot decode frame: version is 1");
    const t4 = encodeFrame({ type: 2, flags: 1, id: 0, value: 0 });
    t4[1] = 4;
    const dec = new FrameDecoder({ dataStart() {}, data() {}, dataEnd() {}, control() {} });
    assert.throws(() => dec.push(t4), { name: "ProtocolError", message: "Cannot decode frame: type is 4" });
    assert.throws(() => dec.push(new Uint8Array(12)), ProtocolError);
  });

  it("property: random frames re-chunked at random boundaries decode to the same events", () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, cuts) => {
          const bytes = concat(frames.map(encodeFrame));
          const whole = collect([bytes]);
          assert.equal(whole.error, undefined);
          assert.equal(whole.events.length, frames.length);
          assert.deepEqual(collect(split(bytes, cuts)), whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: random and truncated bytes only ever raise ProtocolError", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (bytes, cuts) => {
          const r = collect(split(bytes, cuts));
          if (r.error !== undefined) assert.ok(r.error instanceof ProtocolError, String(r.error));
        },
      ),
      { numRuns: 500 },
    );
  });
});
