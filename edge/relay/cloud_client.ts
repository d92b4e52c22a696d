/**
 * The relay's client of RegCloud, over HTTPS with the relay's own bearer credential. Relays
 * hold no database connection: they ask RegCloud to verify attaches and report liveness.
 */
import type { Logger } from "../../shared/log/mod.ts";

export interface CloudClientOptions {
  cloudUrl: string;
  credential: string;
  /** PEM of the CA that issued the cloud tier's certificate (the dev CA in development). */
  caPem?: string;
  log: Logger;
  timeoutMs?: number;
}

export type AttachAnswer =
  | { ok: true; serverId: string; serverName: string }
  | { ok: false; status: number; code: string; error: string };

/** RegCloud's answer to a heartbeat: tunnels of servers an operator stopped, to close now. */
export interface HeartbeatAnswer {
  drop: { serverId: string; code: string }[];
  /** Names of servers an operator suspended (their browsers get `access_denied`). */
  suspended: string[];
}

export class CloudClient {
  constructor(private readonly o: CloudClientOptions) {}

  async #post(path: string, body: unknown): Promise<Response> {
    return await fetch(new URL(`/reg/v1${path}`, this.o.cloudUrl), {
      method: "POST",
      headers: { authorization: `Bearer ${this.o.credential}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
      ...(this.o.caPem ? { tls: { ca: this.o.caPem } } : {}),
    });
  }

  async verifyAttach(
    req: { serverId: string; nonce: string; totp: string; source: string },
  ): Promise<AttachAnswer> {
    const res = await this.#post("/relay/attach", req);
    const body = await res.json() as Record<string, string>;
    if (res.ok) return { ok: true, serverId: body.serverId, serverName: body.serverName };
    return {
      ok: false,
      status: res.status,
      code: body.code ?? "unavailable",
      error: body.error ?? `HTTP ${res.status}`,
    };
  }

  async heartbeat(
    load: {
      tunnels: number;
      streams: number;
      bytesPerSecond: number;
      healthy: boolean;
      tunnelSet: { serverId: string; remoteAddress: string; upAt: number }[];
      version?: string;
      startedAt?: number;
      usage?: { serverId: string; bytes: number; connections: number }[];
    },
  ): Promise<HeartbeatAnswer> {
    const res = await this.#post("/relay/heartbeat", load);
    if (!res.ok) throw new Error(`Heartbeat refused: HTTP ${res.status} ${await res.text()}`);
    const body = await res.json() as Partial<HeartbeatAnswer>;
    return {
      drop: Array.isArray(body.drop) ? body.drop : [],
      suspended: Array.isArray(body.suspended) ? body.suspended.filter((n) => typeof n === "string") : [],
    };
  }

  async tunnelEvent(
    e: { kind: "tunnel_up" | "tunnel_down"; serverId: string; remoteAddress: string; at: number },
  ) {
    const res = await this.#post("/relay/events", e);
    if (!res.ok) throw new Error(`Tunnel event refused: HTTP ${res.status} ${await res.text()}`);
  }
}
