/**
 * Half-close end to end at the mux layer, over real loopback sockets: a client sends its
 * request and a TCP FIN (HTTP/1.0 style); the FIN crosses the tunnel as a yamux FIN, the origin
 * sees end of input and still answers, and the client reads the whole answer. The relay and
 * connector sides splice exactly as edge/relay and userserver/connector do, with half-open
 * sockets on both ends.
 */
import { expect, test } from "bun:test";
import { connect } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session, splice, type SpliceEvents } from "../shared/mux/mod.ts";

test("a request followed by FIN crosses the tunnel and still gets its whole answer", async () => {
  // The two ends of one tunnel, joined in memory.
  const ends: Session[] = [];
  const wire = (to: number) => (x: Uint8Array) => {
    const copy = x.slice();
    queueMicrotask(() => ends[to].receive(copy));
    return x.length;
  };
  const a = new Session({ client: true, keepaliveInterval: 0, write: wire(1), close() {} });
  const b = new Session({ client: false, keepaliveInterval: 0, write: wire(0), close() {} });
  ends.push(a, b);

  // The origin: reads to end of input, then answers and closes.
  const origin = Bun.listen<{ got: number }>({
    hostname: "127.0.0.1",
    port: 0,
    allowHalfOpen: true,
    socket: {
      open(s) {
        s.data = { got: 0 };
      },
      data(s, d) {
        s.data.got += d.length;
      },
      end(s) {
        s.write(`got ${s.data.got} bytes, then EOF`);
        s.end();
      },
    },
  });

  // Connector side: each accepted stream is spliced into a connection to the origin.
  void (async () => {
    for (;;) {
      const st = await b.accept();
      if (!st) return;
      const holder: { ev?: SpliceEvents } = {};
      await Bun.connect({
        hostname: "127.0.0.1",
        port: origin.port,
        allowHalfOpen: true,
        socket: {
          open(s) {
            holder.ev = splice(st, s, { halfClose: true });
          },
          data: (_s, d) => holder.ev?.data(d),
          drain: () => holder.ev?.drain(),
          end: () => holder.ev?.end(),
          close: () => holder.ev?.close(),
        },
      });
    }
  })();

  // Relay side: each client connection becomes a stream.
  const relay = Bun.listen<{ ev: SpliceEvents }>({
    hostname: "127.0.0.1",
    port: 0,
    allowHalfOpen: true,
    socket: {
      open(s) {
        s.data = { ev: splice(a.openSync(), s, { halfClose: true }) };
      },
      data: (s, d) => s.data.ev.data(d),
      drain: (s) => s.data.ev.drain(),
      end: (s) => s.data.ev.end(),
      close: (s) => s.data.ev.close(),
    },
  });

  try {
    const request = "GET / HTTP/1.0\r\n\r\n";
    const answer = await new Promise<string>((resolve, reject) => {
      const c = connect({ host: "127.0.0.1", port: relay.port, allowHalfOpen: true });
      let text = "";
      c.on("connect", () => c.end(request)); // request, then FIN
      c.on("data", (d) => (text += d));
      c.on("end", () => resolve(text));
      c.on("error", reject);
    });
    expect(answer).toBe(`got ${request.length} bytes, then EOF`);
  } finally {
    relay.stop(true);
    origin.stop(true);
    await a.close();
  }
}, 10_000);

test("a Unix-socket origin that answered and closed: late client bytes do not cost the answer", async () => {
  // The user server's relayed listener is a Unix socket, and an HTTP server answering
  // `Connection: close` shuts down and closes at once. The client's last bytes (its TLS
  // close_notify) can arrive after that: the write into the closed socket fails with EPIPE while
  // the whole answer still waits unread in the connector's receive buffer. That failed write
  // used to reset the stream and lose the answer (ECONNRESET at the client, issue #22).
  const ends: Session[] = [];
  const wire = (to: number) => (x: Uint8Array) => {
    const copy = x.slice();
    queueMicrotask(() => ends[to].receive(copy));
    return x.length;
  };
  const a = new Session({ client: true, keepaliveInterval: 0, write: wire(1), close() {} });
  const b = new Session({ client: false, keepaliveInterval: 0, write: wire(0), close() {} });
  ends.push(a, b);
  const up = a.openSync();

  const dir = mkdtempSync(join(tmpdir(), "mux-unix-"));
  const path = join(dir, "origin.sock");
  let failedWrites = 0;
  const origin = Bun.listen({
    unix: path,
    socket: {
      data(s) {
        // Answer and close at once, as Bun.serve does after `Connection: close` — and only then
        // do the client's last bytes and its FIN arrive (delivered before the connector reads).
        s.write("answer");
        s.terminate();
        up.write(new TextEncoder().encode("close_notify")).then(() => up.closeWrite());
      },
    },
  });

  const st = (await b.accept())!;
  const holder: { ev?: SpliceEvents } = {};
  await Bun.connect({
    unix: path,
    allowHalfOpen: true,
    socket: {
      open(s) {
        const counting = {
          write: (d: Uint8Array) => {
            const n = s.write(d);
            if (n < 0) failedWrites++;
            return n;
          },
          end: () => s.end(),
          pause: () => s.pause(),
          resume: () => s.resume(),
          shutdown: (half?: boolean) => s.shutdown(half),
          terminate: () => s.terminate(),
        };
        holder.ev = splice(st, counting, { halfClose: true });
      },
      data: (_s, d) => holder.ev?.data(d),
      drain: () => holder.ev?.drain(),
      end: () => holder.ev?.end(),
      close: (_s, err) => holder.ev?.close(err),
    },
  });

  try {
    await up.write(new TextEncoder().encode("request"));
    const chunks: Uint8Array[] = [];
    for (let c = await up.read(); c !== null; c = await up.read()) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe("answer");
    // The case this test is about happened: the connector's write into the closed origin failed.
    expect(failedWrites).toBeGreaterThan(0);
  } finally {
    origin.stop(true);
    rmSync(dir, { recursive: true, force: true });
    await a.close();
  }
}, 10_000);
