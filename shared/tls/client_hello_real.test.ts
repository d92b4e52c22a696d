/**
 * ClientHellos from real TLS stacks: a plain TCP server records what each client sends, as the
 * relay's browser port would see it, and the parser must recover the server name.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as net from "node:net";
import * as tls from "node:tls";
import { parseClientHello } from "./client_hello.ts";

interface Capture {
  bytes: Uint8Array;
  chunks: number;
}

/** A TCP server that keeps each connection's bytes until the parser decides, then hangs up. */
class CaptureServer {
  readonly #server = net.createServer((socket) => this.#onConnection(socket));
  #waiting: Array<(capture: Capture) => void> = [];
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
  }

  /** Resolves with the next connection's hello bytes; fails the test if none arrives in time. */
  next(timeoutMs = 10_000): Promise<Capture> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No ClientHello within ${timeoutMs} ms`)), timeoutMs);
      this.#waiting.push((capture) => {
        clearTimeout(timer);
        resolve(capture);
      });
    });
  }

  #onConnection(socket: net.Socket): void {
    let bytes = new Uint8Array(0);
    let chunks = 0;
    const finish = () => {
      socket.destroy();
      this.#waiting.shift()?.({ bytes, chunks });
    };
    socket.on("error", () => {});
    socket.on("data", (data: Uint8Array) => {
      chunks++;
      const joined = new Uint8Array(bytes.length + data.length);
      joined.set(bytes);
      joined.set(data, bytes.length);
      bytes = joined;
      // Decide exactly as the relay would: stop reading once the parser is no longer hungry.
      if (parseClientHello(bytes).kind !== "need-more") finish();
    });
    socket.on("end", finish);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function expectName(capture: Capture, serverName: string | null, alpn?: string[]): void {
  const result = parseClientHello(capture.bytes);
  assert.equal(result.kind, "ok", `${JSON.stringify(result)} from ${capture.bytes.length} bytes`);
  if (result.kind !== "ok") return;
  assert.equal(result.serverName, serverName);
  if (alpn) assert.deepEqual(result.alpn, alpn);
  assert.equal(result.recordBytes, capture.bytes.length);
}

/** Counts TLS records in the captured bytes, to show a hello really was fragmented. */
function recordCount(bytes: Uint8Array): number {
  let count = 0;
  for (let at = 0; at + 5 <= bytes.length; at += 5 + ((bytes[at + 3]! << 8) | bytes[at + 4]!)) count++;
  return count;
}

describe("parseClientHello: real clients", () => {
  const server = new CaptureServer();
  before(() => server.start());
  after(() => server.stop());

  function nodeTls(options: tls.ConnectionOptions): void {
    const socket = tls.connect({ host: "127.0.0.1", port: server.port, ...options });
    // The capture server hangs up mid-handshake by design.
    socket.on("error", () => {});
  }

  test("node:tls with servername and ALPN", async () => {
    const captured = server.next();
    nodeTls({ servername: "alice.hearth.test", ALPNProtocols: ["h2", "http/1.1"] });
    expectName(await captured, "alice.hearth.test", ["h2", "http/1.1"]);
  });

  test("node:tls lowercases a mixed-case servername", async () => {
    const captured = server.next();
    nodeTls({ servername: "Bob.Hearth.TEST" });
    expectName(await captured, "bob.hearth.test");
  });

  test("node:tls without servername sends no SNI", async () => {
    const captured = server.next();
    // Connecting to an IP with no servername: TLS stacks omit SNI for IP literals.
    nodeTls({});
    expectName(await captured, null);
  });

  const openssl = hasOpenssl();
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) child.kill();
  });

  function sClient(...args: string[]): void {
    const child = spawn("openssl", ["s_client", "-connect", `127.0.0.1:${server.port}`, ...args], {
      stdio: ["pipe", "ignore", "ignore"],
    });
    children.push(child);
  }

  test("openssl s_client -servername", { skip: !openssl && "openssl not installed" }, async () => {
    const captured = server.next();
    sClient("-servername", "x.example", "-alpn", "h2");
    expectName(await captured, "x.example", ["h2"]);
  });

  test("openssl s_client hello fragmented over several records", {
    skip: !openssl && "openssl not installed",
  }, async () => {
    const captured = server.next();
    // A large key share plus a small max fragment splits the hello the way big PQ hellos get split.
    sClient("-servername", "frag.example", "-max_send_frag", "512", "-groups", "ffdhe8192");
    const capture = await captured;
    assert.ok(recordCount(capture.bytes) >= 3, `expected >= 3 records, got ${recordCount(capture.bytes)}`);
    expectName(capture, "frag.example");
  });
});
