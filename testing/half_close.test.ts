/**
 * Half-close end to end: a client that sends its request and then a TCP FIN (HTTP/1.0 style,
 * some proxies and scripts) gets its answer through each relay, as from the local listener.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import tls from "node:tls";
import { type Harness, startHarness, ZONE } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relays: 2, users: ["alice"] });
  await h.waitFor("alice's two tunnels", async () => (await h.tunnelsOf("alice")).length === 2);
});
afterAll(async () => {
  await h?.stop();
});

/** TLS to `ip:port` as `servername`, one request, then FIN on our side; resolves with all it read. */
function requestThenFin(ip: string, port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    // Node's TLS sockets pass allowHalfOpen to the TCP socket (the types leave it out).
    const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
      host: ip,
      port,
      servername,
      ca: h.caPem,
      allowHalfOpen: true,
    };
    const s = tls.connect(options, () => {
      s.write(`GET /healthz HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`, () => s.end());
    });
    s.setEncoding("utf8");
    s.on("data", (d) => got += d);
    s.on("close", () => resolve(got));
    s.on("error", (e) => (got ? resolve(got) : reject(e)));
  });
}

describe("a request followed by FIN", () => {
  test("the local listener answers it", async () => {
    const got = await requestThenFin("127.0.0.1", h.user("alice").localPort, `local.alice.${ZONE}`);
    expect(got).toStartWith("HTTP/1.1 200");
  });

  test("each relay carries the FIN to alice's server and her answer back", async () => {
    for (const id of ["relay-a", "relay-b"]) {
      const r = h.relay(id);
      const got = await requestThenFin(r.browserAddresses[0]!, r.browserPort, `alice.${ZONE}`);
      expect(got, id).toStartWith("HTTP/1.1 200");
    }
  });
});
