import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { jsonBody } from "./mod.ts";

const schema = z.strictObject({ name: z.string().min(1).max(10), n: z.number().int().default(1) });

function app(): Hono {
  const a = new Hono();
  a.post("/x", jsonBody(schema), (c) => c.json(c.req.valid("json")));
  a.onError((err, c) => c.json({ error: err.message }, err instanceof HTTPException ? err.status : 500));
  return a;
}

const post = (body: string, type?: string) =>
  // Bytes, not a string: a string body would get text/plain from Request itself.
  app().request("/x", {
    method: "POST",
    body: new TextEncoder().encode(body),
    headers: type ? { "content-type": type } : {},
  });

test("a matching JSON body reaches the handler typed, with defaults", async () => {
  const res = await post(JSON.stringify({ name: "alice" }), "application/json; charset=utf-8");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { name: "alice", n: 1 });
});

test("another content type, bad JSON and a schema mismatch are 400 with a sentence", async () => {
  const cases: [string, string | undefined, RegExp][] = [
    [JSON.stringify({ name: "alice" }), "text/plain", /application\/json/],
    [JSON.stringify({ name: "alice" }), undefined, /no Content-Type/],
    ['{"name": "ali', "application/json", /JSON/i],
    [JSON.stringify({ name: "" }), "application/json", /Field "name" is invalid/],
    [JSON.stringify({ name: "a", extra: 1 }), "application/json", /invalid/],
    [JSON.stringify([1, 2]), "application/json", /invalid/],
  ];
  for (const [body, type, message] of cases) {
    const res = await post(body, type);
    assert.equal(res.status, 400, `${type} ${body}`);
    assert.match((await res.json()).error, message);
  }
});

test("property: random and truncated bodies get 200 or 400, never 500", async () => {
  const good = JSON.stringify({ name: "bob", n: 3 });
  const pieces = ["{", "}", '"', "name", ":", ",", "1", "null", "[", "]", " ", "n", "\\", "é", "\u0000"];
  for (let run = 0; run < 400; run++) {
    const body = run % 2
      ? good.slice(0, Math.floor(Math.random() * good.length))
      : Array.from({ length: Math.floor(Math.random() * 12) }, () =>
        pieces[Math.floor(Math.random() * pieces.length)])
        .join("");
    const res = await post(body, "application/json");
    assert.ok(res.status === 200 || res.status === 400, `${res.status} for ${JSON.stringify(body)}`);
  }
});
