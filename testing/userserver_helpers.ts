/** Test helpers for the user server: restart alice with more config, and reach her relayed listener. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Harness } from "./harness.ts";

/** Stops `user`'s process, merges `extra` into its config.json and starts it again (waits until healthy). */
export async function restartUserWith(
  h: Harness,
  user: string,
  extra: Record<string, unknown>,
): Promise<void> {
  await h.processes.get(`user:${user}`)?.stop();
  const file = join(h.dirs.users[user], "config.json");
  const cfg = JSON.parse(readFileSync(file, "utf8"));
  writeFileSync(file, JSON.stringify({ ...cfg, ...extra }, null, 2));
  await h.start(`user:${user}`);
}

export const TEST_OWNER_TOKEN = "test-owner-token-0123456789abcdefghijklmnop";
