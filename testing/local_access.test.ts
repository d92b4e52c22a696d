/**
 * The way in on this computer (issue #21), on a real stack with curl: the offline sign-in by
 * `userserver open` (with the cloud tier stopped, Browse, a preview and a download work), and
 * each attack of the founding design refused — a replayed or expired link, the URL's share alone,
 * the file's share alone, a wrong Host (DNS rebinding), a foreign Origin, a public page's
 * private-network preflight, and another OS user of this machine (`setpriv` to `nobody`).
 * A restart ends local sessions; a revoked one ends at once.
 */
import { expect, test } from "bun:test";
import {
  chmodSync,
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { harnessWithAlice } from "./relay_helpers.ts";
import { ZONE } from "./harness.ts";
import { createOpenLogin } from "../userserver/local/open_login.ts";

const harness = harnessWithAlice();
const bun = process.execPath;
const jarDir = mkdtempSync(join(tmpdir(), "hearth-local-"));
chmodSync(jarDir, 0o777); // curl run as another OS user writes its answer here too

interface Curl {
  status: number;
  headers: string;
  body: string;
}

/** curl to alice's local listener (`path`), with a cookie jar; `asNobody` runs it as another OS user. */
async function local(
  path: string,
  o: {
    jar?: string;
    method?: string;
    headers?: string[];
    host?: string;
    asNobody?: boolean;
    ca?: string;
    data?: string;
    /** Skip the certificate check (a rebinding page's browser connects under the attacker's name). */
    insecure?: boolean;
  } = {},
): Promise<Curl> {
  const h = harness();
  const u = h.user("alice");
  const name = o.host ?? `local.alice.${ZONE}`;
  const out = join(jarDir, `out-${Math.random().toString(36).slice(2)}`);
  const args = [
    "curl",
    "-sS",
    "--max-time",
    "30",
    ...(o.insecure ? ["-k"] : ["--cacert", o.ca ?? h.caFile]),
    "--resolve",
    `${name}:${u.localPort}:${u.localAddress}`,
    "-D",
    `${out}.h`,
    "-o",
    `${out}.b`,
    "-w",
    "%{http_code}",
    "-X",
    o.method ?? "GET",
    ...(o.jar ? ["-b", o.jar, "-c", o.jar] : []),
    ...(o.headers ?? []).flatMap((x) => ["-H", x]),
    ...(o.data !== undefined ? ["--data", o.data] : []),
    `https://${name}:${u.localPort}${path}`,
  ];
  const cmd = o.asNobody ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...args] : args;
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const [code, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  await p.exited;
  if (code === "000") throw new Error(`curl failed: ${err}`);
  const read = (f: string) => {
    try {
      return readFileSync(f, "utf8");
    } catch {
      return "";
    }
  };
  const res = { status: Number(code), headers: read(`${out}.h`), body: read(`${out}.b`) };
  rmSync(`${out}.h`, { force: true });
  rmSync(`${out}.b`, { force: true });
  return res;
}

/** Runs `bun run userserver open` for alice; answers the path of the link it printed. */
async function openCommand(): Promise<string> {
  const h = harness();
  const p = Bun.spawn([bun, "userserver/main.ts", "open", "--data-dir", h.dirs.users.alice], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, DISPLAY: "", WAYLAND_DISPLAY: "" },
  });
  const out = await new Response(p.stdout).text();
  expect(await p.exited).toBe(0);
  const url = /https:\/\/\S+/.exec(out)?.[0];
  expect(url).toBeDefined();
  const u = new URL(url!);
  expect(u.host).toBe(`local.alice.${ZONE}:${h.user("alice").localPort}`);
  return u.pathname + u.search;
}

const jar = (name: string) => join(jarDir, `${name}.jar`);

test("before signing in: a landing page with no data, and Browse sends to the local sign-in", async () => {
  const landing = await local("/");
  expect(landing.status).toBe(200);
  expect(landing.body).toContain("Sign in on this computer");
  const browse = await local("/browse", { headers: ["accept: text/html"] });
  expect(browse.status).toBe(303);
  expect(browse.headers).toMatch(/location: \/local\/signin\?next=%2Fbrowse/i);
  expect((await local("/api/links")).status).toBe(401);
});

test(
  "offline: `userserver open` signs this browser in; with the cloud tier stopped Browse, preview and download work",
  async () => {
    const h = harness();
    const link = await openCommand();
    // The link's file is private to the server's user.
    const files = readdirSync(join(h.dirs.users.alice, "local-open"));
    expect(files.length).toBeGreaterThan(0);
    await h.processes.get("cloud")?.stop();
    try {
      const signedIn = await local(link, { jar: jar("offline") });
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers).toMatch(/set-cookie: __Host-hearth-local=[^;]+;.*Secure/i);
      expect(signedIn.headers).toMatch(/set-cookie: [^\n]*HttpOnly/i);
      expect(signedIn.headers).toMatch(/set-cookie: [^\n]*SameSite=Strict/i);
      // A folder and a file, made through the local listener itself.
      const made = await local("/browse/root/mkdir", {
        jar: jar("offline"),
        method: "POST",
        headers: [`origin: https://local.alice.${ZONE}:${h.user("alice").localPort}`],
        data: "name=Made+locally",
      });
      expect(made.status).toBe(303);
      const browse = await local("/browse", { jar: jar("offline"), headers: ["accept: text/html"] });
      expect(browse.status).toBe(200);
      expect(browse.body).toContain("Made locally");
      // Upload a file with tus and read it back: preview page and download.
      const b64 = (v: string) => Buffer.from(v).toString("base64");
      const origin = `origin: https://local.alice.${ZONE}:${h.user("alice").localPort}`;
      const created = await local("/upload/tus", {
        jar: jar("offline"),
        method: "POST",
        headers: [
          origin,
          "tus-resumable: 1.0.0",
          "upload-length: 5",
          `upload-metadata: filename ${b64("hello.txt")},parent ${b64("root")}`,
        ],
      });
      expect(created.status).toBe(201);
      const location = /location: (\S+)/i.exec(created.headers)![1]!;
      const bodyFile = join(jarDir, "hello.txt");
      writeFileSync(bodyFile, "hello");
      const u = h.user("alice");
      const put = Bun.spawnSync([
        "curl",
        "-sS",
        "--cacert",
        h.caFile,
        "--resolve",
        `local.alice.${ZONE}:${u.localPort}:${u.localAddress}`,
        "-b",
        jar("offline"),
        "-X",
        "PATCH",
        "-H",
        origin,
        "-H",
        "tus-resumable: 1.0.0",
        "-H",
        "upload-offset: 0",
        "-H",
        "content-type: application/offset+octet-stream",
        "--data-binary",
        `@${bodyFile}`,
        "-D",
        "-",
        "-o",
        "/dev/null",
        `https://local.alice.${ZONE}:${u.localPort}${new URL(location, "https://x").pathname}`,
      ]);
      const itemId = /hearth-item-id: (\S+)/i.exec(put.stdout.toString())?.[1];
      expect(itemId).toBeDefined();
      const preview = await local(`/browse/${itemId}`, {
        jar: jar("offline"),
        headers: ["accept: text/html"],
      });
      expect(preview.status).toBe(200);
      expect(preview.body).toContain("hello.txt");
      const download = await local(`/files/${itemId}?download=1`, { jar: jar("offline") });
      expect(download.status).toBe(200);
      expect(download.body).toBe("hello");
    } finally {
      await h.start("cloud");
    }
  },
  120_000,
);

test("the same link twice: the second is refused (one use)", async () => {
  const link = await openCommand();
  expect((await local(link, { jar: jar("once") })).status).toBe(303);
  const again = await local(link, { jar: jar("again") });
  expect(again.status).toBe(403);
  expect(again.body).toContain("used already");
});

test("the URL's share alone, the file's share alone, an expired link: refused", async () => {
  const h = harness();
  const dataDir = h.dirs.users.alice;
  // The URL's share with the file gone (someone saw the link after it was used, or guessed an id).
  const seen = await openCommand();
  const id = new URL(seen, "https://x").searchParams.get("id")!;
  rmSync(join(dataDir, "local-open", id), { force: true });
  expect((await local(seen)).status).toBe(403);
  // The file's share alone: someone who can read the file but never saw the URL.
  const fresh = createOpenLogin(dataDir);
  const file = JSON.parse(readFileSync(join(dataDir, "local-open", fresh.id), "utf8")) as { b: string };
  const fromFile = await local(`/local/open?id=${fresh.id}&a=${file.b}`);
  expect(fromFile.status).toBe(403);
  expect(fromFile.body).toContain("not valid");
  // Expired: made more than two minutes ago.
  const old = createOpenLogin(dataDir, Date.now() - 180_000);
  const expired = await local(`/local/open?id=${old.id}&a=${old.a}`);
  expect(expired.status).toBe(403);
  expect(expired.body).toContain("expired");
});

test("DNS rebinding: any Host but the listener's own name is refused before routing", async () => {
  for (const host of ["evil.example", `alice.${ZONE}`, `bob.${ZONE}`]) {
    const r = await local("/", { host, insecure: true });
    expect(r.status).toBe(421);
  }
  // Even with a signed-in session's cookie, a foreign Host gets nothing.
  const link = await openCommand();
  await local(link, { jar: jar("rebind") });
  const h = harness();
  const u = h.user("alice");
  const r = Bun.spawnSync([
    "curl",
    "-sS",
    "-k",
    "-b",
    jar("rebind"),
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    "-H",
    "host: evil.example",
    `https://${u.localAddress}:${u.localPort}/browse`,
  ]);
  expect(r.stdout.toString()).toBe("421");
});

test("a foreign Origin cannot change anything; a public page's private-network preflight gets no permission", async () => {
  const h = harness();
  const link = await openCommand();
  await local(link, { jar: jar("origin") });
  for (const origin of ["https://evil.example", `https://bob.${ZONE}`, `https://alice.${ZONE}`, "null"]) {
    const r = await local("/browse/root/mkdir", {
      jar: jar("origin"),
      method: "POST",
      headers: [`origin: ${origin}`],
      data: "name=Forged",
    });
    expect(r.status).toBe(403);
  }
  const pre = await local("/browse", {
    method: "OPTIONS",
    headers: [
      "origin: https://evil.example",
      "access-control-request-method: GET",
      "access-control-request-private-network: true",
    ],
  });
  expect(pre.headers).not.toMatch(/access-control-allow-origin/i);
  expect(pre.headers).not.toMatch(/access-control-allow-private-network/i);
  expect(h.user("alice").localAddress).toBe("127.0.0.1");
});

test("another OS user of this computer gets nothing, even with the owner's link", async () => {
  const h = harness();
  // The CA must be readable by that user (the test's own copy; the stack's is 0600).
  const ca = join(mkdtempSync(join(tmpdir(), "hearth-ca-")), "ca.crt");
  copyFileSync(h.caFile, ca);
  chmodSync(join(ca, ".."), 0o755);
  chmodSync(ca, 0o644);
  const link = await openCommand();
  const r = await local(link, { asNobody: true, ca });
  expect(r.status).toBe(403);
  expect(r.body).toContain("only the user who runs this server");
  // The link was not spent by the refused request: the owner's browser still gets in.
  expect((await local(link, { jar: jar("owner") })).status).toBe(303);
  expect((await local("/", { asNobody: true, ca })).status).toBe(403);
});

test("local sessions are listed and revoked; a restart ends them", async () => {
  const h = harness();
  const link = await openCommand();
  expect((await local(link, { jar: jar("revoke") })).status).toBe(303);
  const list = await local("/settings/local-sessions", {
    jar: jar("revoke"),
    headers: ["accept: text/html"],
  });
  expect(list.status).toBe(200);
  expect(list.body).toContain("Signed in with userserver open");
  const id = /local-sessions\/([A-Za-z0-9_-]+)\/revoke/.exec(list.body)![1];
  const origin = `origin: https://local.alice.${ZONE}:${h.user("alice").localPort}`;
  expect(
    (await local(`/settings/local-sessions/${id}/revoke`, {
      jar: jar("revoke"),
      method: "POST",
      headers: [origin],
    })).status,
  )
    .toBe(303);
  expect((await local("/browse", { jar: jar("revoke"), headers: ["accept: text/html"] })).status).toBe(303);
  // A restart ends every local session.
  const again = await openCommand();
  expect((await local(again, { jar: jar("restart") })).status).toBe(303);
  expect((await local("/browse", { jar: jar("restart"), headers: ["accept: text/html"] })).status).toBe(200);
  await h.processes.get("user:alice")?.stop();
  await h.start("user:alice");
  expect((await local("/browse", { jar: jar("restart"), headers: ["accept: text/html"] })).status).toBe(303);
}, 120_000);

test("import folders are changed here, on this computer; a data directory or / is refused with a sentence", async () => {
  const h = harness();
  const link = await openCommand();
  expect((await local(link, { jar: jar("roots") })).status).toBe(303);
  const origin = `origin: https://local.alice.${ZONE}:${h.user("alice").localPort}`;
  const photos = mkdtempSync(join(tmpdir(), "hearth-photos-"));
  const saved = await local("/settings", {
    jar: jar("roots"),
    method: "POST",
    headers: [origin],
    data: `importRoots=${encodeURIComponent(photos)}`,
  });
  expect(saved.status).toBe(200);
  expect(saved.body).toContain("Import folders saved");
  const config = JSON.parse(readFileSync(join(h.dirs.users.alice, "config.json"), "utf8")) as {
    importRoots: string[];
  };
  expect(config.importRoots).toContain(photos);
  for (const bad of ["/", h.dirs.users.alice]) {
    const refused = await local("/settings", {
      jar: jar("roots"),
      method: "POST",
      headers: [origin],
      data: `importRoots=${encodeURIComponent(bad)}`,
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('role="alert"');
  }
});
