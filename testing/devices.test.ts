/**
 * Pairing a phone through a real relay: the owner asks for a pairing link (a QR code on her page),
 * the phone — another client with no session, through the relay — opens it, names itself and is
 * paired; the owner's page turns to "Paired". The device reaches files, not devices or Settings; a
 * reused, an expired and a made-up link each get a clear page; revoked, the device's next request
 * is refused.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createClient } from "@libsql/client";
import { join } from "node:path";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { asOwner } from "./friends_helpers.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "./userserver_helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
  await restartUserWith(h, "alice", { testOwnerToken: TEST_OWNER_TOKEN });
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length === 1);
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

/** A phone: requests to alice's server through relay A, with its own cookies only. */
function phone() {
  const r = h.relay("relay-a");
  const host = `alice.${ZONE}:${r.browserPort}`;
  const jar = new Map<string, string>();
  return {
    jar,
    async request(path: string, form?: Record<string, string>) {
      const res = await fetch(`https://${r.browserAddresses[0]}:${r.browserPort}${path}`, {
        method: form ? "POST" : "GET",
        redirect: "manual",
        tls: { ca: h.caPem, serverName: `alice.${ZONE}` },
        headers: {
          host,
          "user-agent":
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126 Mobile Safari/537.36",
          ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } : {}),
          ...(form ? { origin: `https://${host}`, "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
      } as RequestInit);
      for (const line of res.headers.getSetCookie()) {
        const [pair = ""] = line.split(";");
        const at = pair.indexOf("=");
        jar.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return { status: res.status, location: res.headers.get("location"), text: await res.text() };
    },
  };
}

async function newPairing(): Promise<{ id: string; url: string }> {
  const made = await asOwner(h, "alice", "/devices/pair", {});
  expect(made.status).toBe(303);
  const id = /\/devices\/pairings\/([A-Za-z0-9_-]+)$/.exec(made.location ?? "")![1]!;
  const page = (await asOwner(h, "alice", `/devices/pairings/${id}`)).text;
  expect(page).toContain("<svg");
  const url = /<figcaption[^>]*>(https:\/\/[^<]+)<\/figcaption>/.exec(page)![1]!;
  return { id, url };
}

test("scan, name, paired: the owner's page follows; the device reaches files and nothing of the owner's", async () => {
  const { id, url } = await newPairing();
  expect(url).toMatch(
    new RegExp(`^https://alice\\.${ZONE.replace(".", "\\.")}:\\d+/pair/[A-Za-z0-9_-]{43}$`),
  );
  const path = new URL(url).pathname;
  const before = (await asOwner(h, "alice", `/devices/pairings/${id}/state`)).text;
  expect(before).toContain('data-state="waiting"');

  const p = phone();
  const open = await p.request(path);
  expect(open.status).toBe(200);
  expect(open.text).toContain('value="Android phone"'); // the name it suggests, editable
  const paired = await p.request(path, { name: "Pia's Pixel" });
  expect(paired.status).toBe(200);
  expect(paired.text).toContain("Pia&#39;s Pixel");
  expect(p.jar.has("__Host-hearth-paired")).toBe(true);
  const after = (await asOwner(h, "alice", `/devices/pairings/${id}/state`)).text;
  expect(after).toContain('data-state="paired"');
  expect(after).toContain("Pia&#39;s Pixel");
  // The device opens files through the relay…
  const browse = await p.request("/browse");
  expect(browse.status).toBe(200);
  expect(browse.text).toContain("Your files");
  // …but not devices, pairing or Settings.
  for (const owner of ["/devices", "/settings", "/friends"]) {
    expect([owner, (await p.request(owner)).status === 200]).toEqual([owner, false]);
  }
  expect((await p.request("/devices/pair", {})).status).not.toBe(303);
  // Listed for the owner, with when and from where it was last seen.
  const list = (await asOwner(h, "alice", "/devices")).text;
  expect(list).toContain("Pia&#39;s Pixel");
  expect(list).toContain("Android phone");
});

test("a used, an expired and a made-up link each get a clear page", async () => {
  const { url } = await newPairing();
  const path = new URL(url).pathname;
  expect((await phone().request(path, { name: "first" })).status).toBe(200);
  const reused = await phone().request(path, { name: "second" });
  expect(reused.status).toBe(410);
  expect(reused.text).toContain("already used");
  expect((await phone().request(path)).text).toContain("already used");

  const late = await newPairing();
  const db = createClient({ url: `file:${join(h.dirs.users.alice!, "userserver.db")}`, timeout: 10_000 });
  try {
    await db.execute({
      sql: "update pairings set expires_at = ? where id = ?",
      args: [Date.now() - 1, late.id],
    });
  } finally {
    db.close();
  }
  const expired = await phone().request(new URL(late.url).pathname, { name: "late" });
  expect(expired.status).toBe(410);
  expect(expired.text).toContain("expired");
  expect((await asOwner(h, "alice", `/devices/pairings/${late.id}/state`)).text).toContain(
    'data-state="expired"',
  );

  const forged = await phone().request(`/pair/${"A".repeat(43)}`);
  expect(forged.status).toBe(404);
  expect(forged.text).toContain("not valid");
  expect((await phone().request("/pair/short")).status).toBe(404);
});

test("revoked: the device's next request is refused", async () => {
  const { url } = await newPairing();
  const p = phone();
  await p.request(new URL(url).pathname, { name: "to revoke" });
  expect((await p.request("/browse")).status).toBe(200);
  const id = /data-device="([A-Za-z0-9_-]+)"[\s\S]*?to revoke/.exec(
    (await asOwner(h, "alice", "/devices")).text,
  )![1]!;
  await asOwner(h, "alice", `/devices/${id}/revoke`, {});
  const after = await p.request("/browse");
  expect(after.status).not.toBe(200);
  const list = (await asOwner(h, "alice", "/devices")).text;
  expect(list).toContain("to revoke can no longer reach this server");
  expect(list).not.toContain(`data-device="${id}"`);
});

/** Same-origin links a page offers: `href`s (places, tabs, items, assets) and what htmx fetches. */
function linksOf(html: string): string[] {
  const found = [...html.matchAll(/\s(?:href|hx-get|src)="(\/(?!\/)[^"#]*)/g)].map((m) =>
    m[1]!.replaceAll("&amp;", "&")
  );
  return [...new Set(found)];
}

test("a device's pages offer only places it may open, and every link on them answers", async () => {
  expect((await asOwner(h, "alice", "/browse/root/mkdir", { name: "Holiday" })).status).toBe(303);
  const { url } = await newPairing();
  const p = phone();
  await p.request(new URL(url).pathname, { name: "crawler" });
  // The owner's side list has the owner's places (so the test below can tell them apart).
  const ownerHome = (await asOwner(h, "alice", "/browse")).text;
  const ownerOnly = ["/links", "/shared", "/activity"];
  for (const place of ownerOnly) expect(ownerHome).toContain(`href="${place}"`);

  // A device's home is its first tab.
  const home = await p.request("/");
  expect([home.status, home.location]).toEqual([303, "/browse"]);
  const places = /<nav class="fm-places"[\s\S]*?<\/nav>/.exec((await p.request("/browse")).text)![0];
  expect([...places.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1])).toEqual([
    "/browse",
    "/recent",
    "/favorites",
    "/camera",
    "/collection",
    "/trash",
  ]);

  // Crawl: the home page, then every page it links to, once each.
  const answered = new Map<string, number>();
  const queue = ["/", "/browse"];
  const pages = new Set<string>();
  while (queue.length) {
    const path = queue.shift()!;
    if (answered.has(path)) continue;
    let r = await p.request(path);
    for (let hops = 0; r.status === 303 && r.location?.startsWith("/") && hops < 3; hops++) {
      r = await p.request(r.location);
    }
    answered.set(path, r.status);
    // Pages one click from home are followed; what they link to is only asked.
    if (r.status === 200 && pages.size < 12 && !/^\/(_static|_pwa|_thumb|_bytes)\//.test(path)) {
      pages.add(path);
      const fromHome = path === "/" || path === "/browse";
      for (const link of linksOf(r.text)) if (fromHome || !answered.has(link)) queue.push(link);
    }
  }
  const failed = [...answered].filter(([, status]) => status !== 200);
  expect(failed).toEqual([]);
  for (const place of ownerOnly) expect(answered.has(place)).toBe(false);
  expect(answered.has("/camera") && answered.has("/collection")).toBe(true);
  // And the places it was not offered are indeed closed to it.
  for (const place of ownerOnly) {
    expect([place, (await p.request(place)).status === 200]).toEqual([place, false]);
  }
});
