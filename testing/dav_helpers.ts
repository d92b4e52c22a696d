/**
 * For WebDAV tests against a real stack: an app password written straight into the user server's
 * database (as Settings would make it), and native clients (litmus, rclone) run with alice's name
 * resolving to a relay and the dev CA trusted — in a private mount namespace whose /etc/hosts
 * names the relay (`unshare`, as root, as CI runs), so nothing on the machine changes.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomToken } from "../shared/crypto/mod.ts";
import { type Harness, ZONE } from "./harness.ts";

export async function createAppPassword(h: Harness, user: string, label: string): Promise<string> {
  const id = randomToken(12);
  const secret = randomToken(32);
  const db = new Database(join(h.dirs.users[user], "userserver.db"));
  try {
    db.run("pragma busy_timeout = 10000");
    db.run("insert into app_passwords (id, label, hash, created_at) values (?, ?, ?, ?)", [
      id,
      label,
      await Bun.password.hash(secret, { algorithm: "argon2id" }),
      Date.now(),
    ]);
  } finally {
    db.close();
  }
  return `${id}.${secret}`;
}

/** `cmd` with `<user>.<zone>` resolving to the relay, the dev CA trusted; answers exit code and output. */
export async function runAsClient(
  h: Harness,
  user: string,
  cmd: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  const relay = h.relaySpecs[0];
  const dir = mkdtempSync(join(tmpdir(), "hearth-dav-client-"));
  const hosts = join(dir, "hosts");
  writeFileSync(hosts, `127.0.0.1 localhost\n${relay.browserAddresses[0]} ${user}.${ZONE}\n`);
  const quoted = cmd.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const p = Bun.spawn([
    "unshare",
    "--mount",
    "sh",
    "-c",
    `mount --bind '${hosts}' /etc/hosts && exec ${quoted} 2>&1`,
  ], {
    env: { ...process.env, SSL_CERT_FILE: h.caFile, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = await new Response(p.stdout).text();
  return { code: await p.exited, out };
}

export function davUrl(h: Harness, user: string): string {
  return `https://${user}.${ZONE}:${h.relaySpecs[0].browserPort}/dav/`;
}

/**
 * rclone with a `hearth:` remote for `user`'s WebDAV (vendor owncloud: modification times are kept, as
 * bisync needs), its config in `dir`; answers a runner of `rclone <args>` as a client of the relay.
 */
export async function rcloneFor(h: Harness, user: string, password: string, dir: string) {
  const conf = join(dir, "rclone.conf");
  const obscured = (await runAsClient(h, user, ["rclone", "obscure", password])).out.trim();
  const remote = `[hearth]\ntype = webdav\nurl = ${davUrl(h, user)}\nvendor = owncloud\nuser = ${user}\n`;
  writeFileSync(conf, `${remote}pass = ${obscured}\n`);
  return (...args: string[]) => runAsClient(h, user, ["rclone", "--config", conf, ...args]);
}
