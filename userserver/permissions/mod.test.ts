import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type TestCore, testCore } from "../_test_core.ts";
import { ROOT_ID } from "../store/mod.ts";
import { PermissionError } from "./mod.ts";

let t: TestCore;
beforeEach(async () => void (t = await testCore("alice")));
afterEach(() => t.close());

describe("permissions", () => {
  test("the owner may do anything; nobody else may do anything by default", async () => {
    const f = await t.store.createFolder(ROOT_ID, "Private");
    const p = t.permissions;
    expect(await p.can({ name: "alice" }, f.id, "write")).toBe(true);
    expect(await p.can({ name: "alice" }, ROOT_ID, "read")).toBe(true);
    expect(await p.can({ name: "bob" }, f.id, "read")).toBe(false);
    expect(await p.can(undefined, f.id, "read")).toBe(false);
    expect(await p.can({ name: "alice" }, "no-such-item", "read")).toBe(false);
  });

  test("ACLs inherit from the folder unless set; write implies read; unset restores inheritance", async () => {
    const p = t.permissions;
    const family = await t.store.createFolder(ROOT_ID, "Family");
    const trip = await t.store.createFolder(family.id, "Trip");
    const deeper = await t.store.createFolder(trip.id, "Day 1");
    await p.setAcl(family.id, [{ principal: "user:bob", access: "read" }, {
      principal: "user:carol",
      access: "write",
    }]);
    expect(await p.can({ name: "bob" }, deeper.id, "read")).toBe(true);
    expect(await p.can({ name: "bob" }, deeper.id, "write")).toBe(false);
    expect(await p.can({ name: "carol" }, deeper.id, "read")).toBe(true);
    expect(await p.can({ name: "carol" }, deeper.id, "write")).toBe(true);
    expect(await p.can({ name: "bob" }, ROOT_ID, "read")).toBe(false);

    await p.setAcl(trip.id, [{ principal: "user:dave", access: "read" }]); // overrides, not merges
    expect(await p.can({ name: "bob" }, deeper.id, "read")).toBe(false);
    expect(await p.can({ name: "dave" }, deeper.id, "read")).toBe(true);
    expect(await p.can({ name: "bob" }, family.id, "read")).toBe(true);
    expect((await p.effective(deeper.id)).from).toBe(trip.id);

    await p.setAcl(trip.id, null);
    expect(await p.can({ name: "bob" }, deeper.id, "read")).toBe(true);
    expect(await p.can({ name: "dave" }, deeper.id, "read")).toBe(false);
    expect((await p.effective(deeper.id)).from).toBe(family.id);

    await p.setAcl(trip.id, []); // an empty own ACL shuts everyone but the owner out
    expect(await p.can({ name: "bob" }, deeper.id, "read")).toBe(false);
    expect(await p.can({ name: "alice" }, deeper.id, "write")).toBe(true);
  });

  test("groups grant what their entry says to their members only", async () => {
    const p = t.permissions;
    const photos = await t.store.createFolder(ROOT_ID, "Photos");
    await p.setAcl(photos.id, [{ principal: "group:family", access: "write" }, {
      principal: "group:friends",
      access: "read",
    }]);
    await p.addToGroup("family", "bob");
    await p.addToGroup("friends", "erin");
    expect(await p.can({ name: "bob" }, photos.id, "write")).toBe(true);
    expect(await p.can({ name: "erin" }, photos.id, "read")).toBe(true);
    expect(await p.can({ name: "erin" }, photos.id, "write")).toBe(false);
    expect(await p.can({ name: "mallory" }, photos.id, "read")).toBe(false);
    await p.removeFromGroup("family", "bob");
    expect(await p.can({ name: "bob" }, photos.id, "read")).toBe(false);
    expect(await p.groupsOf("erin")).toEqual(["friends"]);
  });

  test("malformed principals are refused", async () => {
    await expect(t.permissions.setAcl(ROOT_ID, [{ principal: "everyone" as never, access: "read" }])).rejects
      .toThrow(
        PermissionError,
      );
  });
});
