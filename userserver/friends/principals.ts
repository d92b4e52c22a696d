/**
 * Who something may be shared with: friends whose relation lets them read what I share
 * (`user:<name>`) and my groups (`group:<name>`) — the same choice as a file's Share page. Read
 * from the database only, so another plugin (Photos' albums) can offer it without the friends
 * plugin being built first.
 */
import type { UserDb } from "../database/mod.ts";
import { Groups } from "./groups.ts";
import { mayReadMine, Relations } from "./relations.ts";

export function friendPrincipals(db: UserDb): () => Promise<string[]> {
  const relations = new Relations(db, Date.now);
  const groups = new Groups(db, Date.now);
  return async () => [
    ...(await relations.list()).filter(mayReadMine).map((r) => `user:${r.name}`),
    ...(await groups.list()).map((g) => `group:${g.name}`),
  ];
}
