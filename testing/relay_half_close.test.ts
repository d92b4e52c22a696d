/**
 * Half-close end to end (issue #22): a client that sends its request and then a FIN (HTTP/1.0
 * style; some proxies and scripts) gets its whole answer through each relay, as it does from the
 * local listener: browser FIN → yamux FIN → the user server sees end of input and still answers.
 * 30 requests per path, so the race that once reset about one run in three cannot hide: the
 * client's close_notify reached the relayed listener after the server had answered and closed
 * it, the write failed with EPIPE, and the splice reset the stream with the answer still unread.
 */
import { expect, test } from "bun:test";
import { connect, type ConnectionOptions } from "node:tls";
import { harnessWithAlice } from "./relay_helpers.ts";
import { ZONE } from "./harness.ts";

const harness = harnessWithAlice();
const ITERATIONS = 30;

/** Sends a GET, half-closes, and reads until the server closes; answers what came back. */
function halfClosedGet(host: string, port: number, name: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // allowHalfOpen: our FIN must not close our read half (node:tls passes it to its net.Socket).
    const options: ConnectionOptions & { allowHalfOpen: boolean } = {
      host,
      port,
      servername: name,
      ca,
      allowHalfOpen: true,
    };
    const s = connect(options, () => {
      s.write(`GET /healthz HTTP/1.1\r\nHost: ${name}:${port}\r\nConnection: close\r\n\r\n`);
      s.end(); // FIN after the request: our write half is closed, our read half stays open
    });
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("end", () => resolve(Buffer.concat(chunks).toString("latin1")));
    s.on("error", reject);
    s.setTimeout(30_000, () => reject(new Error("no answer within 30 s")));
  });
}

test("the local listener answers a half-closed request (the reference)", async () => {
  const h = harness();
  const u = h.user("alice");
  for (let i = 0; i < ITERATIONS; i++) {
    const res = await halfClosedGet(u.localAddress, u.localPort, `local.alice.${ZONE}`, h.caPem);
    expect(res).toMatch(/^HTTP\/1\.1 200/);
  }
});

for (const relayId of ["relay-a", "relay-b"]) {
  test(`through ${relayId}: request, FIN, and the whole answer comes back`, async () => {
    const h = harness();
    const r = h.relay(relayId);
    for (let i = 0; i < ITERATIONS; i++) {
      const res = await halfClosedGet(r.browserAddresses[0], r.browserPort, `alice.${ZONE}`, h.caPem);
      expect(res).toMatch(/^HTTP\/1\.1 200/);
      expect(res).toContain('"listener":"relayed"');
    }
  });
}
