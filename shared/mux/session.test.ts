import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Flag, FrameType, GoAwayCode, INITIAL_WINDOW } from "./frame.ts";
import { Session } from "./session.ts";
import type { Stream } from "./stream.ts";
import { pattern, rawSession, readAll, sessionPair, tick, waitFor } from "./_testing.ts";

const WU = FrameType.WindowUpdate;

describe("handshake and frames", () => {
  it("open sends WindowUpdate SYN with odd ids from a client; accept answers ACK", async () => {
    const c = rawSession({ client: true });
    const a = await c.session.open();
    const b = await c.session.open();
    assert.deepEqual([a.id, b.id], [1, 3]);
    assert.deepEqual(await c.frames(), [
      { type: WU, flags: Flag.SYN, id: 1, value: 0 },
      { type: WU, flags: Flag.SYN, id: 3, value: 0 },
    ]);
    const s = rawSession({ client: false });
    s.feed({ type: WU, flags: Flag.SYN, id: 1, value: 0 });
    assert.deepEqual(await s.frames(), [], "no ACK before accept");
    const st = await s.session.accept();
    assert.equal(st?.id, 1);
    assert.deepEqual(await s.frames(), [{ type: WU, flags: Flag.ACK, id: 1, value: 0 }]);
    const mine = await s.session.open();
    assert.equal(mine.id, 2, "servers open even ids");
    await c.session.close();
    await s.session.close();
  });

  it("FIN travels in a zero-length Data frame of its own, after the last data (as hashicorp sends it)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 5 }),
        async (sizes) => {
          const c = rawSession({ client: true });
          const st = await c.session.open();
          // Writes and the half-close queued together: the old sender folded FIN into the last data frame.
          const writes = sizes.map((n, i) => st.write(pattern(n, i)));
          st.closeWrite();
          await Promise.all(writes);
          const data = (await c.frames()).filter((f) => f.type === FrameType.Data);
          const fins = data.filter((f) => f.flags & Flag.FIN);
          assert.equal(fins.length, 1);
          assert.equal(fins[0]!.payload?.length ?? 0, 0, "FIN frame carries no data");
          assert.equal(data.at(-1), fins[0], "FIN comes last");
          assert.equal(
            data.reduce((n, f) => n + (f.payload?.length ?? 0), 0),
            sizes.reduce((a, b) => a + b, 0),
          );
          await c.session.close();
        },
      ),
      { numRuns: 50 },
    );
  });

  it("a Data frame with SYN opens a stream and its payload is readable", async () => {
    const s = rawSession({ client: false });
    s.feed({ type: 0, flags: Flag.SYN, id: 5, value: 0, payload: new Uint8Array([1, 2]) });
    s.feed({ type: 0, flags: Flag.FIN, id: 5, value: 0, payload: new Uint8Array([3]) });
    const st = (await s.session.accept())!;
    assert.deepEqual([...await readAll(st)], [1, 2, 3]);
    await s.session.close();
  });

  it("answers a ping with an ACK carrying the same value, and measures its own", async () => {
    const s = rawSession({ client: false });
    s.feed({ type: FrameType.Ping, flags: Flag.SYN, id: 0, value: 77 });
    assert.deepEqual(await s.frames(), [{ type: FrameType.Ping, flags: Flag.ACK, id: 0, value: 77 }]);
    const rtt = s.session.ping();
    const [f] = await s.frames();
    assert.equal(f.type, FrameType.Ping);
    assert.equal(f.flags, Flag.SYN);
    s.feed({ type: FrameType.Ping, flags: Flag.ACK, id: 0, value: f.value });
    assert.ok((await rtt) >= 0);
    assert.ok(s.session.stats().rttMs! >= 0);
    await s.session.close();
  });

  it("drains and ignores data for an unknown stream", async () => {
    const s = rawSession({ client: false });
    s.feed({ type: 0, flags: 0, id: 9, value: 0, payload: new Uint8Array(1000) });
    s.feed({ type: WU, flags: 0, id: 9, value: 5 });
    s.feed({ type: 0, flags: Flag.SYN, id: 11, value: 0, payload: new Uint8Array([42]) });
    const st = (await s.session.accept())!;
    assert.equal(st.id, 11);
    assert.deepEqual([...(await st.read())!], [42]);
    assert.equal(s.session.isClosed, false);
    await s.session.close();
  });

  it("closes with GoAway(protocol error) on a window overrun", async () => {
    const s = rawSession({ client: false });
    s.feed({ type: 0, flags: Flag.SYN, id: 1, value: 0, payload: new Uint8Array(INITIAL_WINDOW) });
    assert.equal(s.session.isClosed, false, "exactly the window is fine");
    s.feed({ type: 0, flags: 0, id: 1, value: 0, payload: new Uint8Array(1) });
    await s.session.closed;
    assert.equal(s.session.closeReason?.name, "ProtocolError");
    const frames = await s.frames();
    assert.deepEqual(frames.at(-1), {
      type: FrameType.GoAway,
      flags: 0,
      id: 0,
      value: GoAwayCode.ProtocolError,
    });
    assert.ok(s.transportClosed);
  });

  it("closes with GoAway(protocol error) on a duplicate SYN", async () => {
    const s = rawSession({ client: false });
    s.feed({ type: WU, flags: Flag.SYN, id: 1, value: 0 });
    s.feed({ type: WU, flags: Flag.SYN, id: 1, value: 0 });
    await s.session.closed;
    assert.match(s.session.closeReason!.message, /duplicate SYN/);
    assert.deepEqual((await s.frames()).at(-1)?.value, GoAwayCode.ProtocolError);
  });

  it("closes on a bad version without throwing to the caller", async () => {
    const s = rawSession({ client: false });
    s.session.receive(new Uint8Array([9, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]));
    await s.session.closed;
    assert.equal(s.session.closeReason?.name, "ProtocolError");
  });

  it("closes when the peer sends GoAway with an error code", async () => {
    const s = rawSession({ client: true });
    s.feed({ type: FrameType.GoAway, flags: 0, id: 0, value: GoAwayCode.InternalError });
    await s.session.closed;
    assert.equal(s.session.closeReason?.name, "GoAwayError");
  });

  it("after a normal GoAway from the peer, open() rejects", async () => {
    const s = rawSession({ client: true });
    s.feed({ type: FrameType.GoAway, flags: 0, id: 0, value: GoAwayCode.Normal });
    await assert.rejects(s.session.open(), {
      name: "GoAwayError",
      message: "Cannot open stream: peer sent GoAway",
    });
    await s.session.close();
  });

  it("sends a WindowUpdate only once half the window was consumed", async () => {
    const s = rawSession({ client: false, autoTuneWindow: false });
    s.feed({ type: WU, flags: Flag.SYN, id: 1, value: 0 });
    const st = (await s.session.accept())!;
    await s.frames();
    const k = 16 * 1024;
    for (let i = 0; i < 16; i++) s.feed({ type: 0, flags: 0, id: 1, value: 0, payload: new Uint8Array(k) });
    for (let i = 0; i < 7; i++) await st.read();
    assert.deepEqual(await s.frames(), [], "7/16 of the window consumed: no update");
    await st.read();
    assert.deepEqual(await s.frames(), [{ type: WU, flags: 0, id: 1, value: 8 * k }]);
    await s.session.close();
  });

  it("writes wait for the send window instead of buffering without bound", async () => {
    const c = rawSession({ client: true });
    const st = await c.session.open();
    let done = false;
    const w = st.write(new Uint8Array(INITIAL_WINDOW + 1000)).then(() => (done = true));
    const frames = await c.frames();
    const sent = frames.filter((f) => f.type === 0).reduce((n, f) => n + f.value, 0);
    assert.equal(sent, INITIAL_WINDOW);
    assert.equal(done, false);
    assert.equal(st.sendWindow, 0);
    c.feed({ type: WU, flags: Flag.ACK, id: 1, value: 1000 });
    await w;
    const more = await c.frames();
    assert.equal(more.filter((f) => f.type === 0).reduce((n, f) => n + f.value, 0), 1000);
    await c.session.close();
  });

  it("respects transport backpressure and resumes on drain", async () => {
    let budget = 100;
    const written: number[] = [];
    const s = new Session({
      client: true,
      keepaliveInterval: 0,
      write: (b) => {
        const n = Math.min(b.length, budget);
        budget -= n;
        written.push(n);
        return n;
      },
      close() {},
    });
    const st = s.openSync();
    const w = st.write(new Uint8Array(5000));
    await tick();
    assert.equal(s.stats().bytesOut, 100);
    budget = 1 << 20;
    s.onTransportDrain();
    await w;
    assert.equal(s.stats().bytesOut, 12 + 12 + 5000);
    await s.close();
  });
});

describe("streams between two sessions", () => {
  it("moves data both ways, byte-exact, with half-close in each direction", async () => {
    const { client, server } = sessionPair({ capacity: 64 * 1024 });
    const a = await client.open();
    const data = pattern(1_000_000, 1);
    const w = a.write(data).then(() => a.closeWrite());
    const b = (await server.accept())!;
    assert.deepEqual(await readAll(b), data, "client → server, then FIN");
    await w;
    // The server can still write after the client's FIN (half-close).
    const back = pattern(300_000, 2);
    const w2 = b.write(back).then(() => b.closeWrite());
    assert.deepEqual(await readAll(a), back, "server → client after the client half-closed");
    await w2;
    await waitFor(() => client.numStreams === 0 && server.numStreams === 0, "streams to be forgotten");
    await client.close();
    await server.closed;
  });

  it("the server may half-close first while the client keeps writing", async () => {
    const { client, server } = sessionPair();
    const a = await client.open();
    await a.write(new Uint8Array([1]));
    const b = (await server.accept())!;
    b.closeWrite();
    assert.equal(await a.read(), null, "client sees EOF");
    await a.write(new Uint8Array([2, 3]));
    a.closeWrite();
    assert.deepEqual([...await readAll(b)], [1, 2, 3]);
    await client.close();
  });

  it("reset rejects pending operations on both sides and frees the stream", async () => {
    const { client, server } = sessionPair();
    const a = await client.open();
    await a.write(new Uint8Array(10));
    const b = (await server.accept())!;
    const pendingRead = a.read();
    b.reset();
    await assert.rejects(b.write(new Uint8Array(1)), {
      name: "StreamResetError",
      message: "Stream 1 was reset locally",
    });
    await assert.rejects(pendingRead, {
      name: "StreamResetError",
      message: "Stream 1 was reset by the peer",
    });
    await assert.rejects(a.write(new Uint8Array(1)), { name: "StreamResetError" });
    await waitFor(() => client.numStreams === 0 && server.numStreams === 0, "streams to be freed");
    await client.close();
  });

  it("push mode delivers chunks, pause() shuts the window, resume() re-opens it", async () => {
    const { client, server } = sessionPair({ server: { autoTuneWindow: false } });
    const a = await client.open();
    const b = (await server.accept())!;
    let got = 0;
    let ended = false;
    b.onData({ data: (c) => (got += c.length), end: () => (ended = true) });
    b.pause();
    const total = INITIAL_WINDOW * 3;
    const w = a.write(new Uint8Array(total)).then(() => a.closeWrite());
    await waitFor(() => a.sendWindow === 0, "sender to exhaust the window");
    await tick(20);
    assert.equal(got, 0);
    assert.equal(b.bufferedReceive, INITIAL_WINDOW, "the paused stream holds exactly one window");
    b.resume();
    await w;
    await waitFor(() => ended, "end");
    assert.equal(got, total);
    await client.close();
  });

  it("push() reports the high-water mark and onDrain fires", async () => {
    const { client, server } = sessionPair({ client: { writeHighWaterMark: 1000 } });
    const a = await client.open();
    assert.equal(a.push(new Uint8Array(500)), true);
    assert.equal(a.push(new Uint8Array(600)), false);
    let drained = false;
    a.onDrain(() => (drained = true));
    await waitFor(() => drained, "drain");
    const b = (await server.accept())!;
    a.closeWrite();
    assert.equal((await readAll(b)).length, 1100);
    await client.close();
  });

  it("a stream whose reader stops does not slow the other streams", async () => {
    const { client, server } = sessionPair({ capacity: 32 * 1024 });
    const stalled = await client.open();
    const stalledWrite = stalled.write(new Uint8Array(4 * INITIAL_WINDOW)); // never fully sent
    const others: Stream[] = [];
    for (let i = 0; i < 4; i++) others.push(await client.open());
    const size = 2 * 1024 * 1024;
    const writes = others.map((s, i) => s.write(pattern(size, i + 10)).then(() => s.closeWrite()));
    const accepted: Stream[] = [];
    for (let i = 0; i < 5; i++) accepted.push((await server.accept())!);
    // accepted[0] is the stalled stream: nobody reads it.
    const results = await Promise.all(accepted.slice(1).map((s) => readAll(s)));
    await Promise.all(writes);
    results.forEach((r, i) => assert.deepEqual(r, pattern(size, i + 10)));
    assert.equal(accepted[0].bufferedReceive, INITIAL_WINDOW, "the stalled stream is held at its window");
    let settled = false;
    stalledWrite.then(() => (settled = true), () => (settled = true));
    await tick(10);
    assert.equal(settled, false);
    await client.close();
    await assert.rejects(stalledWrite, { name: "SessionClosedError" });
  });

  it("onGoAway tells the peer once, so it can move elsewhere", async () => {
    let told = 0;
    const { client, server } = sessionPair({ client: { onGoAway: () => told++ } });
    void server.goAway();
    await waitFor(() => told === 1, "client's onGoAway");
    void server.goAway();
    await tick(10);
    assert.equal(told, 1);
    await client.close();
  });

  it("graceful GoAway drain: no new streams, open ones finish, then close", async () => {
    const { client, server } = sessionPair();
    const a = await client.open();
    await a.write(new Uint8Array([1]));
    const b = (await server.accept())!;
    const drained = server.goAway();
    await assert.rejects(server.open(), {
      name: "SessionClosedError",
      message: "Cannot open stream: session is going away",
    });
    await waitFor(() => client.stats().streams === 1, "client");
    // The client learns about the GoAway and stops opening.
    await waitFor(() => {
      try {
        client.openSync().reset();
        return false;
      } catch (e) {
        return (e as Error).name === "GoAwayError";
      }
    }, "client to see GoAway");
    let closed = false;
    drained.then(() => (closed = true));
    await b.write(new Uint8Array([2]));
    b.closeWrite();
    await tick(10);
    assert.equal(closed, false, "an open stream keeps the session up");
    assert.deepEqual([...await readAll(a)], [2]);
    a.closeWrite();
    await drained;
    assert.equal(server.closeReason, undefined);
    await client.closed;
  });

  it("keepalive ping timeout closes a dead session", async () => {
    const { client, server, cut } = sessionPair({ client: { keepaliveInterval: 20, pingTimeout: 50 } });
    const a = await client.open();
    await client.ping();
    cut();
    await client.closed;
    assert.equal(client.closeReason?.name, "TimeoutError");
    assert.match(client.closeReason!.message, /^Ping failed: no reply within 50 ms$/);
    await assert.rejects(a.read(), { name: "SessionClosedError" });
    await server.close();
  });

  it("reads after the session closed return buffered bytes, then reject", async () => {
    const { client, server } = sessionPair();
    const a = await client.open();
    await a.write(new Uint8Array([7]));
    const b = (await server.accept())!;
    await waitFor(() => b.bufferedReceive === 1, "data");
    await server.close();
    assert.deepEqual([...(await b.read())!], [7]);
    await assert.rejects(b.read(), { name: "SessionClosedError" });
    await client.closed;
  });

  it("auto-tuning grows the receive window on a delayed link, within the stream limit", async () => {
    const { client, server } = sessionPair({
      delayMs: 5,
      capacity: 64 * 1024 * 1024,
      server: { maxStreamWindow: 4 * 1024 * 1024 },
    });
    const a = await client.open();
    const w = a.write(new Uint8Array(24 * 1024 * 1024)).then(() => a.closeWrite());
    const b = (await server.accept())!;
    let max = 0;
    b.onData({ data: () => (max = Math.max(max, b.receiveWindow)) });
    await w;
    await waitFor(() => server.numStreams === 0 || b.bufferedReceive === 0, "reads");
    assert.ok(max > INITIAL_WINDOW, `window grew (max ${max})`);
    assert.ok(max <= 4 * 1024 * 1024, `window bounded (max ${max})`);
    await client.close();
  });
});

describe("limits", () => {
  it("open() beyond maxStreams rejects with a LimitError", async () => {
    const { client } = sessionPair({ client: { maxStreams: 2 } });
    await client.open();
    await client.open();
    await assert.rejects(client.open(), {
      name: "LimitError",
      message: "Cannot open stream: session has 2 streams (limit 2)",
    });
    await client.close();
  });

  it("incoming streams beyond maxStreams are reset", async () => {
    const s = rawSession({ client: false, maxStreams: 1 });
    s.feed({ type: WU, flags: Flag.SYN, id: 1, value: 0 });
    s.feed({ type: WU, flags: Flag.SYN, id: 3, value: 0 });
    assert.deepEqual(await s.frames(), [{ type: WU, flags: Flag.RST, id: 3, value: 0 }]);
    await s.session.close();
  });

  it("incoming streams beyond the accept backlog are reset, seen as resets by the opener", async () => {
    const { client, server } = sessionPair({ server: { acceptBacklog: 2 } });
    const streams = [await client.open(), await client.open(), await client.open()];
    const reads = streams.map((s) => s.read().then(() => "ok", (e: Error) => e.name));
    await waitFor(() => client.numStreams === 2, "the third stream to be reset");
    assert.equal(await reads[2], "StreamResetError");
    assert.equal(server.stats().pendingAccept, 2);
    await client.close();
  });

  it("write beyond maxStreamWriteQueue rejects with a LimitError", async () => {
    const { client } = sessionPair({ client: { maxStreamWriteQueue: 1000 } });
    const a = await client.open();
    const fill = a.write(new Uint8Array(INITIAL_WINDOW)).catch(() => {}); // fills the window
    await tick();
    const queued = a.write(new Uint8Array(800)).catch(() => {});
    await assert.rejects(a.write(new Uint8Array(800)), {
      name: "LimitError",
      message: "Cannot write: stream 1 has 800 bytes queued (limit 1000)",
    });
    await client.close();
    await Promise.all([fill, queued]);
  });

  it("writing after closeWrite() rejects with StreamClosedError", async () => {
    const { client } = sessionPair();
    const a = await client.open();
    a.closeWrite();
    await assert.rejects(a.write(new Uint8Array(1)), {
      name: "StreamClosedError",
      message: "Cannot write: stream 1 is closed for writing",
    });
    await client.close();
  });

  it("too many pending control frames close the session with a LimitError", async () => {
    const s = rawSession({ client: false, maxControlBuffer: 12 * 128, accept: 0 });
    for (let i = 0; i < 200; i++) s.feed({ type: FrameType.Ping, flags: Flag.SYN, id: 0, value: i });
    await s.session.closed;
    assert.equal(s.session.closeReason?.name, "LimitError");
    assert.match(
      s.session.closeReason!.message,
      /^Cannot queue frame: \d+ bytes of control frames pending \(limit 1536\)$/,
    );
  });

  it("unread bytes beyond maxSessionReceiveBuffer refuse new streams", async () => {
    const s = rawSession({ client: false, maxSessionReceiveBuffer: 1000 });
    s.feed({ type: 0, flags: Flag.SYN, id: 1, value: 0, payload: new Uint8Array(1000) });
    s.feed({ type: WU, flags: Flag.SYN, id: 3, value: 0 });
    assert.deepEqual(await s.frames(), [{ type: WU, flags: Flag.RST, id: 3, value: 0 }]);
    await assert.rejects(s.session.open(), {
      name: "LimitError",
      message: "Cannot open stream: session buffers 1000 received bytes (limit 1000)",
    });
    await s.session.close();
  });

  it("property: random bytes never throw from receive() and buffers stay within limits", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 64 }),
            fc.record({
              type: fc.integer({ min: 0, max: 3 }),
              flags: fc.integer({ min: 0, max: 15 }),
              id: fc.integer({ min: 0, max: 8 }),
              len: fc.integer({ min: 0, max: 70_000 }),
            }).map(({ type, flags, id, len }) => {
              const b = new Uint8Array(12 + (type === 0 ? Math.min(len, 2000) : 0));
              new DataView(b.buffer).setUint8(1, type);
              new DataView(b.buffer).setUint16(2, flags);
              new DataView(b.buffer).setUint32(4, id);
              new DataView(b.buffer).setUint32(8, type === 0 ? Math.min(len, 2000) : len);
              return b;
            }),
          ),
          { maxLength: 40 },
        ),
        async (chunks) => {
          const s = rawSession({ client: false, maxStreams: 4, acceptBacklog: 2, maxControlBuffer: 4096 });
          for (const c of chunks) s.session.receive(c);
          const st = s.session.stats();
          assert.ok(st.streams <= 4);
          assert.ok(st.pendingAccept <= 2);
          assert.ok(st.receiveBuffered <= 4 * INITIAL_WINDOW);
          await s.session.close();
        },
      ),
      { numRuns: 300 },
    );
  });
});
