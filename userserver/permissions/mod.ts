/**
 * Permissions: every item has an ACL (users and groups, read or write). An item without its own
 * ACL inherits its folder's, up to the root; the owner is implicit and may do everything.
 * `check` is the one access check every item route uses: it takes the viewer (owner, device,
 * friend, link guest, anonymous) and returns the item with its ancestry, read by ONE recursive
 * query, or nothing (the route answers 404: existence is not revealed).
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Reader, UserDb } from "../database/mod.ts";
import { acl, groupMembers, groups, items } from "../../shared/db/userserver/schema.ts";
import type { Item, ItemTree } from "../store/items.ts";

export type Access = "read" | "write";
export type Principal = `user:${string}` | `group:${string}`;
export interface AclEntry {
  principal: Principal;
  access: Access;
}

/**
 * Who is asking, decided once by the shell's door (ARCHITECTURE.md §5.1). A device acts for the
 * owner on items; a friend is another Hearth user, granted what ACLs give `user:<name>` or their
 * groups; a link guest holds a share link to `rootId` and what is below it.
 */
export type Viewer =
  | { kind: "owner"; name: string }
  | { kind: "device"; id: string; name: string }
  | { kind: "friend"; name: string }
  | {
    kind: "linkGuest";
    linkId: string;
    /** The link's label, shown in activity ("Link 'Holiday' downloaded …"). */
    label: string;
    rootId: string;
    access: Access;
    /** Whether the link lets its visitors comment (with a name they type). */
    mayComment: boolean;
  }
  | { kind: "anonymous" };
export type ViewerKind = Viewer["kind"];
export const VIEWER_KINDS: readonly ViewerKind[] = ["owner", "device", "friend", "linkGuest", "anonymous"];
export const ANONYMOUS: Viewer = { kind: "anonymous" };

/** An item the viewer may reach, with its chain root → … → item (for a link guest: link root → … → item). */
export interface Granted {
  item: Item;
  ancestry: Item[];
}

/** The item and every ancestor, nearest first, in one statement (depth-capped: a cycle cannot loop). */
const ANCESTRY_SQL =
  `with recursive chain(id, parent_id, name, kind, type, size, mtime, blob_hash, acl_set, created_at, depth) as (
  select id, parent_id, name, kind, type, size, mtime, blob_hash, acl_set, created_at, 0 from items where id = $id
  union all
  select i.id, i.parent_id, i.name, i.kind, i.type, i.size, i.mtime, i.blob_hash, i.acl_set, i.created_at, c.depth + 1
  from items i join chain c on i.id = c.parent_id where c.depth < 4096
) select * from chain order by depth desc`;

/** The strongest access an ACL grants a user directly or through their groups: null, 0 (read) or 1 (write). */
const GRANT_SQL =
  `select max(access = 'write') as w from acl where item_id = $item and (principal = 'user:' || $user
  or principal in (select 'group:' || "group" from group_members where user = $user))`;

function itemOf(r: Record<string, unknown>): Item {
  return {
    id: r.id as string,
    parentId: r.parent_id as string | null,
    name: r.name as string,
    kind: r.kind as Item["kind"],
    type: r.type as string,
    size: Number(r.size),
    mtime: Number(r.mtime),
    blobHash: r.blob_hash as string | null,
    aclSet: Number(r.acl_set) === 1,
    createdAt: Number(r.created_at),
  };
}

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
    /** The access check's statements, prepared once. */
    private readonly reader: Reader,
  ) {}

  /**
   * The one access check: the item and its ancestry if `viewer` may do `access` on it, else
   * undefined (unknown items too). One recursive query; a friend costs one more for the ACL.
   */
  check(viewer: Viewer, itemId: string, access: Access): Granted | undefined {
    if (viewer.kind === "anonymous") return undefined;
    const chain = this.ancestry(itemId);
    const item = chain.at(-1);
    if (!item) return undefined;
    switch (viewer.kind) {
      case "owner":
      case "device":
        return { item, ancestry: chain };
      case "linkGuest": {
        const at = chain.findIndex((i) => i.id === viewer.rootId);
        if (at < 0 || (access === "write" && viewer.access !== "write")) return undefined;
        // What lies above the linked item is not the guest's to see, not even its names.
        return { item, ancestry: chain.slice(at) };
      }
      case "friend": {
        const source = chain.findLast((i) => i.aclSet);
        if (!source) return undefined;
        const w = this.reader.get<{ w: number | null }>(GRANT_SQL, { $item: source.id, $user: viewer.name })
          ?.w;
        if (w === null || w === undefined) return undefined;
        return Number(w) === 1 || access === "read" ? { item, ancestry: chain } : undefined;
      }
    }
  }

  /** The chain root → … → item in one recursive query; empty for an unknown item. */
  ancestry(itemId: string): Item[] {
    return this.reader.all<Record<string, unknown>>(ANCESTRY_SQL, { $id: itemId }).map(itemOf);
  }

  /** May `who` do `access` on `itemId`? A bare `{ name }` is the owner or, by another name, a friend. */
  can(who: Viewer | { name: string } | undefined, itemId: string, access: Access): boolean {
    return this.check(this.viewerOf(who), itemId, access) !== undefined;
  }

  /** The viewer for a user name (the owner's own name, another account's) or nobody. */
  viewerOf(who: Viewer | { name: string } | undefined): Viewer {
    if (!who) return ANONYMOUS;
    if ("kind" in who) return who;
    return who.name === this.owner ? { kind: "owner", name: who.name } : { kind: "friend", name: who.name };
  }

  /** The ACL in force for an item and the item it comes from (itself or an ancestor). */
  async effective(itemId: string): Promise<{ from: string | undefined; entries: AclEntry[] }> {
    const chain = this.ancestry(itemId);
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
