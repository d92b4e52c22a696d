/**
 * The activity stream on a real server: an import-sized burst is one entry with its count, link
 * events are attributed to the link, the page filters by kind and item, and old entries are swept.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import { type Item, ROOT_ID } from "../store/mod.ts";
import { switchableAuth } from "../web/_test_auth.ts";
import { ActivityStream } from "./stream.ts";

const dir = mkdtempSync(join(tmpdir(), "hearth-activity-"));
writeFileSync(
  join(dir, "config.json"),
  JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true }),
);
const { auth, signIn } = switchableAuth("alice");
const ORIGIN = "https://alice.hearth.localhost";
let s: UserServer;
let photos: Item;

beforeAll(async () => {
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  s = await startUserServer({ config, log: silentLogger, auth, listen: false });
  photos = await s.core.store.createFolder(ROOT_ID, "Photos");
});
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const page = async (q = "") => await (await s.relayedApp.request(`${ORIGIN}/activity${q}`)).text();

describe("activity", () => {
  test("10,000 files added to one folder are one entry: “10,000 files added to Photos”", async () => {
    for (let i = 0; i < 10_000; i++) {
      await s.core.signals.emit("item.created", {
        id: `p${i}`,
        parentId: photos.id,
        name: `IMG_${i}.jpg`,
        kind: "file",
        size: 1,
        origin: "import",
      });
    }
    const html = await page();
    expect(html).toContain("10,000 files added to Photos");
    const rows = s.core.reader.all<{ count: number }>(
      "select count from activity where kind = 'added' and item_id = $f",
      {
        $f: photos.id,
      },
    );
    expect(rows).toEqual([{ count: 10_000 }]);
  }, 300_000);

  test("link events name the link; the page filters by kind and by item", async () => {
    const tmp = join(dir, "a.txt");
    writeFileSync(tmp, "a");
    const file =
      (await s.core.store.importFile(ROOT_ID, "a.txt", tmp, { mtime: 1, type: "text/plain" })).item;
    for (let i = 0; i < 3; i++) {
      await s.core.signals.emit("link.downloaded", {
        linkId: "l1",
        label: "Family",
        itemId: file.id,
        name: "a.txt",
      });
    }
    expect(await page("?kind=link.download")).toContain("3 downloads through link “Family”");
    expect(await page("?kind=link.download")).not.toContain("files added to Photos");
    const forItem = await page(`?item=${file.id}`);
    expect(forItem).toContain("through link “Family”");
    expect(forItem.slice(forItem.indexOf('class="act-list"'))).not.toContain("Photos");
    // And on the file's own page.
    expect(await (await s.relayedApp.request(`${ORIGIN}/browse/${file.id}`)).text()).toContain(
      "3 downloads through link “Family”",
    );
  }, 300_000);

  test(
    "who: a change made over WebDAV is the device's (its app password's label), the owner's own is hers",
    async () => {
      const made = await s.relayedApp.request(`${ORIGIN}/settings/app-passwords`, {
        method: "POST",
        headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
        body: "label=Pixel",
      });
      const password = /id="new-app-password">([^<]+)</.exec(await made.text())![1];
      signIn(undefined); // only the app password speaks now
      const put = await s.relayedApp.request(`${ORIGIN}/dav/Photos/from-phone.txt`, {
        method: "PUT",
        headers: { authorization: `Basic ${btoa(`alice:${password}`)}` },
        body: "hello",
      });
      expect(put.status).toBe(201);
      signIn("alice");
      const work = await s.core.store.createFolder(ROOT_ID, "Work"); // a place with nothing to join
      await s.relayedApp.request(`${ORIGIN}/browse/${work.id}/mkdir`, {
        method: "POST",
        headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
        body: "name=By+alice",
      });
      expect(await page("?kind=added")).toContain("device “Pixel”");
      const rows = s.core.reader.all<{ title: string; actor_kind: string; actor: string }>(
        "select title, actor_kind, actor from activity where kind = 'added' and count = 1 order by first_at",
      );
      expect(rows).toContainEqual({
        title: "from-phone.txt added to Photos",
        actor_kind: "device",
        actor: "Pixel",
      });
      expect(rows).toContainEqual({ title: "By alice added to Work", actor_kind: "owner", actor: "alice" });
    },
    300_000,
  );

  test("bursts apart in time are apart; old entries are swept", async () => {
    let now = 1_000_000;
    const stream = new ActivityStream(s.core.db, () => now);
    const ev = (at: number) => ({
      kind: "edited",
      actorKind: "owner" as const,
      actor: "alice",
      placeId: "x",
      itemId: "x",
      title: (n: number) => `x edited ${n}`,
      at,
    });
    stream.record(ev(now));
    stream.record(ev(now + 30_000));
    stream.record(ev(now + 200_000));
    await stream.flush();
    const rows = s.core.reader.all<{ count: number }>(
      "select count from activity where item_id = 'x' order by first_at",
    );
    expect(rows.map((r) => r.count)).toEqual([2, 1]);
    now += 100 * 86_400_000;
    expect(await stream.sweep(90)).toBeGreaterThanOrEqual(2);
    expect(s.core.reader.all("select 1 from activity where item_id = 'x'")).toEqual([]);
  }, 300_000);
});
