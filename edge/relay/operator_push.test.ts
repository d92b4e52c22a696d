import { expect, test } from "bun:test";
import { Session } from "../../shared/mux/session.ts";
import { silentLogger } from "../../shared/log/mod.ts";
import { dropTunnels, UsageMeter } from "./operator_push.ts";
import { type Tunnel, TunnelRegistry } from "./registry.ts";

/** A tunnel over a real yamux session whose transport is a byte counter. */
function tunnel(serverId: string, serverName: string): Tunnel {
  const session = new Session({ client: false, write: (b) => b.length, close: () => {} });
  return { serverId, serverName, session, remoteAddress: "192.0.2.1:1", upAt: Date.now() };
}

test("the meter reports bytes and routed connections per server, once, and again after a failed report", () => {
  const registry = new TunnelRegistry();
  const meter = new UsageMeter(registry);
  const a = tunnel("srv_a", "alice");
  registry.add(a);
  expect(meter.take()).toEqual([]);
  registry.pick("alice");
  registry.pick("alice");
  // The connector pings: a 12-byte yamux Ping (SYN) in, and the relay's answer out.
  a.session.receive(new Uint8Array([0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7]));
  const first = meter.take();
  expect(first).toMatchObject([{ serverId: "srv_a", connections: 2 }]);
  const bytes = first[0].bytes;
  expect(bytes).toBeGreaterThanOrEqual(12);
  // Not acknowledged (the heartbeat failed): the next report carries it again, plus what is new.
  registry.pick("alice");
  expect(meter.take()).toEqual([{ serverId: "srv_a", bytes, connections: 3 }]);
  meter.acknowledge();
  expect(meter.take()).toEqual([]);
  // A tunnel that closes between reports still has its last counts reported.
  registry.pick("alice");
  registry.remove(a);
  expect(meter.take()).toEqual([{ serverId: "srv_a", bytes: 0, connections: 1 }]);
});

test("dropTunnels closes every tunnel of the named servers and no other", () => {
  const registry = new TunnelRegistry();
  const a1 = tunnel("srv_a", "alice");
  const a2 = tunnel("srv_a", "alice");
  const b = tunnel("srv_b", "bob");
  for (const t of [a1, a2, b]) registry.add(t);
  dropTunnels(registry, [{ serverId: "srv_a", code: "suspended:abuse" }], silentLogger);
  expect(a1.session.isClosed && a2.session.isClosed).toBe(true);
  expect(b.session.isClosed).toBe(false);
});
