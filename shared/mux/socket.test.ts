import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { attachSocket, splice, type SpliceSocket } from "./socket.ts";
import { concat, pattern, readAll, sessionPair, waitFor } from "./_testing.ts";

/** A fake socket that takes at most `room` bytes until `drainAll()`. */
function fakeSocket({ pausable = true, room = Infinity } = {}) {
  const written: Uint8Array[] = [];
  const state = { room, paused: false, ended: false, halfClosed: false, terminated: false };
  const sock: SpliceSocket & { written: Uint8Array[]; state: typeof state } = {
    written,
    state,
    write(d) {
      if (state.ended) return -1;
      const n = Math.min(d.length, state.room);
      state.room -= n;
      written.push(d.slice(0, n));
      return n;
    },
    end: () => void (state.ended = true),
    // Only the write half: `shutdown(true)` would stop Bun receiving instead.
    shutdown: (readSide?: boolean) => void (readSide ? (state.terminated = true) : (state.halfClosed = true)),
    terminate: () => void (state.terminated = state.ended = true),
    ...(pausable
      ? { pause: () => void (state.paused = true), resume: () => void (state.paused = false) }
      : {}),
  };
  return sock;
}

describe("attachSocket", () => {
  it("runs a session over socket-like objects joined by hand", async () => {
    // Each side's socket writes into the other side, which exists only after both are made.
    // deno-lint-ignore prefer-const
    let a!: ReturnType<typeof attachSocket>;
    // deno-lint-ignore prefer-const
    let b!: ReturnType<typeof attachSocket>;
    const sa = { write: (d: Uint8Array) => (b.data(d.slice()), d.length), end: () => b.close() };
    const sb = { write: (d: Uint8Array) => (a.data(d.slice()), d.length), end: () => a.close() };
    a = attachSocket(sa, { client: true, keepaliveInterval: 0 });
    b = attachSocket(sb, { client: false, keepaliveInterval: 0 });
    const s = await a.session.open();
    await s.write(new Uint8Array([1, 2, 3]));
    s.closeWrite();
    const t = (await b.session.accept())!;
    assert.deepEqual([...await readAll(t)], [1, 2, 3]);
    await a.session.close();
    await b.session.closed;
    assert.equal(b.session.closeReason?.name, "SessionClosedError");
  });
});

describe("splice", () => {
  it("pipes both ways with backpressure, pausing the socket and the stream", async () => {
    const { client, server } = sessionPair({ client: { writeHighWaterMark: 64 * 1024 } });
    const local = await client.open();
    const remote = (await server.accept())!;
    const sock = fakeSocket({ room: 100_000 });
    let closed: Error | undefined | null = null;
    const ev = splice(local, sock, { onClose: (e) => (closed = e) });

    // stream → socket: the socket takes 100 000 bytes, then the stream is paused.
    const down = pattern(600_000, 3);
    const w = remote.write(down).then(() => remote.closeWrite());
    await waitFor(() => local.paused, "stream to pause on a full socket");
    sock.state.room = Infinity;
    ev.drain();
    await w;
    await waitFor(() => sock.state.ended, "socket end after FIN");
    assert.deepEqual(concat(sock.written), down);

    // socket → stream: above the high-water mark the socket is paused until the stream drains.
    const up = pattern(500_000, 4);
    for (let o = 0; o < up.length; o += 50_000) ev.data(up.subarray(o, o + 50_000));
    assert.equal(sock.state.paused, true);
    const got = readAll(remote);
    await waitFor(() => !sock.state.paused, "socket to resume");
    ev.end();
    assert.deepEqual(await got, up);
    await waitFor(() => closed !== null, "splice to finish");
    assert.equal(closed, undefined);
    await client.close();
  });

  it("without pause(), resets the stream when more than maxBuffered bytes wait", async () => {
    const { client, server } = sessionPair({ client: { writeHighWaterMark: 1000 } });
    const local = await client.open();
    await server.accept();
    const sock = fakeSocket({ pausable: false });
    let err: Error | undefined;
    const ev = splice(local, sock, { maxBuffered: 300_000, onClose: (e) => (err = e) });
    for (let i = 0; i < 10; i++) ev.data(new Uint8Array(100_000));
    assert.equal(err?.name, "LimitError");
    assert.match(err!.message, /^Cannot splice: \d+ bytes wait for stream 1 \(limit 300000\)$/);
    assert.equal(sock.state.terminated, true);
    await client.close();
  });

  it("a refused write ends only the stream → socket direction: the socket's answer still goes up", async () => {
    // A Unix-socket peer that answered and closed refuses our next write (EPIPE) while its
    // answer still waits to be read: the stream must not be reset (issue #22).
    const { client, server } = sessionPair();
    const local = await client.open();
    const remote = (await server.accept())!;
    const sock = fakeSocket();
    let closed: Error | undefined | null = null;
    const ev = splice(local, sock, { halfClose: true, onClose: (e) => (closed = e) });
    await remote.write(new Uint8Array([1, 2]));
    await waitFor(() => sock.written.length === 1, "the first bytes to reach the socket");
    sock.state.ended = true; // the peer closed: writes now answer -1
    await remote.write(pattern(300_000, 5)); // more than a window: dropped, the window stays open
    remote.closeWrite();
    const got = readAll(remote);
    ev.data(new Uint8Array([7, 8, 9]));
    ev.close(); // a clean close: the end of the socket's input
    assert.deepEqual([...await got], [7, 8, 9]);
    await waitFor(() => closed !== null, "splice to finish");
    assert.equal(closed, undefined);
    assert.equal(sock.state.terminated, false);
    await client.close();
  });

  it("half-closes the socket with shutdown() (write half only) when asked", async () => {
    const { client, server } = sessionPair();
    const local = await client.open();
    const remote = (await server.accept())!;
    const sock = fakeSocket();
    splice(local, sock, { halfClose: true });
    remote.closeWrite();
    await waitFor(() => sock.state.halfClosed, "half-close");
    assert.equal(sock.state.ended, false);
    await client.close();
  });
});
