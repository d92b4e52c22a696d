/**
 * Live tunnels on this relay, by user name. A server normally holds one tunnel per relay; when
 * a second attaches, the newer takes new streams and the older gets GoAway and drains (tunnel_port.ts).
 */
import type { Session } from "../../shared/mux/session.ts";

export interface Tunnel {
  serverId: string;
  serverName: string;
  session: Session;
  remoteAddress: string;
  upAt: number;
  /** Each stream begins with the browser's address (the connector asked for it in its hello). */
  sourceHeader?: boolean;
}

export class TunnelRegistry {
  readonly #byName = new Map<string, Tunnel[]>();
  #count = 0;
  /** Browser connections routed into each tunnel (`pick`), for metering (operator_push.ts). */
  readonly #connections = new WeakMap<Tunnel, number>();
  /** Tunnels removed since the last `takeRemoved`: their last counts are still to be reported. */
  #removed: Tunnel[] = [];

  add(t: Tunnel): void {
    const list = this.#byName.get(t.serverName) ?? [];
    list.push(t);
    this.#byName.set(t.serverName, list);
    this.#count++;
  }

  remove(t: Tunnel): boolean {
    const list = this.#byName.get(t.serverName);
    const i = list?.indexOf(t) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    if (!list.length) this.#byName.delete(t.serverName);
    this.#count--;
    this.#removed.push(t);
    return true;
  }

  /** Every tunnel of `name` now (oldest first). */
  of(name: string): Tunnel[] {
    return [...(this.#byName.get(name) ?? [])];
  }

  /** The newest open tunnel for `name`, if any: called once per browser connection to route it. */
  pick(name: string): Tunnel | undefined {
    const list = this.#byName.get(name);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const t = list[i];
      if (t.session.isClosed) continue;
      this.#connections.set(t, (this.#connections.get(t) ?? 0) + 1);
      return t;
    }
    return undefined;
  }

  /** How many browser connections were routed into `t`. */
  connectionsOf(t: Tunnel): number {
    return this.#connections.get(t) ?? 0;
  }

  /** Tunnels removed since the last call (the meter reports their last counts once). */
  takeRemoved(): Tunnel[] {
    const removed = this.#removed;
    this.#removed = [];
    return removed;
  }

  get size(): number {
    return this.#count;
  }

  all(): Tunnel[] {
    return [...this.#byName.values()].flat();
  }

  streams(): number {
    let n = 0;
    for (const list of this.#byName.values()) for (const t of list) n += t.session.numStreams;
    return n;
  }
}
