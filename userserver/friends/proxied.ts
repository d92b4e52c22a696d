/**
 * A friend's bytes passed on to the owner's browser (the browser never talks to the friend's
 * server): ranges forwarded, the headers that describe the bytes kept, and those that keep a
 * friend's bytes from ever being a page of this origin added.
 */
import type { Context } from "hono";
import { type PeerClient, PeerUnavailableError } from "./client.ts";

export async function proxiedFromFriend(
  c: Context,
  client: PeerClient,
  friend: string,
  path: string,
  o: { timeoutMs: number; disposition: "inline" | "attachment" },
): Promise<Response> {
  const range = c.req.header("range");
  let res: Response;
  try {
    res = await client.call(friend, path, { timeoutMs: o.timeoutMs, headers: range ? { range } : {} });
  } catch (e) {
    if (e instanceof PeerUnavailableError) return c.text(e.message, 502);
    throw e;
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    return c.notFound();
  }
  const headers = new Headers();
  for (const h of ["content-type", "content-length", "content-range", "accept-ranges", "etag"]) {
    const v = res.headers.get(h);
    if (v) headers.set(h, v);
  }
  headers.set(
    "content-disposition",
    o.disposition === "attachment" ? res.headers.get("content-disposition") ?? "attachment" : "inline",
  );
  headers.set("x-content-type-options", "nosniff");
  headers.set("content-security-policy", "sandbox");
  return new Response(res.body, { status: res.status, headers });
}
