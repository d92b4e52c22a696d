/**
 * Groups of friends: create, rename, delete, add and remove members. A group is a principal in
 * ACLs (`group:<name>`), so a rename moves its ACL entries along and a delete removes them.
 */
import { and, eq } from "drizzle-orm";
import { acl, groupMembers, groups } from "../../shared/db/userserver/schema.ts";
import type { UserDb } from "../database/mod.ts";
import { FriendError } from "./handshake.ts";

const GROUP_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function groupName(input: unknown): string {
  const name = String(input ?? "").trim().toLowerCase().replace(/\s+/g, "-");
  if (!GROUP_NAME.test(name)) {
    throw new FriendError(
      `A group name is 1 to 63 letters a-z, digits, ".", "_" or "-" ("${String(input).slice(0, 80)}" is not)`,
    );
  }
  return name;
}

export class Groups {
  constructor(private readonly db: UserDb, private readonly now: () => number) {}

  async list(): Promise<{ name: string; members: string[] }[]> {
    const [all, members] = await Promise.all([
      this.db.orm.select().from(groups).orderBy(groups.name).all(),
      this.db.orm.select().from(groupMembers).all(),
    ]);
    return all.map((g) => ({
      name: g.name,
      members: members.filter((m) => m.group === g.name).map((m) => m.user).sort(),
    }));
  }

  async create(name: string): Promise<void> {
    const existing = await this.db.orm.select().from(groups).where(eq(groups.name, name)).all();
    if (existing.length) throw new FriendError(`There is already a group called ${name}`);
    await this.db.write(() => this.db.orm.insert(groups).values({ name, createdAt: this.now() }));
  }

  async rename(from: string, to: string): Promise<void> {
    if (from === to) return;
    if ((await this.db.orm.select().from(groups).where(eq(groups.name, to)).all()).length) {
      throw new FriendError(`There is already a group called ${to}`);
    }
    await this.#require(from);
    await this.db.write(() =>
      this.db.orm.batch([
        this.db.orm.update(groups).set({ name: to }).where(eq(groups.name, from)),
        this.db.orm.update(groupMembers).set({ group: to }).where(eq(groupMembers.group, from)),
        this.db.orm.update(acl).set({ principal: `group:${to}` }).where(eq(acl.principal, `group:${from}`)),
      ])
    );
  }

  async delete(name: string): Promise<void> {
    await this.#require(name);
    await this.db.write(() =>
      this.db.orm.batch([
        this.db.orm.delete(groups).where(eq(groups.name, name)),
        this.db.orm.delete(groupMembers).where(eq(groupMembers.group, name)),
        this.db.orm.delete(acl).where(eq(acl.principal, `group:${name}`)),
      ])
    );
  }

  async add(name: string, member: string): Promise<void> {
    await this.#require(name);
    await this.db.write(() =>
      this.db.orm.insert(groupMembers).values({ group: name, user: member }).onConflictDoNothing()
    );
  }

  async remove(name: string, member: string): Promise<void> {
    await this.db.write(() =>
      this.db.orm.delete(groupMembers).where(and(eq(groupMembers.group, name), eq(groupMembers.user, member)))
    );
  }

  async #require(name: string): Promise<void> {
    if (!(await this.db.orm.select().from(groups).where(eq(groups.name, name)).all()).length) {
      throw new FriendError(`There is no group called ${name}`);
    }
  }
}
