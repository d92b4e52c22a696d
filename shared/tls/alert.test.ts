import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import * as tls from "node:tls";
import { AlertDescription, AlertLevel, tlsAlert } from "./alert.ts";
import { parseClientHello } from "./client_hello.ts";

describe("tlsAlert", () => {
  const table: Array<[string, Uint8Array, number[]]> = [
    ["fatal unrecognized_name", tlsAlert(AlertDescription.unrecognized_name), [21, 3, 3, 0, 2, 2, 112]],
    ["fatal handshake_failure", tlsAlert(AlertDescription.handshake_failure), [21, 3, 3, 0, 2, 2, 40]],
    ["fatal decode_error", tlsAlert(AlertDescription.decode_error), [21, 3, 3, 0, 2, 2, 50]],
    ["fatal internal_error", tlsAlert(AlertDescription.internal_error), [21, 3, 3, 0, 2, 2, 80]],
    ["fatal protocol_version", tlsAlert(AlertDescription.protocol_version), [21, 3, 3, 0, 2, 2, 70]],
    ["warning level", tlsAlert(AlertDescription.unrecognized_name, AlertLevel.warning), [
      21,
      3,
      3,
      0,
      2,
      1,
      112,
    ]],
  ];
  for (const [name, actual, expected] of table) {
    test(name, () => assert.deepEqual([...actual], expected));
  }

  test("rejects values that do not fit the wire format", () => {
    assert.throws(() => tlsAlert(256), {
      name: "RangeError",
      message: "Cannot build TLS alert: description is 256",
    });
    assert.throws(() => tlsAlert(-1), RangeError);
    assert.throws(() => tlsAlert(1.5), RangeError);
    assert.throws(() => tlsAlert(112, 3), {
      name: "RangeError",
      message: "Cannot build TLS alert: level is 3",
    });
  });

  test("a real TLS client reports the alert the relay sends", async () => {
    // What the relay does for a name it cannot route: read the hello, answer with an alert, close.
    const server = net.createServer((socket) => {
      let buffered = new Uint8Array(0);
      socket.on("error", () => {});
      socket.on("data", (data: Uint8Array) => {
        const joined = new Uint8Array(buffered.length + data.length);
        joined.set(buffered);
        joined.set(data, buffered.length);
        buffered = joined;
        if (parseClientHello(buffered).kind !== "need-more") {
          socket.end(tlsAlert(AlertDescription.unrecognized_name));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const error = await new Promise<Error>((resolve, reject) => {
        const socket = tls.connect({ host: "127.0.0.1", port, servername: "nobody.example" });
        socket.on("secureConnect", () => reject(new Error("Handshake unexpectedly succeeded")));
        socket.on("error", resolve);
      });
      // OpenSSL (Node), BoringSSL (Bun) and rustls (Deno) each word it differently.
      assert.match(
        `${error.message} ${(error as { code?: string }).code ?? ""}`,
        /112|unrecogni[sz]ed.?name/i,
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
