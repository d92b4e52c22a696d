/**
 * The offline way in: `bun run userserver open`, run by the OS user who runs the server, splits a
 * fresh secret S into two shares, A ⊕ B = S. B goes into a file only that user can read
 * (`<dataDir>/local-open/<id>`, 0600, with SHA-256(S) and an expiry); A goes into the one-time URL
 * the command opens in the browser. The local listener admits the browser only when A (from the
 * URL) and B (from the file, which it then deletes) rebuild S: the URL alone — in a history, on a
 * screen — is worthless without the file, the file alone gives no URL, and either is used once
 * and within two minutes.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const OPEN_LOGIN_TTL_MS = 120_000;
const ID = /^[A-Za-z0-9_-]{16,64}$/;
const SHARE = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, unpadded base64url

export interface OpenLogin {
  id: string;
  /** The URL's share, base64url. */
  a: string;
}

const dirOf = (dataDir: string) => join(dataDir, "local-open");
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64url");
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Writes the file's share and answers the URL's (the `open` command). */
export function createOpenLogin(dataDir: string, now = Date.now()): OpenLogin {
  const dir = dirOf(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const secret = randomBytes(32);
  const a = randomBytes(32);
  const b = secret.map((x, i) => x ^ a[i]!);
  const id = randomBytes(18).toString("base64url");
  writeFileSync(
    join(dir, id),
    JSON.stringify({ b: b64(b), hash: sha(secret), expires: now + OPEN_LOGIN_TTL_MS }),
    { mode: 0o600, flag: "wx" },
  );
  return { id, a: b64(a) };
}

export type RedeemResult = { ok: true } | { ok: false; why: string };

/**
 * Checks the URL's share against the file's and burns the file whatever the outcome (a wrong
 * guess costs the owner one `open`, never a second try for the guesser).
 */
export function redeemOpenLogin(
  dataDir: string,
  id: string,
  a: string,
  opts: { uid?: number; now?: number } = {},
): RedeemResult {
  if (!ID.test(id) || !SHARE.test(a)) return { ok: false, why: "This sign-in link is not valid." };
  const path = join(dirOf(dataDir), id);
  let text: string;
  let st;
  try {
    st = statSync(path);
    text = readFileSync(path, "utf8");
  } catch {
    return {
      ok: false,
      why: "This sign-in link was used already, or has expired. Run `userserver open` again.",
    };
  } finally {
    rmSync(path, { force: true });
  }
  // Written by the OS user the server runs as, and readable by no one else.
  const uid = opts.uid ?? process.getuid?.();
  if ((uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0 || !st.isFile()) {
    return {
      ok: false,
      why: "The sign-in file is not private to the server's user; run `userserver open` again.",
    };
  }
  let parsed: { b?: unknown; hash?: unknown; expires?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, why: "The sign-in file is damaged; run `userserver open` again." };
  }
  if (typeof parsed.expires !== "number" || (opts.now ?? Date.now()) > parsed.expires) {
    return { ok: false, why: "This sign-in link has expired (two minutes). Run `userserver open` again." };
  }
  if (typeof parsed.b !== "string" || !SHARE.test(parsed.b) || typeof parsed.hash !== "string") {
    return { ok: false, why: "The sign-in file is damaged; run `userserver open` again." };
  }
  const av = Buffer.from(a, "base64url");
  const bv = Buffer.from(parsed.b, "base64url");
  const secret = av.map((x, i) => x ^ bv[i]!);
  const got = Buffer.from(sha(secret), "hex");
  const want = Buffer.from(parsed.hash, "hex");
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    return { ok: false, why: "This sign-in link is not valid." };
  }
  return { ok: true };
}
