/** Test helper: tus requests to alice's relayed app as her signed-in browser would send them. */
import { ROOT_ID } from "../store/mod.ts";

interface RequestTarget {
  request(url: string, init: RequestInit): Response | Promise<Response>;
}

type Init = RequestInit & { headers?: Record<string, string> };

/** `app` is read per request (tests start the server in a hook); `token` is the test owner cookie. */
export function tusClient(app: () => RequestTarget, token: string) {
  const b64 = (v: string) => Buffer.from(v).toString("base64");
  const req = (path: string, init: Init = {}): Promise<Response> =>
    Promise.resolve(
      app().request(`https://alice.hearth.localhost${path}`, {
        ...init,
        // The server's own origin, as a browser on alice's pages sends it (the CSRF check wants it).
        headers: {
          cookie: `__Host-hearth-test-owner=${token}`,
          origin: "https://alice.hearth.localhost",
          "tus-resumable": "1.0.0",
          ...init.headers,
        },
      }),
    );
  const create = (name: string, size: number) =>
    req("/upload/tus", {
      method: "POST",
      headers: {
        "upload-length": String(size),
        "upload-metadata": `filename ${b64(name)},parent ${b64(ROOT_ID)}`,
      },
    });
  const patch = (url: string, data: Uint8Array, from: number) =>
    req(url, {
      method: "PATCH",
      headers: { "upload-offset": String(from), "content-type": "application/offset+octet-stream" },
      body: data.slice(from),
    });
  return { req, create, patch };
}
