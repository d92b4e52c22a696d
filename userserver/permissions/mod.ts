/**
 * Permissions: every item has an ACL (users and groups, read or write). An item without its own
 * ACL inherits its folder's, up to the root; the owner is implicit and may do everything.
 * `can` is the one check every route uses.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { UserDb } from "../database/mod.ts";
import { acl, groupMembers, groups, items } from "../../shared/db/userserver/schema.ts";
import type { ItemTree } from "../store/items.ts";

export type Access = "read" | "write";
export type Principal = `user:${string}` | `group:${string}`;
export interface AclEntry {
  principal: Principal;
  access: Access;
}

/** Who is asking: a user name, or nobody (not signed in). */
export type Viewer = { name: string } | undefined;

export class PermissionError extends Error {
  override name = "PermissionError";
}

const PRINCIPAL = /^(user|group):[a-z0-9][a-z0-9._-]{0,62}$/;

export class Permissions {
  constructor(
    private readonly db: UserDb,
    private readonly tree: ItemTree,
    /** The owner's user name. */
    readonly owner: string,
  ) {}

  /** May `viewer` do `access` on `itemId`? Unknown items: no. */
  async can(viewer: Viewer, itemId: string, access: Access): Promise<boolean> {
    if (!viewer) return false;
    const chain = await this.tree.ancestry(itemId);
    if (chain.length === 0) return false;
    if (viewer.name === this.owner) return true;
    const source = chain.findLast((i) => i.aclSet);
    if (!source) return false;
    const entries = await this.entriesOf(source.id);
    const mine = new Set<string>([
      `user:${viewer.name}`,
      ...(await this.groupsOf(viewer.name)).map((g) => `group:${g}`),
    ]);
    return entries.some((e) => mine.has(e.principal) && (e.access === "write" || access === "read"));
  }

  /** The ACL in force for an item and the item it comes from (itself or an ancestor). */
  async effective(itemId: string): Promise<{ from: string | undefined; entries: AclEntry[] }> {
    const chain = await this.tree.ancestry(itemId);
    const source = chain.findLast((i) => i.aclSet);
    return { from: source?.id, entries: source ? await this.entriesOf(source.id) : [] };
  }

  async entriesOf(itemId: string): Promise<AclEntry[]> {
    const rows = await this.db.orm.select().from(acl).where(eq(acl.itemId, itemId)).all();
    return rows.map((r) => ({ principal: r.principal as Principal, access: r.access }));
  }

  /** Sets an item's own ACL, or `null` to inherit its folder's again. */
  async setAcl(itemId: string, entries: AclEntry[] | null): Promise<void> {
    for (const e of entries ?? []) {
      if (!PRINCIPAL.test(e.principal)) {
        throw new PermissionError(`Principal "${e.principal}" is not user:<name> or group:<name>`);
      }
      if (e.access !== "read" && e.access !== "write") {
        throw new PermissionError(`Access "${e.access}" is not read or write`);
      }
    }
    await this.tree.require(itemId);
    await this.db.write(() =>
      this.db.orm.batch([
        this.db.orm.delete(acl).where(eq(acl.itemId, itemId)),
        this.db.orm.update(items).set({ aclSet: entries !== null }).where(eq(items.id, itemId)),
        ...(entries ?? []).map((e) => this.db.orm.insert(acl).values({ itemId, ...e })),
      ])
    );
  }

  async addToGroup(group: string, user: string): Promise<void> {
    await this.db.write(() =>
      this.db.orm.batch([
        this.db.orm.insert(groups).values({ name: group, createdAt: Date.now() }).onConflictDoNothing(),
        this.db.orm.insert(groupMembers).values({ group, user }).onConflictDoNothing(),
      ])
    );
  }

  async removeFromGroup(group: string, user: string): Promise<void> {
    await this.db.write(() =>
      this.db.orm.delete(groupMembers).where(and(eq(groupMembers.group, group), eq(groupMembers.user, user)))
    );
  }

  async groupsOf(user: string): Promise<string[]> {
    const rows = await this.db.orm.select({ g: groupMembers.group }).from(groupMembers).where(
      eq(groupMembers.user, user),
    )
      .all();
    return rows.map((r) => r.g);
  }

  async membersOf(groupNames: string[]): Promise<string[]> {
    if (groupNames.length === 0) return [];
    const rows = await this.db.orm.select({ u: groupMembers.user }).from(groupMembers)
      .where(inArray(groupMembers.group, groupNames)).all();
    return rows.map((r) => r.u);
  }
}
