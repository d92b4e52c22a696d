/**
 * What this server shares with a friend: the items whose own ACL names them (or a group they are
 * in), alive (not in the trash), as the friend's server lists them. Below a shared folder, the
 * access check (permissions) decides item by item.
 */
import type { Core } from "../core/mod.ts";
import { TRASH_ID } from "../files/mod.ts";
import type { Access, Viewer } from "../permissions/mod.ts";
import type { Item } from "../store/mod.ts";

/** One item as the peer API describes it. */
export interface PeerItem {
  id: string;
  name: string;
  kind: "file" | "folder";
  type: string;
  size: number;
  mtime: number;
  /** The content's SHA-256 (hex): a copy is verified against it. Null for folders. */
  hash: string | null;
  access: Access;
}

const SHARED_SQL = `select distinct item_id as id from acl
  where principal = 'user:' || $user
     or principal in (select 'group:' || "group" from group_members where user = $user)`;

export function describe(item: Item, access: Access): PeerItem {
  return {
    id: item.id,
    name: item.name,
    kind: item.kind,
    type: item.type,
    size: item.size,
    mtime: item.mtime,
    hash: item.blobHash,
    access,
  };
}

/** The friend's access to an item (via the one access check), or undefined; trashed items none. */
export function friendAccess(
  core: Core,
  friend: string,
  itemId: string,
): { item: Item; access: Access } | undefined {
  const viewer: Viewer = { kind: "friend", name: friend };
  const granted = core.permissions.check(viewer, itemId, "read");
  if (!granted || granted.ancestry[0]?.id === TRASH_ID) return undefined;
  const access: Access = core.permissions.check(viewer, itemId, "write") ? "write" : "read";
  return { item: granted.item, access };
}

/** Every item shared with `friend` directly (not what lies below a shared folder). */
export function sharedWith(core: Core, friend: string): PeerItem[] {
  const rows = core.reader.all<{ id: string }>(SHARED_SQL, { $user: friend });
  const out: PeerItem[] = [];
  for (const r of rows) {
    const reach = friendAccess(core, friend, r.id);
    if (reach) out.push(describe(reach.item, reach.access));
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
