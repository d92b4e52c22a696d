/** "Open on this computer": the local listener's answer, and CORS only for the server's public origin. */
import { expect, test } from "bun:test";
import { localProbe } from "./here.ts";

const PUBLIC = "https://alice.hearth.localhost:8443";
const LOCAL = "https://local.alice.hearth.localhost:9443";

test("the answer matches the page's only from this process; CORS and private-network only for the public origin", async () => {
  const here = localProbe(LOCAL, PUBLIC);
  const p = here.probe();
  expect(p.origin).toBe(LOCAL);
  const ask = (c: string, origin?: string) =>
    here.routes.request(`${LOCAL}/local/here?c=${c}`, { headers: origin ? { origin } : {} });
  const res = await ask(p.challenge, PUBLIC);
  expect(await res.json()).toEqual({ answer: p.answer });
  expect(res.headers.get("access-control-allow-origin")).toBe(PUBLIC);
  // Another server's process (another key) gives another answer: a fake listener cannot pass.
  const other = localProbe(LOCAL, PUBLIC);
  expect(await (await other.routes.request(`${LOCAL}/local/here?c=${p.challenge}`)).json()).not.toEqual({
    answer: p.answer,
  });
  for (const origin of ["https://evil.example", "https://bob.hearth.localhost:8443", "null"]) {
    const r = await ask(p.challenge, origin);
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
    const pre = await here.routes.request(`${LOCAL}/local/here`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-private-network": "true",
        "access-control-request-method": "GET",
      },
    });
    expect(pre.headers.get("access-control-allow-private-network")).toBeNull();
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
  }
  const pre = await here.routes.request(`${LOCAL}/local/here`, {
    method: "OPTIONS",
    headers: {
      origin: PUBLIC,
      "access-control-request-private-network": "true",
      "access-control-request-method": "GET",
    },
  });
  expect(pre.headers.get("access-control-allow-private-network")).toBe("true");
  for (const bad of ["", "short", "a".repeat(65), "<script>"]) {
    expect((await ask(bad, PUBLIC)).status).toBe(400);
  }
});
