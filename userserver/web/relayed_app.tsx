/**
 * The relayed listener: what browsers reach through a relay (`<name>.<zone>`). TLS ends here,
 * on the user's own machine; the relay only ever saw encrypted bytes.
 */
import { Hono } from "hono";
import { Layout } from "./layout.tsx";

const MAX_STREAM_BYTES = 64 * 1024 ** 3;

export function createRelayedApp(
  { name, enableByteStream }: { name: string; enableByteStream: boolean },
): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ ok: true, service: "userserver", listener: "relayed", name }));
  app.get("/", (c) =>
    c.html(
      <Layout title={`Hearth · ${name}`}>
        <h1>
          Welcome to <span>{name}</span>'s Hearth
        </h1>
        <p>
          This page was served by {name}'s own machine. The relay that carried it saw only encrypted bytes.
        </p>
      </Layout>,
    ));
  if (enableByteStream) {
    app.get("/_bytes/:n", (c) => {
      const n = Number(c.req.param("n"));
      if (!Number.isSafeInteger(n) || n < 0 || n > MAX_STREAM_BYTES) {
        return c.json({
          error: `Byte count "${c.req.param("n")}" must be an integer from 0 to ${MAX_STREAM_BYTES}`,
        }, 400);
      }
      return new Response(byteStream(n), {
        headers: { "content-type": "application/octet-stream", "content-length": String(n) },
      });
    });
  }
  return app;
}

/** n bytes of a repeating pattern, in 256 KiB chunks pulled as the client reads. */
function byteStream(n: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(256 * 1024).map((_, i) => i & 0xff);
  let left = n;
  return new ReadableStream({
    pull(controller) {
      if (left <= 0) return controller.close();
      const size = Math.min(left, chunk.length);
      controller.enqueue(size === chunk.length ? chunk : chunk.subarray(0, size));
      left -= size;
    },
  }, { highWaterMark: 0 });
}
