import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { mailOutbox } from "../../shared/db/cloud/schema.ts";
import { silentLogger } from "../../shared/log/mod.ts";
import { testDeps } from "../_test_deps.ts";
import {
  createTransport,
  deliverDue,
  enqueueMail,
  isMailAddress,
  type MailTransport,
  MAX_ATTEMPTS,
  renderMail,
  retryDelayMs,
} from "./mod.ts";

type Deps = Awaited<ReturnType<typeof testDeps>>;
let deps: Deps;
beforeEach(async () => (deps = await testDeps()));
afterEach(() => deps.cleanup());

const FROM = "Hearth <no-reply@hearth.localhost>";
const msg = (to = "ann@example.com") => ({
  to,
  ...renderMail({ subject: "Hi", heading: "Hello", intro: ["Body"] }),
});

function flaky(failures: number): MailTransport & { sent: string[] } {
  let left = failures;
  const sent: string[] = [];
  return {
    kind: "test",
    sent,
    send(_from, m) {
      if (left-- > 0) return Promise.reject(new Error("421 try later"));
      sent.push(m.to);
      return Promise.resolve();
    },
  };
}

test("delivery retries with backoff and marks the message sent", async () => {
  await enqueueMail(deps, msg());
  const t = flaky(2);
  assert.deepEqual(await deliverDue(deps, t, { from: FROM }), { sent: 0, retried: 1, failed: 0 });
  assert.deepEqual(
    await deliverDue(deps, t, { from: FROM }),
    { sent: 0, retried: 0, failed: 0 },
    "not due yet",
  );
  deps.clock.now += retryDelayMs(1);
  assert.deepEqual(await deliverDue(deps, t, { from: FROM }), { sent: 0, retried: 1, failed: 0 });
  deps.clock.now += retryDelayMs(2) - 1;
  assert.equal((await deliverDue(deps, t, { from: FROM })).sent, 0, "backoff doubled");
  deps.clock.now += 1;
  assert.equal((await deliverDue(deps, t, { from: FROM })).sent, 1);
  const [row] = await deps.db.orm.select().from(mailOutbox);
  assert.equal(row.status, "sent");
  assert.equal(row.attempts, 3);
  assert.deepEqual(t.sent, ["ann@example.com"]);
  assert.equal((await deliverDue(deps, t, { from: FROM })).sent, 0, "sent once");
});

test("delivery gives up after MAX_ATTEMPTS and keeps the last error", async () => {
  await enqueueMail(deps, msg());
  const t = flaky(1000);
  let failed = 0;
  for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
    failed += (await deliverDue(deps, t, { from: FROM })).failed;
    deps.clock.now += 3600_000;
  }
  assert.equal(failed, 1);
  const [row] = await deps.db.orm.select().from(mailOutbox);
  assert.equal(row.status, "failed");
  assert.equal(row.attempts, MAX_ATTEMPTS);
  assert.match(row.lastError ?? "", /421/);
});

test("two delivery jobs at once send each message once (the claim is one UPDATE)", async () => {
  for (let i = 0; i < 5; i++) await enqueueMail(deps, msg(`u${i}@example.com`));
  const t = flaky(0);
  const [a, b] = await Promise.all([
    deliverDue(deps, t, { from: FROM }),
    deliverDue(deps, t, { from: FROM }),
  ]);
  assert.equal(a.sent + b.sent, 5);
  assert.equal(new Set(t.sent).size, 5);
  assert.equal(t.sent.length, 5);
});

test("the file transport writes one 0600 .eml per message with text and HTML parts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-mail-"));
  try {
    const t = createTransport({ transport: "file" }, { log: silentLogger, defaultDir: join(dir, "mail") });
    await enqueueMail(deps, {
      to: "bo@example.com",
      ...renderMail({
        subject: "Confirm <it>",
        heading: "Confirm",
        intro: ["Tom & Jerry <b>"],
        action: { label: "Go", url: "https://id.hearth.localhost/verify/abc.def" },
      }),
    });
    assert.equal((await deliverDue(deps, t, { from: FROM })).sent, 1);
    const files = readdirSync(join(dir, "mail")).filter((f) => f.endsWith(".eml"));
    assert.equal(files.length, 1);
    assert.equal(statSync(join(dir, "mail", files[0])).mode & 0o777, 0o600);
    const eml = readFileSync(join(dir, "mail", files[0]), "utf8");
    assert.match(eml, /^To: bo@example\.com$/m);
    assert.match(eml, /^Subject: Confirm <it>$/m);
    assert.match(eml, /Content-Type: text\/plain/);
    assert.match(eml, /Content-Type: text\/html/);
    assert.match(eml, /Tom &#38; Jerry &#60;b&#62;/);
    assert.match(eml.replace(/=\n/g, ""), /https:\/\/id\.hearth\.localhost\/verify\/abc\.def/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the HTTP transport posts JSON with the bearer token; a non-2xx answer is a retry", async () => {
  const seen: { auth: string | null; body: Record<string, string> }[] = [];
  let status = 503;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    seen.push({ auth: req.headers.get("authorization"), body: await req.json() });
    return new Response("{}", { status });
  });
  try {
    const t = createTransport(
      { transport: "http", url: `http://127.0.0.1:${server.addr.port}/send`, token: "tok-123" },
      { log: silentLogger, defaultDir: "/nonexistent" },
    );
    await enqueueMail(deps, msg("cy@example.com"));
    assert.equal((await deliverDue(deps, t, { from: FROM })).retried, 1);
    status = 200;
    deps.clock.now += retryDelayMs(1);
    assert.equal((await deliverDue(deps, t, { from: FROM })).sent, 1);
    assert.equal(seen.length, 2);
    assert.equal(seen[1].auth, "Bearer tok-123");
    assert.equal(seen[1].body.to, "cy@example.com");
    assert.equal(seen[1].body.from, FROM);
    assert.ok(seen[1].body.text && seen[1].body.html);
  } finally {
    await server.shutdown();
  }
});

test("addresses: plain ones pass; header-breaking or odd input is refused (property)", async () => {
  for (const ok of ["a@example.com", "first.last+tag@sub.example.org", "alice@hearth.localhost"]) {
    assert.ok(isMailAddress(ok), ok);
  }
  for (
    const bad of [
      "",
      "a",
      "a@b",
      "a b@example.com",
      "a@example.com\r\nBcc: x@y.z",
      "<a@example.com>",
      "a@@b.c",
    ]
  ) {
    assert.ok(!isMailAddress(bad), JSON.stringify(bad));
  }
  fc.assert(
    fc.property(fc.string(), (s) => {
      if (isMailAddress(s)) assert.ok(!/[\r\n\s<>]/.test(s));
    }),
    { numRuns: 2000 },
  );
  await assert.rejects(enqueueMail(deps, msg("x@example.com\nBcc: y@example.com")), /not an address/);
});
