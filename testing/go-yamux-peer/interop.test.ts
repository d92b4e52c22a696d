/**
 * Interop with hashicorp/yamux (Go), over real loopback TCP. Bun only: it builds the Go peer
 * in main.go offline against Debian's packaged yamux (golang-go,
 * golang-github-hashicorp-yamux-dev) and fails, not skips, when Go is missing.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attachSocket, type Session, type Stream } from "../../shared/mux/mod.ts";

const GOPATH_SYS = "/usr/share/gocode";
const SRC = join(import.meta.dir, "main.go");

function buildPeer(): string {
  const go = Bun.which("go");
  if (!go) {
    throw new Error("Cannot build the Go yamux peer: `go` is not installed (apt-get install golang-go)");
  }
  if (!existsSync(join(GOPATH_SYS, "src/github.com/hashicorp/yamux"))) {
    throw new Error(
      "Cannot build the Go yamux peer: hashicorp/yamux source missing (apt-get install golang-github-hashicorp-yamux-dev)",
    );
  }
  const hash = new Bun.CryptoHasher("sha256").update(readFileSync(SRC)).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `hearth-go-yamux-peer-${hash}`);
  const bin = join(dir, "peer");
  if (existsSync(bin)) return bin;
  mkdirSync(join(dir, "src/peer"), { recursive: true });
  copyFileSync(SRC, join(dir, "src/peer/main.go"));
  const p = Bun.spawnSync([go, "build", "-o", bin, "./src/peer"], {
    cwd: dir,
    env: { ...process.env, GO111MODULE: "off", GOPATH: `${dir}:${GOPATH_SYS}`, GOCACHE: join(dir, "cache") },
  });
  if (p.exitCode !== 0) throw new Error(`Cannot build the Go yamux peer: ${p.stderr.toString()}`);
  return bin;
}

interface Peer {
  session: Session;
  proc: ReturnType<typeof Bun.spawn>;
  stderr: () => Promise<string>;
  stop(): Promise<void>;
}

/** Listens on loopback, starts the Go peer dialing us, and runs our session on that socket. */
async function startPeer(
  bin: string,
  { goRole = "server", args = [] as string[], onStream }: {
    goRole?: "server" | "client";
    args?: string[];
    onStream?: (s: Stream) => void;
  } = {},
): Promise<Peer> {
  let mux: ReturnType<typeof attachSocket> | undefined;
  const connected = Promise.withResolvers<void>();
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        socket.setNoDelay(true);
        mux = attachSocket(socket, { client: goRole === "server", onStream, keepaliveInterval: 0 });
        connected.resolve();
      },
      data: (_s, d) => mux!.data(d),
      drain: () => mux!.drain(),
      close: () => mux!.close(),
      error: (_s, e) => mux!.close(e),
    },
  });
  const proc = Bun.spawn([bin, "-addr", `127.0.0.1:${listener.port}`, "-role", goRole, ...args], {
    stderr: "pipe",
    stdout: "inherit",
  });
  await Promise.race([
    connected.promise,
    proc.exited.then((c) => {
      throw new Error(`Go peer exited early with ${c}`);
    }),
  ]);
  listener.stop(false);
  return {
    session: mux!.session,
    proc,
    stderr: () => new Response(proc.stderr as ReadableStream).text(),
    async stop() {
      await mux!.session.close();
      const code = await Promise.race([proc.exited, Bun.sleep(5000).then(() => "timeout")]);
      if (code === "timeout") proc.kill();
    },
  };
}

const u64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
};
const sha = (parts: Uint8Array[]) => {
  const h = new Bun.CryptoHasher("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
};

/** Opens an echo stream, sends `data`, and returns the SHA-256 of what came back. */
async function echoVia(session: Session, data: Uint8Array): Promise<string> {
  const s = await session.open();
  const w = (async () => {
    await s.write(new Uint8Array([0x45])); // 'E'
    await s.write(u64(data.length));
    await s.write(data);
  })();
  const h = new Bun.CryptoHasher("sha256");
  let got = 0;
  for (;;) {
    const c = await s.read();
    if (c === null) break;
    h.update(c);
    got += c.length;
  }
  await w;
  s.closeWrite();
  assert.equal(got, data.length);
  return h.digest("hex");
}

/** Serves a stream the Go side opened: u64 length, then echo that many bytes and FIN. */
async function serveEcho(s: Stream): Promise<void> {
  let need = 8;
  const head: number[] = [];
  let left = -1;
  for (;;) {
    const c = await s.read();
    if (c === null) break;
    let chunk = c;
    if (left < 0) {
      const take = Math.min(need, chunk.length);
      head.push(...chunk.subarray(0, take));
      need -= take;
      chunk = chunk.subarray(take);
      if (need > 0) continue;
      left = Number(new DataView(new Uint8Array(head).buffer).getBigUint64(0));
    }
    if (chunk.length > 0) {
      await s.write(chunk);
      left -= chunk.length;
    }
    if (left === 0) break;
  }
  s.closeWrite();
}

async function readAllOf(s: Stream): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (;;) {
    const c = await s.read();
    if (c === null) break;
    parts.push(c);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

class Lines {
  #buf = "";
  #dec = new TextDecoder();
  constructor(readonly s: Stream) {}
  async next(): Promise<string> {
    for (;;) {
      const i = this.#buf.indexOf("\n");
      if (i >= 0) {
        const line = this.#buf.slice(0, i);
        this.#buf = this.#buf.slice(i + 1);
        return line;
      }
      const c = await this.s.read();
      if (c === null) throw new Error("control stream ended");
      this.#buf += this.#dec.decode(c, { stream: true });
    }
  }
}

const enc = new TextEncoder();
let bin = "";

describe("interop with hashicorp/yamux (Go)", () => {
  before(() => {
    bin = buildPeer();
  });

  it("50 concurrent streams × 10 MB each way, both directions, byte-exact; pings; close", async () => {
    const served: Promise<void>[] = [];
    const peer = await startPeer(bin, { onStream: (s) => served.push(serveEcho(s)) });
    try {
      const ctl = await peer.session.open();
      await ctl.write(enc.encode("C"));
      const lines = new Lines(ctl);

      const size = 10 * 1024 * 1024;
      const base = crypto.getRandomValues(new Uint8Array(65536));
      const make = (i: number) => {
        const b = new Uint8Array(size);
        for (let o = 0; o < size; o += base.length) b.set(base, o);
        b.set(u64(i), 0);
        return b;
      };
      const payloads = Array.from({ length: 50 }, (_, i) => make(i));
      // Go opens 50 streams to us at the same time as we open 50 to it.
      const goSide = ctl.write(enc.encode(`open 50 ${size}\n`)).then(() => lines.next());
      const hashes = await Promise.all(payloads.map((p) => echoVia(peer.session, p)));
      hashes.forEach((h, i) => assert.equal(h, sha([payloads[i]]), `stream ${i} echo`));
      assert.equal(await goSide, "ok 50");
      await Promise.all(served);
      assert.equal(served.length, 50);

      const rtt = await peer.session.ping();
      assert.ok(rtt >= 0 && rtt < 5000, `rtt ${rtt}`);
      await ctl.write(enc.encode("ping\n"));
      assert.match(await lines.next(), /^pong \d+$/);

      const stats = peer.session.stats();
      assert.ok(stats.bytesIn > 2 * 50 * size && stats.bytesOut > 2 * 50 * size);
      await peer.session.close();
      assert.equal(await peer.proc.exited, 0, "Go peer exits cleanly when we close");
    } finally {
      await peer.stop();
    }
  });

  it("2,000 streams that write and half-close at once: Go reads every byte before our FIN", async () => {
    const peer = await startPeer(bin);
    try {
      const one = async (i: number) => {
        const s = await peer.session.open();
        const data = crypto.getRandomValues(new Uint8Array(1 + ((i * 7919) % 6000)));
        // Data and FIN queued together: FIN must still go in a frame of its own.
        const w = Promise.all([s.write(new Uint8Array([0x53])), s.write(data)]); // 'S'
        s.closeWrite();
        await w;
        const answer = new TextDecoder().decode(await readAllOf(s)).trim();
        assert.equal(answer, `${data.length} ${sha([data])}`, `stream ${i}`);
      };
      for (let batch = 0; batch < 2000; batch += 200) {
        await Promise.all(Array.from({ length: 200 }, (_, j) => one(batch + j)));
      }
    } finally {
      await peer.stop();
    }
  });

  it("works with roles swapped (we are the yamux server, even ids)", async () => {
    const served: Promise<void>[] = [];
    const peer = await startPeer(bin, { goRole: "client", onStream: (s) => served.push(serveEcho(s)) });
    try {
      const ctl = await peer.session.open();
      assert.equal(ctl.id % 2, 0);
      await ctl.write(enc.encode("C"));
      const lines = new Lines(ctl);
      const data = crypto.getRandomValues(new Uint8Array(65536));
      const go = ctl.write(enc.encode("open 5 1000000\n")).then(() => lines.next());
      assert.equal(await echoVia(peer.session, data), sha([data]));
      assert.equal(await go, "ok 5");
      // The Go side closes the session: ours notices and closes too.
      await ctl.write(enc.encode("close\n"));
      await peer.session.closed;
      assert.equal(peer.session.closeReason?.name, "SessionClosedError");
    } finally {
      await peer.stop();
    }
  });

  it("handles the RSTs Go sends when its accept backlog overflows", async () => {
    const peer = await startPeer(bin, { args: ["-backlog", "4", "-noaccept"] });
    try {
      const streams = await Promise.all(Array.from({ length: 10 }, () => peer.session.open()));
      const results: string[] = [];
      streams.forEach((s) => s.read().then(() => results.push("eof"), (e: Error) => results.push(e.name)));
      const deadline = Date.now() + 10_000;
      while (results.length < 6 && Date.now() < deadline) await Bun.sleep(5);
      await Bun.sleep(50);
      assert.deepEqual(results, Array(6).fill("StreamResetError"), "six streams reset, four pending");
      assert.equal(peer.session.numStreams, 4, "four streams sit in Go's backlog");
      await assert.rejects(streams[9].write(new Uint8Array(1)), { name: "StreamResetError" });
      // The session itself is fine.
      assert.ok((await peer.session.ping()) >= 0);
    } finally {
      await peer.stop();
    }
  });
});
