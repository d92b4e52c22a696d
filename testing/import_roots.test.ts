/**
 * Import roots through a real relay (issue #12.1): a relayed session cannot widen them, cannot
 * import a data directory, and a zip of what it did import never holds a key — even with a root
 * that contains every process's data directory (the harness's base folder).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "./userserver_helpers.ts";

let h: Harness;
let origin: string;

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  // A root above every data directory of the stack (cloud, CA, relay, alice's own), plus one file
  // that may be imported.
  writeFileSync(join(h.baseDir, "notes.txt"), "a plain file");
  await restartUserWith(h, "alice", { importRoots: [h.baseDir], testOwnerToken: TEST_OWNER_TOKEN });
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length === 1, 60_000);
  const r = h.relay("relay-a");
  origin = `https://alice.${ZONE}:${r.browserPort}`;
});
afterAll(async () => await h?.stop());

/** curl through relay A's browser port, as alice (the test owner cookie). */
function viaRelay(path: string, form?: Record<string, string>, out?: string) {
  const r = h.relay("relay-a");
  const args = [
    "curl",
    "-sS",
    "--max-time",
    "30",
    "--cacert",
    h.caFile,
    "--resolve",
    `alice.${ZONE}:${r.browserPort}:${r.browserAddresses[0]}`,
    "-H",
    `cookie: __Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
    "-H",
    `origin: ${origin}`,
    "-w",
    "\n%{http_code} %{redirect_url}",
    ...(out ? ["-o", out] : []),
    ...Object.entries(form ?? {}).flatMap(([k, v]) => ["--data-urlencode", `${k}=${v}`]),
    `${origin}${path}`,
  ];
  const res = Bun.spawnSync(args);
  const text = res.stdout.toString();
  const [code, location] = text.slice(text.lastIndexOf("\n") + 1).split(" ");
  return { status: Number(code), location, body: text.slice(0, text.lastIndexOf("\n")) };
}

test("through the relay, POST /settings importRoots=/ is refused (403) and the roots stay as they were", () => {
  const res = viaRelay("/settings", { importRoots: "/" });
  expect(res.status).toBe(403);
  expect(res.body).toContain("only on this computer");
  const cfg = JSON.parse(readFileSync(join(h.dirs.users.alice, "config.json"), "utf8"));
  expect(cfg.importRoots).toEqual([h.baseDir]);
  const page = viaRelay("/settings");
  expect(page.status).toBe(200);
  expect(page.body).not.toContain('name="importRoots"');
});

test("through the relay, /add of a data directory is refused, whatever the roots say", () => {
  for (
    const dir of [h.dirs.users.alice, join(h.baseDir, "ca"), h.dirs.cloud, `${h.dirs.users.alice}/../alice/`]
  ) {
    const res = viaRelay("/add", { path: dir });
    expect([dir, res.status]).toEqual([dir, 400]);
    expect(res.body).toContain("data folder of a Hearth server");
  }
});

test("importing the folder that holds them all skips every data directory; its zip holds no key", async () => {
  const started = viaRelay("/add", { path: h.baseDir });
  expect(started.status).toBe(303);
  const jobUrl = new URL(started.location).pathname;
  const target = await h.waitFor("the import to finish", () => {
    const page = viaRelay(jobUrl).body;
    return /data-status="done"/.test(page) && /href="\/browse\/([^"]+)"/.exec(page)?.[1];
  }, 60_000);
  const zip = join(h.baseDir, "..", `${h.baseDir.split("/").at(-1)}-out.zip`);
  expect(viaRelay(`/browse/${target}/zip`, undefined, zip).status).toBe(200);
  const list = Bun.spawnSync([
    "python3",
    "-c",
    "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))",
    zip,
  ]);
  expect(list.exitCode).toBe(0);
  const names = list.stdout.toString().split("\n").filter(Boolean);
  expect(names.some((n) => n.endsWith("notes.txt"))).toBe(true); // the control: the import did run
  const keys =
    /(^|\/)(tls\.key|server\.key|ca\.key|issuer\.key|registration\.json|cloud\.db|userserver\.db)$/;
  expect(names.filter((n) => keys.test(n))).toEqual([]);
  Bun.spawnSync(["rm", "-f", zip]);
});
