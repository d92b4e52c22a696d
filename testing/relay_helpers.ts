/** Helpers for tests that talk to relays the way browsers do. */
import { afterAll, beforeAll } from "bun:test";
import { connect as tlsConnect } from "node:tls";
import { type Harness, type HarnessOptions, startHarness, ZONE } from "./harness.ts";

/** The first flight a real TLS client sends for `alice.<zone>`, captured from a real client. */
export async function realClientHello(): Promise<Uint8Array> {
  const { promise, resolve } = Promise.withResolvers<Uint8Array>();
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(s, chunk) {
        resolve(new Uint8Array(chunk));
        s.terminate();
      },
    },
  });
  const client = tlsConnect({ host: "127.0.0.1", port: server.port, servername: `alice.${ZONE}` });
  client.on("error", () => {});
  const hello = await promise;
  client.destroy();
  server.stop(true);
  return hello;
}

/** GET `path` on alice's server through `relayId` with curl: the HTTP status ("000" when it failed). */
export async function curlThrough(
  h: Harness,
  relayId: string,
  path: string,
): Promise<{ code: string; err: string }> {
  const r = h.relay(relayId);
  const proc = Bun.spawn([
    "curl",
    "-sS",
    "--max-time",
    "30",
    "--cacert",
    h.caFile,
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    "--resolve",
    `alice.${ZONE}:${r.browserPort}:${r.browserAddresses[0]}`,
    `https://alice.${ZONE}:${r.browserPort}${path}`,
  ], { stdout: "pipe", stderr: "pipe" });
  const [code, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  return { code, err: err.trim() };
}

/** GET alice's /healthz through `relayId`; the HTTP status (0 when it failed). */
export async function fetchThrough(h: Harness, relayId: string): Promise<number> {
  return Number((await curlThrough(h, relayId, "/healthz")).code);
}

/**
 * A harness for this test file with alice attached to both relays before the first test; call
 * the returned function inside tests.
 */
export function harnessWithAlice(options: HarnessOptions = {}): () => Harness {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness({ relays: 2, users: ["alice"], ...options });
    const started = h;
    await started.waitFor("alice's two tunnels", async () => (await started.tunnelsOf("alice")).length === 2);
  });
  afterAll(async () => {
    await h?.stop();
  });
  return () => h ?? raise("The harness did not start");
}

function raise(message: string): never {
  throw new Error(message);
}
