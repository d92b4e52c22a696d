import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as OTPAuth from "otpauth";
import { eq } from "drizzle-orm";
import { accounts, idSessions, relays, servers } from "../../shared/db/cloud/schema.ts";
import {
  createCertificateRequest,
  createDevCa,
  createIssuingCa,
  describeCertificate,
  generateKeyPair,
  publicJwk,
} from "../../shared/pki/mod.ts";
import { testDeps } from "../_test_deps.ts";
import { createCloudApp } from "../app.ts";
import { linkFromMail, ORIGIN, outbox, TestBrowser } from "./_test_browser.ts";
import { ARGON2, hashPassword, needsRehash, verifyPassword } from "./password.ts";
import { INACTIVITY_MS, loginUrl, RENEW_AFTER_MS, safeReturnTo } from "./session.ts";
import { createVerifiedAccount } from "./accounts.ts";
import { claimName } from "./registration.ts";

type Deps = Awaited<ReturnType<typeof testDeps>>;
let deps: Deps;
let app: ReturnType<typeof createCloudApp>;
const issuerPromise = (async () => {
  const root = await createDevCa("Test CA");
  return {
    root,
    issuer: await createIssuingCa(root, {
      commonName: "Test issuer",
      permittedDns: ["hearth.localhost"],
      permittedIpv4: ["127.0.0.0/8"],
    }),
  };
})();

beforeEach(async () => {
  deps = await testDeps();
  deps.id = { origin: ORIGIN, issuer: (await issuerPromise).issuer };
  app = createCloudApp(deps);
});
afterEach(() => deps.cleanup());

const PASSWORD = "correct horse battery";

async function signUpAndVerify(b: TestBrowser, email: string, password = PASSWORD) {
  const res = await b.post("/signup", { email, password });
  assert.equal(res.status, 200, await res.clone().text());
  const link = await linkFromMail(deps, email, "/verify/");
  const ok = await b.request(link);
  assert.equal(ok.status, 200);
  return link;
}

async function login(b: TestBrowser, email: string, password = PASSWORD) {
  return await b.post("/login", { email, password, return_to: "/account" });
}

function totpFromPage(html: string) {
  const uri = /data-otpauth-uri="([^"]+)"/.exec(html)?.[1].replace(/&amp;/g, "&");
  assert.ok(uri, "the enrolment page carries the otpauth URI");
  return OTPAuth.URI.parse(uri) as OTPAuth.TOTP;
}

test("sign-up mails a single-use link that verifies the account; used and expired links fail clearly", async () => {
  const b = new TestBrowser(app);
  const before = await login(b, "ann@example.com");
  assert.equal(before.status, 401, "no account yet");
  const link = await signUpAndVerify(b, "Ann@Example.com");
  const mails = await outbox(deps);
  assert.equal(mails.length, 1);
  assert.match(mails[0].subject, /Confirm your email/);
  assert.match(mails[0].html, /Confirm email address/);
  const again = await b.request(link);
  assert.equal(again.status, 410);
  assert.match(await again.text(), /already used/);

  // An unverified account cannot sign in; its verification link expires after 24 h.
  await b.post("/signup", { email: "bo@example.com", password: PASSWORD });
  const boLink = await linkFromMail(deps, "bo@example.com", "/verify/");
  const unverified = await login(b, "bo@example.com");
  assert.equal(unverified.status, 403);
  assert.match(await unverified.text(), /Confirm your email first/);
  deps.clock.now += 24 * 3600_000 + 1;
  const expired = await b.request(boLink);
  assert.equal(expired.status, 410);
  assert.match(await expired.text(), /expired/);
  const bogus = await b.request("/verify/abcdefghijkl.abcdefghijklmnopqrstuvwxyz");
  assert.equal(bogus.status, 404);

  const res = await login(b, "ann@example.com");
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/account");
  const page = await b.request("/account");
  assert.equal(page.status, 200);
  assert.match(await page.text(), /ann@example\.com/);
});

test("sign-up with a taken address answers the same and mails the owner instead", async () => {
  const b = new TestBrowser(app);
  await signUpAndVerify(b, "cat@example.com");
  const res = await b.post("/signup", { email: "cat@example.com", password: "another password here" });
  const fresh = await b.post("/signup", { email: "dan@example.com", password: "another password here" });
  assert.equal(res.status, fresh.status);
  const strip = (s: string) => s.replace(/cat@|dan@/g, "");
  assert.equal(strip(await res.text()), strip(await fresh.text()));
  const toCat = (await outbox(deps)).filter((m) => m.to === "cat@example.com");
  assert.match(toCat.at(-1)!.subject, /tried to sign up/);
  // The original password still works.
  assert.equal((await login(b, "cat@example.com")).status, 303);
});

test("state-changing requests need a matching Origin", async () => {
  const b = new TestBrowser(app);
  for (const origin of ["https://evil.example", "null"]) {
    const res = await b.request("/signup", {
      method: "POST",
      headers: { origin, "content-type": "application/x-www-form-urlencoded" },
      body: "email=x%40example.com&password=long+enough+pw",
    });
    assert.equal(res.status, 403);
  }
  const none = await app.request(`${ORIGIN}/login`, {
    method: "POST",
    body: new URLSearchParams({ email: "a" }),
  });
  assert.equal(none.status, 403);
  // hono/csrf checks only form-like bodies; IdCloud holds JSON and every other type to the same
  // rule, and multipart too; a sibling user server's origin is as foreign as any other.
  for (
    const type of [
      "application/json",
      "multipart/form-data; boundary=x",
      "text/plain",
      "application/octet-stream",
    ]
  ) {
    for (const origin of ["https://bob.hearth.localhost:8443", undefined]) {
      // Straight to the app: the test browser would add its own Origin.
      const res = await app.request(`${ORIGIN}/signup`, {
        method: "POST",
        headers: { ...(origin ? { origin } : {}), "content-type": type },
        body: type === "application/json" ? '{"email":"x@example.com"}' : "x",
      });
      assert.equal(res.status, 403, `${type} from ${origin}`);
      assert.match(await res.text(), /came from another site/);
    }
  }
  assert.equal((await outbox(deps)).length, 0);
  // Its own origin passes the check (the form is then judged on its merits).
  const own = await b.request("/signup", {
    method: "POST",
    headers: { origin: ORIGIN, "content-type": "application/json" },
    body: "{}",
  });
  assert.notEqual(own.status, 403);
});

test("password reset by mail: a used link fails; the new password works and old sessions end", async () => {
  const b = new TestBrowser(app);
  await signUpAndVerify(b, "eve@example.com");
  assert.equal((await login(b, "eve@example.com")).status, 303);
  const other = new TestBrowser(app, "192.0.2.9");
  const unknown = await other.post("/reset", { email: "nobody@example.com" });
  const known = await other.post("/reset", { email: "eve@example.com" });
  assert.equal(unknown.status, known.status);
  assert.equal(
    (await unknown.text()).replace("nobody@", ""),
    (await known.text()).replace("eve@", ""),
    "the answer does not say whether the address has an account",
  );
  const link = await linkFromMail(deps, "eve@example.com", "/reset/");
  assert.equal((await other.request(link)).status, 200);
  const weak = await other.post(link, { password: "short" });
  assert.equal(weak.status, 400);
  const done = await other.post(link, { password: "a brand new passphrase" });
  assert.equal(done.status, 200);
  assert.equal((await other.post(link, { password: "yet another passphrase" })).status, 410);
  assert.equal((await other.request(link)).status, 410);
  const afterReset = await b.request("/account");
  assert.equal(afterReset.status, 303, "sessions end on reset");
  assert.equal((await login(b, "eve@example.com")).status, 401);
  assert.equal((await login(b, "eve@example.com", "a brand new passphrase")).status, 303);
});

test("TOTP: enrol from the QR's URI; a code works once; recovery codes work once", async () => {
  const b = new TestBrowser(app);
  await signUpAndVerify(b, "fay@example.com");
  await login(b, "fay@example.com");
  const enrol = await b.request("/account/totp");
  assert.equal(enrol.status, 200);
  const html = await enrol.text();
  assert.match(html, /<svg/);
  const totp = totpFromPage(html);
  // A reload shows the same key (the phone may have scanned it); "Start over" makes a new one.
  const key = (page: string) => /id="totp-secret">([^<]+)</.exec(page)![1];
  const reload = await (await b.request("/account/totp")).text();
  assert.equal(key(reload), key(html));
  const restarted = await b.post("/account/totp/restart", {});
  assert.equal(restarted.status, 303);
  const fresh = await (await b.request("/account/totp")).text();
  assert.notEqual(key(fresh), key(html));
  await b.post("/account/totp/restart", {}); // and back to a key the test can read below
  const html2 = await (await b.request("/account/totp")).text();
  const totp2 = totpFromPage(html2);
  assert.notEqual(totp2.secret.base32, totp.secret.base32);
  const wrong = await b.post("/account/totp", {
    code: "000000" === totp2.generate({ timestamp: deps.clock.now }) ? "111111" : "000000",
  });
  assert.equal(wrong.status, 400);
  const code = totp2.generate({ timestamp: deps.clock.now });
  const ok = await b.post("/account/totp", { code });
  assert.equal(ok.status, 200);
  const okPage = await ok.text();
  const recovery = [...okPage.matchAll(/<li>([a-z0-9]{5}-[a-z0-9]{5})<\/li>/g)].map((m) => m[1]);
  assert.equal(recovery.length, 10);
  // A download of the same codes, no script needed.
  const href =
    /href="(data:text\/plain;charset=utf-8,[^"]+)" download="hearth-recovery-codes.txt"/.exec(okPage)![1];
  const file = decodeURIComponent(href.replace(/&amp;/g, "&").slice("data:text/plain;charset=utf-8,".length));
  for (const code of recovery) assert.ok(file.includes(code));
  // And a copy button: the one page whose CSP lets a script from IdCloud itself run it.
  assert.match(okPage, /data-copy-codes="true" hidden/);
  assert.match(ok.headers.get("content-security-policy") ?? "", /script-src 'self'/);
  const script = await b.request("/_static/id.js");
  assert.equal(script.status, 200);
  assert.match(script.headers.get("content-type") ?? "", /^text\/javascript/);
  assert.match(await script.text(), /clipboard/);

  await b.post("/signout", {});
  assert.equal((await b.request("/account")).status, 303);
  const pw = await login(b, "fay@example.com");
  assert.equal(pw.headers.get("location"), "/login/totp");
  assert.equal((await b.request("/account")).status, 303, "no session before the code");
  const reused = await b.post("/login/totp", { code });
  assert.equal(reused.status, 401, "the enrolment code cannot be used again");
  assert.match(await reused.text(), /already used/);
  const wrongCode = code === "123456" ? "654321" : "123456";
  const wrongAnswer = await b.post("/login/totp", { code: wrongCode });
  assert.equal(wrongAnswer.status, 401);
  const wrongText = await wrongAnswer.text();
  assert.match(wrongText, /Wrong code/);
  assert.doesNotMatch(wrongText, /already used/);
  deps.clock.now += 30_000;
  const next = totp2.generate({ timestamp: deps.clock.now });
  const good = await b.post("/login/totp", { code: next });
  assert.equal(good.status, 303);
  assert.equal((await b.request("/account")).status, 200);

  // Same code again, in a second login: refused.
  const b2 = new TestBrowser(app, "192.0.2.2");
  await login(b2, "fay@example.com");
  assert.equal((await b2.post("/login/totp", { code: next })).status, 401);
  assert.equal((await b2.post("/login/totp", { code: recovery[3].toUpperCase() })).status, 303);
  const b3 = new TestBrowser(app, "192.0.2.3");
  await login(b3, "fay@example.com");
  assert.equal(
    (await b3.post("/login/totp", { code: recovery[3] })).status,
    401,
    "a recovery code works once",
  );
});

test("brute force: 20 wrong passwords → 429, the right one then waits too; others are unaffected", async () => {
  const b = new TestBrowser(app, "198.51.100.7");
  await signUpAndVerify(b, "gus@example.com");
  await signUpAndVerify(new TestBrowser(app), "hal@example.com");
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) statuses.push((await login(b, "gus@example.com", `wrong guess ${i}`)).status);
  assert.equal(statuses[0], 401);
  assert.equal(statuses.at(-1), 429);
  const right = await login(b, "gus@example.com");
  assert.equal(right.status, 429);
  assert.ok(Number(right.headers.get("retry-after")) > 0);
  // The same account from a fresh IP waits as well (the ban is per account).
  assert.equal((await login(new TestBrowser(app, "203.0.113.5"), "gus@example.com")).status, 429);
  // Another account from another IP is unaffected.
  assert.equal((await login(new TestBrowser(app, "203.0.113.9"), "hal@example.com")).status, 303);
  // An unknown address is throttled the same way, so bans reveal nothing.
  const probe = new TestBrowser(app, "198.51.100.8");
  const unknown: number[] = [];
  for (let i = 0; i < 20; i++) unknown.push((await login(probe, "nobody@example.com", `guess ${i}`)).status);
  assert.deepEqual(unknown, statuses);
  // After the ban, the right password works.
  deps.clock.now += 16 * 60_000;
  assert.equal((await login(b, "gus@example.com")).status, 303);
});

test("sign-up is limited per IP by a token bucket (429 with Retry-After)", async () => {
  const b = new TestBrowser(app, "198.51.100.50");
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    statuses.push((await b.post("/signup", { email: `u${i}@example.com`, password: PASSWORD })).status);
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  deps.clock.now += 60_000;
  assert.equal((await b.post("/signup", { email: "late@example.com", password: PASSWORD })).status, 200);
});

test("sessions: only the secret's hash is stored; inactivity ends them; renewal extends them; revoke", async () => {
  const b = new TestBrowser(app);
  await signUpAndVerify(b, "ivy@example.com");
  await login(b, "ivy@example.com");
  const cookie = b.jar.get("__Host-hearth_id")!;
  const [id, secret] = cookie.split(".");
  const row = (await deps.db.orm.select().from(idSessions).where(eq(idSessions.id, id)))[0];
  assert.notEqual(row.secretHash, secret);
  assert.equal(row.secretHash.length, 64);
  // A forged secret with a real id fails.
  const forged = new TestBrowser(app);
  forged.jar.set("__Host-hearth_id", `${id}.${"A".repeat(43)}`);
  assert.equal((await forged.request("/account")).status, 303);

  deps.clock.now += INACTIVITY_MS - 60_000;
  const renewed = await b.request("/account");
  assert.equal(renewed.status, 200);
  assert.match(renewed.headers.getSetCookie().join(), /__Host-hearth_id=.*HttpOnly.*Secure|Secure.*HttpOnly/);
  deps.clock.now += INACTIVITY_MS - 60_000;
  assert.equal((await b.request("/account")).status, 200, "renewal extended the session");
  deps.clock.now += INACTIVITY_MS + 1;
  assert.equal((await b.request("/account")).status, 303, "an idle session ends");

  await login(b, "ivy@example.com");
  const other = new TestBrowser(app, "192.0.2.44");
  await login(other, "ivy@example.com");
  deps.clock.now += RENEW_AFTER_MS;
  const sec = await b.request("/account/security");
  const text = await sec.text();
  const otherId = other.jar.get("__Host-hearth_id")!.split(".")[0];
  assert.match(text, new RegExp(`/account/sessions/${otherId}/revoke`));
  assert.equal((await b.post(`/account/sessions/${otherId}/revoke`, {})).status, 303);
  assert.equal((await other.request("/account")).status, 303);
  assert.equal((await b.request("/account")).status, 200);
});

test("login returns to a same-origin path only", async () => {
  const b = new TestBrowser(app);
  await signUpAndVerify(b, "jo@example.com");
  const res = await b.post("/login", {
    email: "jo@example.com",
    password: PASSWORD,
    return_to: "//evil.example/x",
  });
  assert.equal(res.headers.get("location"), "/account");
  await b.post("/signout", {});
  const to = "/authorize?client_id=x&state=y";
  const url = loginUrl(to);
  assert.equal(url, `/login?return_to=${encodeURIComponent(to)}`);
  const page = await (await b.request(url)).text();
  assert.match(page, /name="return_to" value="\/authorize\?client_id=x&amp;state=y"/);
  const back = await b.post("/login", { email: "jo@example.com", password: PASSWORD, return_to: to });
  assert.equal(back.headers.get("location"), to);
});

test("safeReturnTo keeps only same-origin relative paths (property)", () => {
  for (
    const bad of [
      "//evil.example",
      "/\\evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "",
      "/\t/evil",
    ]
  ) {
    assert.equal(safeReturnTo(bad), "/account", bad);
  }
  fc.assert(
    fc.property(fc.string(), (s) => {
      const out = safeReturnTo(s);
      assert.ok(out.startsWith("/") && !out.startsWith("//"), `${JSON.stringify(s)} → ${out}`);
      assert.equal(new URL(out, "https://id.example").origin, "https://id.example");
    }),
    { numRuns: 2000 },
  );
  fc.assert(fc.property(fc.webPath(), (p) => {
    const out = safeReturnTo(p);
    assert.equal(new URL(out, "https://id.example").origin, "https://id.example");
  }));
});

test("change password and email (the email changes only once the new address confirms)", async () => {
  const b = new TestBrowser(app);
  await signUpAndVerify(b, "kim@example.com");
  await login(b, "kim@example.com");
  const other = new TestBrowser(app, "192.0.2.77");
  await login(other, "kim@example.com");
  assert.equal(
    (await b.post("/account/password", { current: "nope nope nope", password: "fresh passphrase 1" })).status,
    400,
  );
  assert.equal(
    (await b.post("/account/password", { current: PASSWORD, password: "fresh passphrase 1" })).status,
    303,
  );
  assert.equal((await other.request("/account")).status, 303, "other sessions end");
  assert.equal((await b.request("/account")).status, 200, "this one stays");

  assert.equal(
    (await b.post("/account/email", { email: "kim2@example.com", password: "fresh passphrase 1" })).status,
    303,
  );
  const link = await linkFromMail(deps, "kim2@example.com", "/email/confirm/");
  assert.equal(
    (await login(new TestBrowser(app, "192.0.2.78"), "kim2@example.com", "fresh passphrase 1")).status,
    401,
  );
  assert.equal((await b.request(link)).status, 200);
  assert.equal((await b.request(link)).status, 410);
  assert.equal(
    (await login(new TestBrowser(app, "192.0.2.79"), "kim2@example.com", "fresh passphrase 1")).status,
    303,
  );
  assert.match(
    (await outbox(deps)).filter((m) => m.to === "kim@example.com").at(-1)!.subject,
    /email address was changed/,
  );
});

test("argon2id with the set parameters; hashes with old parameters are upgraded at login", async () => {
  const h = await hashPassword("pw for hashing");
  assert.match(h, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.equal(await verifyPassword("pw for hashing", h), true);
  assert.equal(await verifyPassword("pw for hashinG", h), false);
  assert.equal(await verifyPassword("x", "not a hash"), false);
  assert.equal(needsRehash(h), false);
  const old = await hashPassword(PASSWORD, { ...ARGON2, memorySize: 4096, iterations: 1 });
  assert.equal(needsRehash(old), true);
  const acc = await createVerifiedAccount(deps, "lee@example.com", "temporary pw 1");
  await deps.db.orm.update(accounts).set({ passwordHash: old }).where(eq(accounts.id, acc.id));
  assert.equal((await login(new TestBrowser(app), "lee@example.com")).status, 303);
  const after = (await deps.db.orm.select().from(accounts).where(eq(accounts.id, acc.id)))[0];
  assert.match(after.passwordHash, /m=19456,t=2,p=1/);
});

test("registration: claim a name, register once with the token; the certificate names only that server", async () => {
  const b = new TestBrowser(app);
  await signUpAndVerify(b, "mo@example.com");
  await login(b, "mo@example.com");
  const reserved = await b.post("/account/servers", { name: "reg" });
  assert.equal(reserved.status, 400);
  const res = await b.post("/account/servers", { name: "mo" });
  assert.equal(res.status, 200);
  const token = /id="registration-token">([^<]+)</.exec(await res.text())![1];
  assert.match(token, /^hrt_/);

  const keys = await generateKeyPair();
  const tlsKeys = await generateKeyPair();
  const body = (names: string[]) =>
    createCertificateRequest(tlsKeys, {
      commonName: names[0],
      dnsNames: names.filter((n) => !/^\d/.test(n)),
      ipAddresses: names.filter((n) => /^\d/.test(n)),
    });
  const register = async (csr: string, t = token) =>
    await app.request(`${ORIGIN}/reg/v1/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: t, publicJwk: await publicJwk(keys.publicKey), csr }),
    }, { remoteAddr: { hostname: "192.0.2.100" } });
  const greedy = await register(await body(["mo.hearth.localhost", "id.hearth.localhost"]));
  assert.equal(greedy.status, 400);
  assert.match((await greedy.json()).error, /id\.hearth\.localhost/);
  const ok = await register(await body(["mo.hearth.localhost", "local.mo.hearth.localhost", "127.0.0.1"]));
  assert.equal(ok.status, 200);
  const reg = await ok.json();
  assert.equal(reg.name, "mo");
  assert.match(reg.serverId, /^srv_/);
  assert.equal(reg.totpSecret.length, 32);
  assert.deepEqual(describeCertificate(reg.certificate).names, [
    "mo.hearth.localhost",
    "local.mo.hearth.localhost",
    "127.0.0.1",
  ]);
  const row = (await deps.db.orm.select().from(servers).where(eq(servers.id, reg.serverId)))[0];
  const account = (await deps.db.orm.select().from(accounts).where(eq(accounts.email, "mo@example.com")))[0];
  assert.equal(row.accountId, account.id);
  const twice = await register(await body(["mo.hearth.localhost"]));
  assert.equal(twice.status, 401);
  assert.match((await twice.json()).error, /already used/);

  // Another account cannot claim the name; the owner can re-register (reinstall) with a new token.
  const other = await createVerifiedAccount(deps, "ned@example.com", "ned's password");
  await assert.rejects(claimName(deps, other.id, "mo"), /taken/);
  const again = await claimName(deps, account.id, "mo");
  const re = await register(await body(["mo.hearth.localhost"]), again.token);
  assert.equal(re.status, 200);
  assert.equal((await re.json()).serverId, reg.serverId);
  const page = await (await b.request("/account/servers")).text();
  assert.match(page, /href="https:\/\/mo\.hearth\.localhost"/);
  // The link carries the port browsers use when the relays do not serve on 443 (dev: 8443).
  await deps.db.orm.insert(relays).values({
    id: "relay-port-test",
    hostName: "relay-port-test.hearth.localhost",
    tunnelAddress: "127.0.0.99:9000",
    browserPort: 8443,
    credentialHash: "0".repeat(64),
    createdAt: Date.now(),
  });
  try {
    const dev = await (await b.request("/account/servers")).text();
    assert.match(dev, /href="https:\/\/mo\.hearth\.localhost:8443"/);
  } finally {
    await deps.db.orm.delete(relays).where(eq(relays.id, "relay-port-test"));
  }
});

test("registration: a request for CN=id.<zone> and no SAN gets a certificate for the registered name only", async () => {
  const acc = await createVerifiedAccount(deps, "cn@example.com", PASSWORD);
  const { token } = await claimName(deps, acc.id, "cn");
  const keys = await generateKeyPair();
  const csr = await createCertificateRequest(await generateKeyPair(), { commonName: "id.hearth.localhost" });
  const res = await app.request(`${ORIGIN}/reg/v1/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, publicJwk: await publicJwk(keys.publicKey), csr }),
  }, { remoteAddr: { hostname: "192.0.2.101" } });
  assert.equal(res.status, 200);
  const leaf = (await res.json()).certificate.split("-----END CERTIFICATE-----")[0] +
    "-----END CERTIFICATE-----";
  const info = describeCertificate(leaf);
  assert.deepEqual(info.names, ["cn.hearth.localhost", "local.cn.hearth.localhost"]);
  assert.equal(info.subject, "CN=cn.hearth.localhost");
});

test("second factor: failures count on their own key; a correct password does not reset them", async () => {
  const b = new TestBrowser(app);
  await signUpAndVerify(b, "gus@example.com");
  await login(b, "gus@example.com");
  const totp = totpFromPage(await (await b.request("/account/totp")).text());
  assert.equal(
    (await b.post("/account/totp", { code: totp.generate({ timestamp: deps.clock.now }) })).status,
    200,
  );
  await b.post("/signout", {});
  const wrong = () => (totp.generate({ timestamp: deps.clock.now }) === "000000" ? "111111" : "000000");
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    // A fresh address and a correct password each round: neither may reset the count.
    const thief = new TestBrowser(app, `198.51.100.${i + 1}`);
    assert.equal((await login(thief, "gus@example.com")).headers.get("location"), "/login/totp");
    statuses.push((await thief.post("/login/totp", { code: i % 2 ? wrong() : "aaaaa-bbbbb" })).status);
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
  const owner = new TestBrowser(app, "198.51.100.99");
  await login(owner, "gus@example.com");
  deps.clock.now += 30_000;
  const refused = await owner.post("/login/totp", { code: totp.generate({ timestamp: deps.clock.now }) });
  assert.equal(refused.status, 429, "even a correct code waits out the ban");
  deps.clock.now += 16 * 60_000;
  const later = new TestBrowser(app, "198.51.100.98");
  await login(later, "gus@example.com");
  assert.equal(
    (await later.post("/login/totp", { code: totp.generate({ timestamp: deps.clock.now }) })).status,
    303,
  );
});

test("account pages: strict CSP without script, no framing, nosniff, Referrer-Policy and HSTS", async () => {
  const b = new TestBrowser(app);
  await signUpAndVerify(b, "hal@example.com");
  await login(b, "hal@example.com");
  const visitor = new TestBrowser(app, "192.0.2.77");
  for (const path of ["/login", "/signup", "/account", "/account/security", "/reset"]) {
    const res = await (path.startsWith("/account") ? b : visitor).request(path);
    assert.equal(res.status, 200, path);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /script-src 'none'/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(res.headers.get("x-frame-options"), "DENY", path);
    assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin", path);
    assert.match(res.headers.get("strict-transport-security") ?? "", /max-age=\d{7,}/, path);
    assert.doesNotMatch(await res.text(), /<script/i, `${path} has no script the CSP would block`);
  }
});

test("a locked account still lets in a browser that signed in before; new browsers wait; the owner is mailed", async () => {
  const owner = new TestBrowser(app, "198.51.100.60");
  await signUpAndVerify(owner, "ivy@example.com");
  assert.equal((await login(owner, "ivy@example.com")).status, 303, "a first, complete sign-in");
  await owner.post("/signout", {}); // signed out, but the browser is now known
  // Wrong passwords from ten addresses lock the account for unknown browsers.
  for (let i = 0; i < 10; i++) {
    await login(new TestBrowser(app, `203.0.113.${100 + i}`), "ivy@example.com", `no ${i}`);
  }
  const stranger = await login(new TestBrowser(app, "203.0.113.200"), "ivy@example.com");
  assert.equal(stranger.status, 429, "a browser that never signed in waits, right password or not");
  assert.equal((await login(owner, "ivy@example.com")).status, 303, "the owner's browser gets in");
  assert.equal((await login(owner, "ivy@example.com", "still wrong")).status, 401, "but needs the password");
  const mails = (await outbox(deps)).filter((m) =>
    m.to === "ivy@example.com" && /trying to sign in/.test(m.subject)
  );
  assert.equal(mails.length, 1, "the owner is told once");
});
