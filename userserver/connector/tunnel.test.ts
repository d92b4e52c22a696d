/**
 * A relay-opened stream piped into the relayed listener's Unix socket, with both ends doing
 * random things at random moments: data, FIN, reset, close — including a reset that arrives
 * before the Unix-socket connect completed (issue #13.1, which crashed the user server).
 * Whatever happens, no exception may escape into the runtime.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket, UnixSocketListener } from "bun";
import fc from "fast-check";
import { Session, type Stream } from "../../shared/mux/mod.ts";
import { createLogger } from "../../shared/log/mod.ts";
import { pipeToRelayedListener } from "./tunnel.ts";

const log = createLogger({ level: "error" });
let dir = "";
let path = "";
let listener: UnixSocketListener<undefined>;
let userSide: Socket<undefined> | undefined;
const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => void uncaught.push(err);

/** A relay-side and a server-side session joined in memory, the server side piping to `path`. */
function tunnelPair(): { relay: Session; server: Session } {
  const deliver = (dst: () => Session) => (b: Uint8Array) => {
    const copy = b.slice();
    setTimeout(() => dst().receive(copy), 0);
    return b.length;
  };
  const relay: Session = new Session({
    client: false,
    keepaliveInterval: 0,
    write: deliver(() => server),
    close() {},
  });
  const server: Session = new Session({
    client: true,
    keepaliveInterval: 0,
    write: deliver(() => relay),
    close() {},
    onStream: (stream) => pipeToRelayedListener(stream, { unix: path }, log),
  });
  return { relay, server };
}

beforeAll(() => {
  process.on("uncaughtException", onUncaught);
  dir = mkdtempSync(join(tmpdir(), "hearth-splice-"));
  path = join(dir, "relayed.sock");
  listener = Bun.listen<undefined>({
    unix: path,
    socket: {
      open(s) {
        userSide = s;
      },
      data(s, chunk) {
        // A live pipe answers: what a working stream looks like after the storm.
        if (new TextDecoder().decode(chunk).includes("ping")) s.write(new TextEncoder().encode("pong"));
      },
    },
  });
});

afterAll(() => {
  process.off("uncaughtException", onUncaught);
  listener.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

type Op =
  | { end: "relay" | "user"; act: "data" | "fin" | "rst" | "close" }
  | { end: "wait"; act: "tick" | "macrotask" | "ms" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    end: fc.constantFrom("relay" as const, "user" as const),
    act: fc.constantFrom("data" as const, "fin" as const, "rst" as const, "close" as const),
  }),
  fc.record({
    end: fc.constant("wait" as const),
    act: fc.constantFrom("tick" as const, "macrotask" as const, "ms" as const),
  }),
);

const wait = (act: "tick" | "macrotask" | "ms") =>
  act === "tick" ? Promise.resolve() : new Promise((r) => setTimeout(r, act === "ms" ? 2 : 0));

function apply(op: Op, stream: Stream, user: Socket<undefined> | undefined): void {
  const bytes = new TextEncoder().encode("x".repeat(100));
  if (op.end === "relay") {
    // Writing to a stream that is already reset throws at the caller, as it should (the relay's
    // splice checks `closed` first); the test only cares about what reaches the runtime.
    if (op.act === "data") {
      try {
        stream.push(bytes);
      } catch { /* reset already */ }
    } else if (op.act === "fin") stream.closeWrite();
    else stream.reset();
  } else if (op.end === "user" && user) {
    if (op.act === "data") user.write(bytes);
    else if (op.act === "fin") user.shutdown(true);
    else if (op.act === "rst") user.terminate();
    else user.end();
  }
}

test("random interleavings on both ends of a splice never throw into the runtime", async () => {
  const { relay } = tunnelPair();
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { maxLength: 12 }), async (ops) => {
      userSide = undefined;
      const stream = relay.openSync();
      stream.onData({ data() {}, end() {}, error() {} });
      stream.push(new TextEncoder().encode("hello")); // the ClientHello the relay replays
      for (const op of ops) {
        if (op.end === "wait") await wait(op.act);
        else apply(op, stream, userSide);
      }
      stream.reset();
      await wait("ms");
    }),
    { numRuns: 2000 },
  );
  await new Promise((r) => setTimeout(r, 50));
  expect(uncaught).toEqual([]);
}, 120_000);

test("a reset before the Unix connect completes costs only that stream", async () => {
  const { relay } = tunnelPair();
  for (let i = 0; i < 200; i++) {
    const stream = relay.openSync();
    stream.push(new TextEncoder().encode("hello"));
    stream.reset();
  }
  // The session still carries streams afterwards.
  const stream = relay.openSync();
  const echoed = new Promise<void>((resolve) =>
    stream.onData({ data: () => resolve(), end() {}, error() {} })
  );
  stream.push(new TextEncoder().encode("ping"));
  await echoed;
  expect(uncaught).toEqual([]);
}, 60_000);
