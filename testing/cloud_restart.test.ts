/**
 * Issue #13.3: after a cloud-tier restart RegCloud used to mark both relays dead (no heartbeat
 * yet), drop their tunnel rows, and never hear of the tunnels again — DNS treated alice as offline
 * while both relays held her tunnel. Relays now send their full tunnel set with every heartbeat,
 * and no relay is declared dead in the cloud's first liveness window.
 */
import { expect, test } from "bun:test";
import { harnessWithAlice } from "./relay_helpers.ts";
import { Database } from "bun:sqlite";
import { join } from "node:path";

const harness = harnessWithAlice();

/** The relays RegCloud lists as holding a tunnel (read from the cloud DB). */
function listedTunnels(): string[] {
  const db = new Database(join(harness().dirs.cloud, "cloud.db"), { readonly: true });
  try {
    return db.query<{ relay_id: string }, []>("select relay_id from tunnels order by relay_id").all().map((
      r,
    ) => r.relay_id);
  } finally {
    db.close();
  }
}

test(
  "restarting the cloud tier while tunnels are up: they are listed again, no relay marked dead",
  async () => {
    await harness().waitFor("both tunnels listed", () => listedTunnels().length === 2);
    const cloud = harness().processes.get("cloud");
    await cloud?.stop();
    // Long enough that every relay's last heartbeat is older than the liveness window.
    await Bun.sleep(7_000);
    const since = harness().output.length;
    await harness().start("cloud");
    await harness().waitFor("both tunnels listed again", () => listedTunnels().length === 2, 60_000);
    expect(listedTunnels()).toEqual(["relay-a", "relay-b"]);
    expect(harness().output.slice(since).filter((l) => l.includes("relays marked dead"))).toEqual([]);
  },
  120_000,
);
