/**
 * Test-only helpers for sign-in tests: accounts and IdCloud sessions written straight into the
 * cloud DB (the cloud process keeps running; libSQL in WAL mode shares the file), and the session
 * cookie put into a curl cookie jar.
 */
import { createClient } from "@libsql/client";
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomToken, sha256Hex } from "../shared/crypto/mod.ts";
import { type Harness, ZONE } from "./harness.ts";

export const ID_COOKIE = "__Host-hearth_id";

export function cloudDb(h: Harness) {
  return Promise.resolve(createClient({ url: `file:${join(h.dirs.cloud, "cloud.db")}`, timeout: 10_000 }));
}

type Db = Awaited<ReturnType<typeof cloudDb>>;

export async function seedAccount(db: Db, email: string): Promise<string> {
  const id = `acc_${randomToken(9)}`;
  const now = Date.now();
  await db.execute({
    sql: `insert into accounts (id, email, email_verified_at, password_hash, created_at, updated_at)
          values (?, ?, ?, '$argon2id$v=19$m=19456,t=2,p=1$unused$unused', ?, ?)`,
    args: [id, email, now, now, now],
  });
  return id;
}

/** A fresh IdCloud session for `email`: returns the cookie value `<id>.<secret>`. */
export async function createIdSession(h: Harness, email: string): Promise<string> {
  const db = await cloudDb(h);
  try {
    const acc = await db.execute({ sql: "select id from accounts where email = ?", args: [email] });
    const accountId = String(acc.rows[0].id);
    const id = randomToken(15);
    const secret = randomToken(32);
    const now = Date.now();
    await db.execute({
      sql:
        `insert into id_sessions (id, account_id, secret_hash, created_at, last_seen_at, expires_at, auth_time)
            values (?, ?, ?, ?, ?, ?, ?)`,
      args: [id, accountId, await sha256Hex(secret), now, now, now + 3600_000, now],
    });
    return `${id}.${secret}`;
  } finally {
    db.close();
  }
}

/** Signs `email` in at IdCloud in a curl cookie jar (Netscape format). */
export async function signInAtIdCloud(h: Harness, jar: string, email: string): Promise<void> {
  const value = await createIdSession(h, email);
  if (!existsSync(jar)) writeFileSync(jar, "# Netscape HTTP Cookie File\n");
  appendFileSync(jar, `id.${ZONE}\tFALSE\t/\tTRUE\t0\t${ID_COOKIE}\t${value}\n`);
}

/** An account that can log in through IdCloud's real login page (argon2id hash; TOTP when `totpSecret`). */
export async function seedLoginAccount(
  db: Db,
  email: string,
  password: string,
  { totpSecret }: { totpSecret?: string } = {},
): Promise<string> {
  const { hashPassword } = await import("../edge/id/password.ts");
  const id = `acc_${randomToken(9)}`;
  const now = Date.now();
  await db.execute({
    sql: `insert into accounts (id, email, email_verified_at, password_hash, totp_secret, totp_enabled_at,
          created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      id,
      email,
      now,
      await hashPassword(password),
      totpSecret ?? null,
      totpSecret ? now : null,
      now,
      now,
    ],
  });
  return id;
}

export interface CurlResponse {
  status: number;
  location: string | null;
  body: string;
}

/**
 * curl as a browser: one cookie jar per person (`<jars>/<who>`), names pinned with `--resolve`.
 * The getters are read at each request, so a test may build this before its stack is up.
 */
export function curlBrowser(o: { jars: () => string; caFile: () => string; resolve: () => string[] }) {
  /** One request as a browser would send it, with `who`'s cookie jar; a form is POSTed with its Origin. */
  function browse(who: string, url: string, form?: Record<string, string>): CurlResponse {
    const jar = join(o.jars(), who);
    const args = ["curl", "-sS", "--max-time", "20", "--cacert", o.caFile(), ...o.resolve()];
    args.push("-b", jar, "-c", jar, "-D", "-");
    if (form) {
      args.push("--data", new URLSearchParams(form).toString(), "-H", `origin: ${new URL(url).origin}`);
    }
    const r = Bun.spawnSync([...args, url]);
    if (r.exitCode !== 0) throw new Error(`curl ${url} failed: ${r.stderr.toString()}`);
    const out = r.stdout.toString();
    const split = out.indexOf("\r\n\r\n");
    const head = out.slice(0, split);
    const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(head)![1]);
    const loc = /^location: (.*)$/im.exec(head)?.[1]?.trim() ?? null;
    return { status, location: loc ? new URL(loc, url).toString() : null, body: out.slice(split + 4) };
  }

  /** Follows redirects; stops at a non-redirect and returns it with the URL it came from. */
  function follow(who: string, url: string, max = 10): CurlResponse & { url: string } {
    for (let i = 0; i < max; i++) {
      const res = browse(who, url);
      if (res.status < 300 || res.status >= 400 || !res.location) return { ...res, url };
      url = res.location;
    }
    throw new Error(`More than ${max} redirects from ${url}`);
  }
  return { browse, follow };
}

/**
 * alice's and IdCloud's origins as a browser uses them (through relay-a; the cloud tier's port), and the
 * curl `--resolve` pins that reach them.
 */
export function signInOrigins(h: Harness): { aliceOrigin: string; idOrigin: string; resolve: string[] } {
  const r = h.relay("relay-a");
  const cloudPort = Number(new URL(h.cloudUrl).port);
  return {
    aliceOrigin: `https://alice.${ZONE}:${r.browserPort}`,
    idOrigin: `https://id.${ZONE}:${cloudPort}`,
    resolve: [
      "--resolve",
      `alice.${ZONE}:${r.browserPort}:${r.browserAddresses[0]}`,
      "--resolve",
      `id.${ZONE}:${cloudPort}:127.0.0.1`,
    ],
  };
}
