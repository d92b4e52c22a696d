/**
 * IdCloud end to end over real sockets: the cloud tier (a real process, real TLS) delivers its
 * mail to a real SMTP receiver (`smtp-server`); sign-up, verification and password reset links
 * come out of the received messages. Also: alice's seeded account owns her registered server,
 * and brute force is throttled per account while another account from another IP is unaffected.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { freePort, type Harness, startHarness, ZONE } from "./harness.ts";

let h: Harness;
let smtp: SMTPServer;
const received: { to: string[]; raw: string }[] = [];
let idUrl: string;

beforeAll(async () => {
  const smtpPort = freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(smtpPort, "127.0.0.1", resolve));
  h = await startHarness({ relays: 1, users: ["alice"] });
  // Point the running cloud tier's mail at the SMTP receiver: new config, restart.
  const configFile = join(h.dirs.cloud, "config.json");
  const cfg = JSON.parse(readFileSync(configFile, "utf8"));
  cfg.mail = { transport: "smtp", host: "127.0.0.1", port: smtpPort };
  cfg.mailFrom = "Hearth <no-reply@hearth.localhost>";
  writeFileSync(configFile, JSON.stringify(cfg, null, 2));
  await h.processes.get("cloud")!.stop();
  await h.start("cloud");
  // Bun's fetch resolves *.localhost to loopback, so IdCloud is reached by its own name.
  idUrl = `https://id.${ZONE}:${new URL(h.cloudUrl).port}`;
});
afterAll(async () => {
  await h?.stop();
  await new Promise<void>((resolve) => smtp ? smtp.close(() => resolve()) : resolve());
});

/** A cookie jar over fetch; every POST carries IdCloud's Origin, as a browser's would. */
class Client {
  jar = new Map<string, string>();
  async go(path: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.jar.size) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    if (form) {
      headers.origin = idUrl;
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    const res = await fetch(new URL(path, idUrl), {
      method: form ? "POST" : "GET",
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: "manual",
      tls: { ca: h.caPem },
    } as RequestInit);
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair.indexOf("=");
      if (/max-age=0/i.test(line)) this.jar.delete(pair.slice(0, i));
      else this.jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }
}

/** Quoted-printable soft breaks and escapes undone, so links can be read from the raw message. */
function decodeQp(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(
    /=([0-9A-F]{2})/g,
    (_, hex) => String.fromCharCode(parseInt(hex, 16)),
  );
}

async function mailTo(address: string, count: number): Promise<string> {
  return (await h.waitFor(`mail #${count} to ${address}`, () => {
    const mine = received.filter((m) => m.to.includes(address));
    return mine.length >= count ? decodeQp(mine[count - 1].raw) : undefined;
  }, 30_000))!;
}

function link(message: string, path: string): string {
  const m = new RegExp(`https://id\\.${ZONE.replace(".", "\\.")}:\\d+${path}[A-Za-z0-9_.-]+`).exec(message);
  if (!m) throw new Error(`No ${path} link in:\n${message.slice(0, 2000)}`);
  return new URL(m[0]).pathname;
}

const PASSWORD = "a long enough passphrase";

test("sign-up → a mail arrives over SMTP → its link verifies the account; the link works once", async () => {
  const c = new Client();
  const res = await c.go("/signup", { email: "sam@example.com", password: PASSWORD });
  expect(res.status).toBe(200);
  expect(await res.text()).toContain("Check your email");
  const mail = await mailTo("sam@example.com", 1);
  expect(mail).toContain("Subject: Confirm your email address for Hearth");
  expect(mail).toContain("From: Hearth <no-reply@hearth.localhost>");
  expect(mail).toMatch(/Content-Type: text\/plain/);
  expect(mail).toMatch(/Content-Type: text\/html/);
  const verify = link(mail, "/verify/");
  expect((await c.go("/login", { email: "sam@example.com", password: PASSWORD })).status).toBe(403);
  const ok = await c.go(verify);
  expect(ok.status).toBe(200);
  expect(await ok.text()).toContain("Email confirmed");
  const again = await c.go(verify);
  expect(again.status).toBe(410);
  expect(await again.text()).toContain("This confirmation link was already used");
  const login = await c.go("/login", { email: "sam@example.com", password: PASSWORD });
  expect(login.status).toBe(303);
  expect(login.headers.get("location")).toBe("/account");
  expect([...c.jar.keys()]).toContain("__Host-hearth_id");
  expect(await (await c.go("/account")).text()).toContain("sam@example.com");
});

test("password reset by mail: the link sets a new password once; a used link fails with a clear page", async () => {
  const c = new Client();
  await c.go("/signup", { email: "ria@example.com", password: PASSWORD });
  await c.go(link(await mailTo("ria@example.com", 1), "/verify/"));
  const req = await c.go("/reset", { email: "ria@example.com" });
  expect(req.status).toBe(200);
  const reset = link(await mailTo("ria@example.com", 2), "/reset/");
  expect((await c.go(reset)).status).toBe(200);
  const done = await c.go(reset, { password: "my new passphrase" });
  expect(done.status).toBe(200);
  expect(await done.text()).toContain("Password changed");
  const used = await c.go(reset);
  expect(used.status).toBe(410);
  expect(await used.text()).toContain("This reset link was already used");
  expect((await c.go("/login", { email: "ria@example.com", password: PASSWORD })).status).toBe(401);
  expect((await c.go("/login", { email: "ria@example.com", password: "my new passphrase" })).status).toBe(
    303,
  );
});

test("alice's seeded account signs in (TOTP off) and owns her registered server", async () => {
  const alice = h.accounts.find((a) => a.name === "alice")!;
  expect(alice.email).toBe(`alice@${ZONE}`);
  expect(alice.password).toBeTruthy();
  const c = new Client();
  expect((await c.go("/login", { email: alice.email, password: alice.password! })).status).toBe(303);
  const page = await (await c.go("/account/servers")).text();
  expect(page).toContain(`alice.${ZONE}`);
  expect(page).toContain("registered");
  // Her certificate came from the cloud's issuing CA, not straight from the dev CA.
  const cert = readFileSync(join(h.dirs.users.alice, "tls.crt"), "utf8");
  expect(cert.match(/BEGIN CERTIFICATE/g)?.length).toBe(2);
});

function curlLogin(email: string, password: string, fromIp: string): number {
  const port = new URL(h.cloudUrl).port;
  const out = Bun.spawnSync([
    "curl",
    "-s",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    "--interface",
    fromIp,
    "--cacert",
    h.caFile,
    "--resolve",
    `id.${ZONE}:${port}:127.0.0.1`,
    "-H",
    `Origin: ${idUrl}`,
    "--data-urlencode",
    `email=${email}`,
    "--data-urlencode",
    `password=${password}`,
    `${idUrl}/login`,
  ]);
  return Number(out.stdout.toString());
}

test("brute force: 20 wrong passwords → 429 and the right one waits too; another account from another IP is fine", async () => {
  const c = new Client();
  for (const email of ["tom@example.com", "una@example.com"]) {
    await c.go("/signup", { email, password: PASSWORD });
    await c.go(link(await mailTo(email, 1), "/verify/"));
  }
  const codes: number[] = [];
  for (let i = 0; i < 20; i++) codes.push(curlLogin("tom@example.com", `wrong ${i}`, "127.0.0.1"));
  expect(codes[0]).toBe(401);
  expect(codes.at(-1)).toBe(429);
  expect(curlLogin("tom@example.com", PASSWORD, "127.0.0.1")).toBe(429);
  expect(curlLogin("una@example.com", PASSWORD, "127.0.0.2")).toBe(303);
});
