/**
 * Photos on a whole user server (its relayed app, a real libSQL file, sharp, ffmpeg): files
 * uploaded through Browse are catalogued by their EXIF time; the timeline's days and windows;
 * trash and restore and delete; the owner's date correction outlives re-processing; a hostile
 * file is recorded as failed; a restart resumes pending work; visitors never reach the owner's
 * routes, and a non-JPEG with a position reaches them re-encoded without it.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import exifr from "exifr";
import sharp from "sharp";
import { type TestServer, testServer } from "../_test_server.ts";
import { ROOT_ID } from "../store/mod.ts";
import { Catalog } from "./catalog.ts";
import { VisitorCopies } from "./visitor_copies.ts";
import { join } from "node:path";

let s: TestServer;
beforeEach(async () => {
  s = await testServer("photos");
});
afterEach(async () => {
  await s.stop();
});

async function jpeg(date: string | undefined, gps = false): Promise<Buffer> {
  return await sharp({ create: { width: 64, height: 48, channels: 3, background: "#48c" } })
    .withExif({
      IFD0: { Make: "Hearth", Model: "Unit" },
      ...(date ? { IFD2: { DateTimeOriginal: date } } : {}),
      ...(gps
        ? {
          IFD3: {
            GPSLatitudeRef: "S",
            GPSLatitude: "33/1 51/1 0/1",
            GPSLongitudeRef: "E",
            GPSLongitude: "151/1 12/1 0/1",
          },
        }
        : {}),
    })
    .jpeg()
    .toBuffer();
}

async function upload(files: Array<[string, Uint8Array | Buffer, string]>): Promise<void> {
  const form = new FormData();
  for (const [name, bytes, type] of files) {
    form.append("files", new File([new Uint8Array(bytes)], name, { type }));
  }
  const res = await s.request(`/browse/${ROOT_ID}/upload`, { method: "POST", body: form });
  expect(res.status).toBeLessThan(400);
}

/** Waits (by condition, not by time) until nothing is pending. */
async function settled(): Promise<void> {
  for (let k = 0; k < 600; k++) {
    const r = s.server.core.reader.get<{ n: number }>(
      "select count(*) as n from photos where state = 'pending'",
    );
    if (r?.n === 0) return;
    await Bun.sleep(50);
  }
  throw new Error("photos still pending after 30 s");
}

/** Waits (by condition) for what a signal does just after a request's answer. */
async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let k = 0; k < 400; k++) {
    if (await cond()) return;
    await Bun.sleep(25);
  }
  throw new Error(`Not so after 10 s: ${what}`);
}
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const idOf = (name: string) =>
  s.server.core.reader.get<{ id: string }>("select id from items where name = $n", { $n: name })!.id;
const days = async () => (await (await s.request("/photos/api/days")).json()).days as Array<[number, number]>;

describe("photos", () => {
  test("catalogued by EXIF time; days and windows newest first; the owner sees the position", async () => {
    await upload([
      ["a.jpg", await jpeg("2024:05:01 14:03:07", true), "image/jpeg"],
      ["b.jpg", await jpeg("2024:05:01 09:00:00"), "image/jpeg"],
      ["c.jpg", await jpeg("2023:12:31 23:59:59"), "image/jpeg"],
      ["notes.txt", Buffer.from("not a photo"), "text/plain"],
    ]);
    await settled();
    expect(await days()).toEqual([[20240501, 2], [20231231, 1]]);
    const win = await (await s.request("/photos/api/windows?q=20240501:0:200,20231231:0:200")).json();
    expect(win["20240501:0"].map((t: { i: string }) => t.i)).toEqual([idOf("a.jpg"), idOf("b.jpg")]);
    expect(win["20231231:0"][0].t).toBe(Date.UTC(2023, 11, 31, 23, 59, 59));
    const info = await (await s.request(`/photos/api/photo/${idOf("a.jpg")}`)).json();
    expect(info.facts.Camera).toBe("Hearth Unit");
    expect(info.gps.latitude).toBeCloseTo(-33.85, 2);
    expect(info.older).toBe(idOf("b.jpg"));
    expect(info.newer).toBeUndefined();
    const thumb = await s.request(`/photos/p/${idOf("c.jpg")}/thumb`);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    expect((await sharp(new Uint8Array(await thumb.arrayBuffer())).metadata()).width).toBe(256);
    // The preview is made when first asked for (the viewer opening the photo), then kept.
    const preview = await s.request(`/photos/p/${idOf("c.jpg")}/preview`);
    expect(preview.headers.get("content-type")).toBe("image/jpeg");
    expect((await sharp(new Uint8Array(await preview.arrayBuffer())).metadata()).width).toBe(64);
  });

  test("trash hides, restore brings back, delete forgets; albums lose deleted photos", async () => {
    await upload([
      ["a.jpg", await jpeg("2024:05:01 14:03:07"), "image/jpeg"],
      ["b.jpg", await jpeg("2022:01:01 10:00:00"), "image/jpeg"],
    ]);
    await settled();
    const a = idOf("a.jpg");
    const made = await s.request("/photos/albums", {
      method: "POST",
      body: new URLSearchParams([["title", "Two"], ["ids", a], ["ids", idOf("b.jpg")]]),
    });
    expect(made.status).toBe(303);
    const album = new URL(made.headers.get("location")!, "https://x").pathname;
    const count = async () => (await (await s.request(album)).text()).match(/(\d+) photos?</)?.[1];
    expect(await count()).toBe("2");

    await s.request("/files/trash", { method: "POST", body: new URLSearchParams([["ids", a]]) });
    await until("trashed", async () => same(await days(), [[20220101, 1]]));
    expect(await count()).toBe("1");
    expect((await s.request(`/photos/api/photo/${a}`)).status).toBe(404);
    await s.request(`/trash/${a}/restore`, { method: "POST" });
    await until("restored", async () => same(await days(), [[20240501, 1], [20220101, 1]]));
    await s.request("/files/trash", { method: "POST", body: new URLSearchParams([["ids", a]]) });
    await until("trashed again", async () => same(await days(), [[20220101, 1]]));
    await s.request(`/trash/${a}/delete`, { method: "POST" });
    await until(
      "forgotten",
      () => s.server.core.reader.all("select 1 from photos where item_id = $i", { $i: a }).length === 0,
    );
    expect(s.server.core.reader.all("select * from photos where item_id = $i", { $i: a })).toEqual([]);
    expect(s.server.core.reader.all("select * from photo_album_items where item_id = $i", { $i: a })).toEqual(
      [],
    );
    expect(await days()).toEqual([[20220101, 1]]);
  });

  test("the owner's date stands when the photo is processed again; a bad date is refused", async () => {
    await upload([["scan.jpg", await jpeg(undefined), "image/jpeg"]]);
    await settled();
    const id = idOf("scan.jpg");
    const bad = await s.request(`/photos/p/${id}/taken`, {
      method: "POST",
      body: new URLSearchParams({ taken: "soon" }),
    });
    expect(bad.status).toBe(400);
    const ok = await s.request(`/photos/p/${id}/taken`, {
      method: "POST",
      body: new URLSearchParams({ taken: "1987-06-05T04:03" }),
    });
    expect(ok.status).toBe(200);
    expect(await days()).toEqual([[19870605, 1]]);
    // Processed again (its content changed): still the owner's date.
    const catalog = new Catalog(s.server.core);
    await s.server.core.signals.emit("item.updated", { id, name: "scan.jpg" });
    await settled();
    expect(catalog.get(id)!.takenFrom).toBe("owner");
    expect(await days()).toEqual([[19870605, 1]]);
  });

  test("a file that is not the image it claims is recorded as failed, with the reason", async () => {
    await upload([["broken.jpg", Buffer.from("\xff\xd8\xff\xe0 this is not a jpeg at all"), "image/jpeg"]]);
    await settled();
    const row = new Catalog(s.server.core).get(idOf("broken.jpg"))!;
    expect(row.state).toBe("failed");
    expect(row.error).toBeTruthy();
    expect((await s.request(`/photos/p/${row.itemId}/thumb`)).status).toBe(404);
    expect((await s.request("/photos")).status).toBe(200);
  });

  test("a visitor never reaches the owner's photo routes", async () => {
    await upload([["a.jpg", await jpeg("2024:05:01 14:03:07"), "image/jpeg"]]);
    await settled();
    s.signIn(undefined);
    for (
      const path of [
        "/photos/api/days",
        `/photos/p/${idOf("a.jpg")}/thumb`,
        `/photos/api/photo/${idOf("a.jpg")}`,
        "/photos/albums",
      ]
    ) {
      const res = await s.request(path, { redirect: "manual" });
      expect([path, res.status === 200]).toEqual([path, false]);
    }
    const made = await s.request("/photos/albums", {
      method: "POST",
      body: new URLSearchParams({ title: "x", ids: "y" }),
    });
    expect(made.status).not.toBe(303);
    expect((await s.request("/photos/s/not-a-real-token-at-all-000000")).status).toBe(404);
  });

  test("a PNG with a position reaches visitors re-encoded without it; one without is sent as it is", async () => {
    const withGps = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#c84" } })
      .withExif({
        IFD3: {
          GPSLatitudeRef: "N",
          GPSLatitude: "10/1 0/1 0/1",
          GPSLongitudeRef: "E",
          GPSLongitude: "20/1 0/1 0/1",
        },
      })
      .png().toBuffer();
    expect((await exifr.gps(withGps))?.latitude).toBeCloseTo(10, 3);
    const plain = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#4c8" } }).png()
      .toBuffer();
    await upload([["where.png", withGps, "image/png"], ["plain.png", plain, "image/png"]]);
    await settled();
    const copies = new VisitorCopies(
      s.server.core,
      new Catalog(s.server.core),
      join(s.dir, "photos", "shared-test"),
    );
    const sent = await copies.of((await s.server.core.store.items.get(idOf("where.png")))!);
    const bytes = await Bun.file(sent.blobPath).arrayBuffer();
    expect(await exifr.gps(Buffer.from(bytes)).catch(() => undefined)).toBeUndefined();
    expect((await sharp(Buffer.from(bytes)).metadata()).width).toBe(40);
    const same = await copies.of((await s.server.core.store.items.get(idOf("plain.png")))!);
    expect(same.blobPath).toBe(
      s.server.core.store.blobs.pathOf((await s.server.core.store.items.get(idOf("plain.png")))!.blobHash!),
    );
  });

  test("a photo shared by an ordinary link reaches its guest without its position; the owner keeps it", async () => {
    await upload([["where.jpg", await jpeg("2024:05:01 14:03:07", true), "image/jpeg"]]);
    await settled();
    const id = idOf("where.jpg");
    const made = await s.request("/api/links", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ itemId: id }),
    });
    expect(made.status).toBe(201);
    const { token } = (await made.json()).link as { token: string };
    const own = Buffer.from(await (await s.request(`/files/${id}`)).arrayBuffer());
    expect((await exifr.gps(own))?.latitude).toBeCloseTo(-33.85, 2);
    s.signIn(undefined);
    const res = await s.request(`/s/${token}/files/${id}`);
    expect(res.status).toBe(200);
    const guest = Buffer.from(await res.arrayBuffer());
    expect(await exifr.gps(guest).catch(() => undefined)).toBeUndefined();
    expect(guest.includes("GPS")).toBe(false);
    expect((await exifr.parse(guest)).Make).toBe("Hearth");
    expect(guest.length).toBeLessThanOrEqual(own.length);
    // A zip of the link's item holds the same bytes the guest gets alone.
    const zip = await s.request(`/s/${token}/zip/${id}`);
    expect(zip.status).toBe(200);
    const zipped = Buffer.from(await zip.arrayBuffer());
    expect(zipped.includes(guest)).toBe(true);
    expect(zipped.includes(own.subarray(0, 2000))).toBe(false);
  });
});
