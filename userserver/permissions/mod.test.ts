import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type TestCore, testCore } from "../_test_core.ts";
import { ROOT_ID } from "../store/mod.ts";
import { ANONYMOUS, PermissionError, type Viewer } from "./mod.ts";

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

describe("the access check, for every kind of viewer", () => {
  const names = (g: { ancestry: { name: string }[] } | undefined) => g?.ancestry.map((i) => i.name || "Home");

  test("the owner and a paired device reach everything, with the whole ancestry in one answer", async () => {
    const a = await t.store.createFolder(ROOT_ID, "A");
    const b = await t.store.createFolder(a.id, "B");
    const c = await t.store.createFolder(b.id, "C");
    for (
      const v of [{ kind: "owner", name: "alice" }, { kind: "device", id: "d1", name: "phone" }] as Viewer[]
    ) {
      const g = await t.permissions.check(v, c.id, "write");
      expect(g?.item.id).toBe(c.id);
      expect(names(g)).toEqual(["Home", "A", "B", "C"]);
    }
    expect(await t.permissions.check({ kind: "owner", name: "alice" }, "no-such-item", "read"))
      .toBeUndefined();
  });

  test("a friend with an ACL on an ancestor sees the child; write only where the entry says so", async () => {
    const shared = await t.store.createFolder(ROOT_ID, "Shared");
    const child = await t.store.createFolder(shared.id, "Child");
    const bob: Viewer = { kind: "friend", name: "bob" };
    expect(await t.permissions.check(bob, child.id, "read")).toBeUndefined();
    await t.permissions.setAcl(shared.id, [{ principal: "user:bob", access: "read" }]);
    expect(names(await t.permissions.check(bob, child.id, "read"))).toEqual(["Home", "Shared", "Child"]);
    expect(await t.permissions.check(bob, child.id, "write")).toBeUndefined();
    expect(await t.permissions.check(bob, ROOT_ID, "read")).toBeUndefined();
    // Through a group: erin is in "family", which may write.
    const erin: Viewer = { kind: "friend", name: "erin" };
    expect(await t.permissions.check(erin, child.id, "read")).toBeUndefined();
    await t.permissions.setAcl(shared.id, [{ principal: "group:family", access: "write" }]);
    await t.permissions.addToGroup("family", "erin");
    expect((await t.permissions.check(erin, child.id, "write"))?.item.id).toBe(child.id);
    expect(await t.permissions.check(bob, child.id, "read")).toBeUndefined();
  });

  test("a link guest scoped to a subtree sees only it, and not the names above it", async () => {
    const trip = await t.store.createFolder(ROOT_ID, "Trip");
    const day = await t.store.createFolder(trip.id, "Day 1");
    const other = await t.store.createFolder(ROOT_ID, "Other");
    const guest: Viewer = {
      kind: "linkGuest",
      linkId: "l1",
      label: "Trip",
      rootId: trip.id,
      access: "read",
      mayComment: false,
    };
    expect(names(await t.permissions.check(guest, day.id, "read"))).toEqual(["Trip", "Day 1"]);
    expect(names(await t.permissions.check(guest, trip.id, "read"))).toEqual(["Trip"]);
    expect(await t.permissions.check(guest, day.id, "write")).toBeUndefined();
    expect(await t.permissions.check(guest, other.id, "read")).toBeUndefined();
    expect(await t.permissions.check(guest, ROOT_ID, "read")).toBeUndefined();
    const writer: Viewer = {
      kind: "linkGuest",
      linkId: "l2",
      label: "Drop",
      rootId: trip.id,
      access: "write",
      mayComment: false,
    };
    expect((await t.permissions.check(writer, day.id, "write"))?.item.id).toBe(day.id);
  });

  test("anonymous sees nothing, not even what is shared with others", async () => {
    const open = await t.store.createFolder(ROOT_ID, "Open");
    await t.permissions.setAcl(open.id, [{ principal: "group:everyone", access: "read" }]);
    expect(await t.permissions.check(ANONYMOUS, open.id, "read")).toBeUndefined();
    expect(await t.permissions.check(ANONYMOUS, ROOT_ID, "read")).toBeUndefined();
  });
});
