import { afterEach, beforeEach, expect, test } from "bun:test";
import { type TestCore, testCore } from "../_test_core.ts";
import { Devices, PAIRING_MS, platformOf, ROTATE_AFTER_MS } from "./store.ts";

let t: TestCore;
let clock = 1_800_000_000_000;
let devices: Devices;
beforeEach(async () => {
  t = await testCore();
  devices = new Devices(t.db, () => clock);
});
afterEach(() => t.close());

async function paired() {
  const { token } = await devices.newPairing();
  const p = await devices.pair(token, { name: "Phone", platform: "Android phone" });
  if ("refused" in p) throw new Error(p.refused);
  return p;
}

test("a pairing works once and for five minutes; two racing phones pair one device", async () => {
  const { token } = await devices.newPairing();
  const [a, b] = await Promise.all([
    devices.pair(token, { name: "A", platform: "x" }),
    devices.pair(token, { name: "B", platform: "x" }),
  ]);
  expect(["device" in a, "device" in b].filter(Boolean).length).toBe(1);
  expect((await devices.list()).length).toBe(1);
  const late = await devices.newPairing();
  clock += PAIRING_MS;
  expect(await devices.pair(late.token, { name: "C", platform: "x" })).toEqual({ refused: "expired" });
  expect(await devices.check("x".repeat(43))).toEqual({ refused: "unknown" });
});

test("the credential: verified, rotated after a day, the old secret good until the new one is shown, dead once revoked", async () => {
  const { device, cookie } = await paired();
  expect((await devices.verify(cookie, "127.0.0.1"))?.device.id).toBe(device.id);
  expect(await devices.verify(`${device.id}.${"w".repeat(43)}`, "127.0.0.1")).toBeUndefined();
  clock += ROTATE_AFTER_MS;
  const rotated = (await devices.verify(cookie, "127.0.0.1"))?.rotated;
  expect(rotated).toMatch(new RegExp(`^${device.id}\\.`));
  expect(rotated).not.toBe(cookie);
  // The old secret still works while the phone has not shown the new one (its response may be lost)…
  clock += 30_000;
  expect((await devices.verify(cookie, "127.0.0.1"))?.device.id).toBe(device.id);
  // …and never again once it has.
  expect((await devices.verify(rotated, "127.0.0.1"))?.device.id).toBe(device.id);
  expect(await devices.verify(cookie, "127.0.0.1")).toBeUndefined();
  await devices.revoke(device.id);
  expect(await devices.verify(rotated, "127.0.0.1")).toBeUndefined();
});

test("bad cookie values prove nothing (random and truncated)", async () => {
  const { cookie } = await paired();
  for (let n = 0; n < cookie.length; n++) {
    expect(await devices.verify(cookie.slice(0, n), "x")).toBeUndefined();
  }
  for (const junk of ["", ".", "..", "a.b", "💥.💥", `${"a".repeat(200)}.${"b".repeat(200)}`]) {
    expect(await devices.verify(junk, "x")).toBeUndefined();
  }
});

test("a platform from the User-Agent", () => {
  expect(platformOf("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)")).toBe("iPhone");
  expect(platformOf("Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari")).toBe("Android phone");
  expect(platformOf("Mozilla/5.0 (X11; Linux x86_64) Chrome/126 Safari/537.36")).toBe("Chrome on Linux");
});
