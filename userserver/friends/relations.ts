/**
 * The friends table: this server's side of each relation with another Hearth server, and what
 * each state lets either side read. Rows are keyed by the other server's user name.
 */
import { eq } from "drizzle-orm";
import type { UserDb } from "../database/mod.ts";
import { friends } from "../../shared/db/userserver/schema.ts";

export type RelationState = typeof friends.$inferSelect.state;
export type Relation = typeof friends.$inferSelect;

/** What the other server may do here: read what I share with it (then it is a `friend` viewer). */
export const mayReadMine = (r: Relation | undefined): boolean =>
  r?.state === "accepted" || r?.state === "subscriber";

/** Whether I may read what the other server shares with me (the share task asks only these). */
export const mayReadTheirs = (r: Relation | undefined): boolean =>
  r?.state === "accepted" || r?.state === "subscribed";

/** The relation as the other side sees it (what `/hello` answers). */
export function mirrored(state: RelationState): RelationState {
  switch (state) {
    case "outgoing":
      return "incoming";
    case "incoming":
      return "outgoing";
    case "subscribed":
      return "subscriber";
    case "subscriber":
      return "subscribed";
    default:
      return state;
  }
}

export class Relations {
  constructor(private readonly db: UserDb, private readonly now: () => number) {}

  async get(name: string): Promise<Relation | undefined> {
    return (await this.db.orm.select().from(friends).where(eq(friends.name, name)).all())[0];
  }

  async list(): Promise<Relation[]> {
    return await this.db.orm.select().from(friends).orderBy(friends.name).all();
  }

  /** Starts or restarts a relation with a pinned key. */
  async put(name: string, state: RelationState, publicKeyJwk: JsonWebKey, note = ""): Promise<void> {
    const now = this.now();
    const row = {
      name,
      state,
      rejectedBy: null,
      publicKeyJwk: JSON.stringify(publicKeyJwk),
      newKeyJwk: null,
      keyChangedAt: null,
      note: note.slice(0, 500),
      createdAt: now,
      updatedAt: now,
    };
    await this.db.write(() =>
      this.db.orm.insert(friends).values(row).onConflictDoUpdate({
        target: friends.name,
        set: { ...row, createdAt: undefined },
      })
    );
  }

  async setState(name: string, state: RelationState, rejectedBy: "me" | "them" | null = null): Promise<void> {
    await this.db.write(() =>
      this.db.orm.update(friends).set({ state, rejectedBy, updatedAt: this.now() }).where(
        eq(friends.name, name),
      )
    );
  }

  /** RegCloud now names another key for this server: kept aside until the owner trusts it. */
  async keyChanged(name: string, newKeyJwk: JsonWebKey): Promise<void> {
    await this.db.write(() =>
      this.db.orm.update(friends).set({ newKeyJwk: JSON.stringify(newKeyJwk), keyChangedAt: this.now() })
        .where(eq(friends.name, name))
    );
  }

  /** The owner trusts the new key: it becomes the pinned one. */
  async trustNewKey(name: string): Promise<void> {
    const r = await this.get(name);
    if (!r?.newKeyJwk) return;
    await this.db.write(() =>
      this.db.orm.update(friends).set({
        publicKeyJwk: r.newKeyJwk!,
        newKeyJwk: null,
        keyChangedAt: null,
        updatedAt: this.now(),
      }).where(eq(friends.name, name))
    );
  }

  async remove(name: string): Promise<void> {
    await this.db.write(() => this.db.orm.delete(friends).where(eq(friends.name, name)));
  }
}
