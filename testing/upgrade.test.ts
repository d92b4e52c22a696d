/**
 * Upgrades: every data directory kept in testing/fixtures/userserver-<version>/ (made by that
 * version's code with make_userserver_fixture.ts) is started on today's code. The server must
 * apply its migrations up to the newest, load the old config, and serve the old data: the owner's
 * files byte for byte, the folder listing, the share link to a guest, and the friend.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { TEST_OWNER_TOKEN } from "./userserver_helpers.ts";

const fixturesDir = join(import.meta.dir, "fixtures");
const fixtures = readdirSync(fixturesDir).filter((d) => d.startsWith("userserver-")).sort();
/** Keys of config.json that belong to the machine and the harness run, not to the user's data. */
const MACHINE_KEYS = ["cloudUrl", "cloudServerName", "caFile", "localAddress", "localPort", "publicPort"];
const journal = JSON.parse(
  readFileSync(join(import.meta.dir, "..", "migrations", "userserver", "meta", "_journal.json"), "utf8"),
) as { entries: unknown[] };

interface Expected {
  folder: { name: string; id: string };
  files: { folder: string; name: string; text: string; id: string; sha256: string }[];
  link: { token: string; itemId: string };
  friend?: { name: string };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relays: 0, users: ["alice"] });
});
afterAll(async () => await h?.stop());

test("there is at least one fixture", () => {
  expect(fixtures.length).toBeGreaterThan(0);
});

for (const fixture of fixtures) {
  test(`a data dir made by ${fixture} starts on today's code, migrates and serves its data`, async () => {
    const from = join(fixturesDir, fixture);
    const expected = JSON.parse(readFileSync(join(from, "expected.json"), "utf8")) as Expected;
    const dir = h.dirs.users.alice;
    await h.processes.get("user:alice")?.stop();

    // alice's identity (keys, certificate, registration) stays; her data becomes the fixture's.
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith("userserver.db") || entry === "blobs" || entry === "thumbs") {
        rmSync(join(dir, entry), { recursive: true, force: true });
      }
    }
    cpSync(join(from, "userserver.db"), join(dir, "userserver.db"));
    cpSync(join(from, "blobs"), join(dir, "blobs"), { recursive: true });
    const machine = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    const old = JSON.parse(readFileSync(join(from, "config.json"), "utf8"));
    const config = { ...old, testOwnerToken: TEST_OWNER_TOKEN };
    for (const key of MACHINE_KEYS) if (key in machine) config[key] = machine[key];
    writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2));
    expect(existsSync(join(dir, "userserver.db-wal"))).toBe(false);

    await h.start("user:alice");

    const db = new Database(join(dir, "userserver.db"), { readonly: true });
    try {
      const applied = (db.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n;
      expect(applied).toBe(journal.entries.length);
    } finally {
      db.close();
    }

    const port = h.user("alice").publicPort;
    const request = (path: string, { owner = true } = {}) =>
      fetch(`https://alice.${ZONE}${path}`, {
        redirect: "manual",
        unix: join(dir, "relayed.sock"),
        tls: { ca: h.caPem },
        headers: {
          ...(owner ? { cookie: `__Host-hearth-test-owner=${TEST_OWNER_TOKEN}` } : {}),
          origin: `https://alice.${ZONE}${port === 443 ? "" : `:${port}`}`,
        },
      } as RequestInit);

    for (const f of expected.files) {
      const res = await request(`/files/${f.id}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(f.text);
    }
    const folder = await (await request(`/browse/${expected.folder.id}`)).text();
    for (const f of expected.files.filter((x) => x.folder === expected.folder.name)) {
      expect(folder).toContain(f.name);
    }

    // The share link still opens for a guest (no owner cookie), and serves a file in the folder.
    const page = await request(`/s/${expected.link.token}`, { owner: false });
    expect(page.status).toBe(200);
    const shared = await page.text();
    const inFolder = expected.files.find((x) => x.folder === expected.folder.name)!;
    expect(shared).toContain(inFolder.name);
    const guestFile = await request(`/s/${expected.link.token}/files/${inFolder.id}`, { owner: false });
    expect(guestFile.status).toBe(200);
    expect(await guestFile.text()).toBe(inFolder.text);

    if (expected.friend) {
      // The friend is kept (offline here: the page lists it without reaching it).
      const friends = await request("/friends");
      expect(friends.status).toBe(200);
      expect(await friends.text()).toContain(expected.friend.name);
    }
  }, 180_000);
}
