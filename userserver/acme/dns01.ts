/**
 * DNS-01 for the user server: the TXT value is set and cleared through DNSCloud's server-signed
 * API (`/reg/v1/dns/acme-challenge`, edge/dns/routes.ts), straight to the cloud tier, never through
 * a relay. DNSCloud lets a server set only `_acme-challenge.<name>.<zone>` and
 * `_acme-challenge.local.<name>.<zone>`. Before the CA is told to look, the value must be visible at
 * the zone's DNS fronts (they poll a snapshot): asked directly when `dnsServers` are configured,
 * otherwise waited for.
 */
import { dnsQuery } from "../../edge/dns/client.ts";
import type { ChallengeSolver } from "../../platform/acme/client.ts";
import { signServerRequest } from "../../shared/auth/server_request.ts";
import type { CloudAccess } from "../connector/cloud.ts";

const PATH = "/reg/v1/dns/acme-challenge";

export class Dns01Error extends Error {
  override name = "Dns01Error";
}

async function signedCall(access: CloudAccess, method: "POST" | "DELETE", payload: unknown): Promise<void> {
  const body = JSON.stringify(payload);
  let res: Response;
  try {
    res = await fetch(new URL(PATH, access.cloudUrl), {
      method,
      headers: {
        authorization: await signServerRequest(access.serverKey, access.serverId, {
          method,
          path: PATH,
          body,
        }),
        "content-type": "application/json",
      },
      body,
      signal: AbortSignal.timeout(15_000),
      ...(access.caPem ? { tls: { ca: access.caPem } } : {}),
    });
  } catch (cause) {
    throw new Dns01Error(`Cannot reach DNSCloud at ${access.cloudUrl}: ${(cause as Error).message}`);
  }
  if (!res.ok) {
    const why = await res.text().catch(() => "");
    throw new Dns01Error(
      `DNSCloud refused to ${method === "POST" ? "set" : "clear"} the TXT value: HTTP ${res.status} ${why}`
        .trim(),
    );
  }
}

/** Whether `server` (host:port) answers `value` among the TXT values of `name`. */
async function visibleAt(server: string, name: string, value: string): Promise<boolean> {
  const i = server.lastIndexOf(":");
  const answer = await dnsQuery(name, "TXT", {
    host: server.slice(0, i),
    port: Number(server.slice(i + 1)),
    timeoutMs: 2_000,
  });
  return (answer.answers ?? []).some((a) =>
    a.type === "TXT" &&
    (Array.isArray(a.data) ? a.data : [a.data]).some((d) =>
      new TextDecoder().decode(d as Uint8Array) === value
    )
  );
}

export interface Dns01Options {
  dnsServers?: string[];
  propagationMs: number;
  /** Longest wait for the value to show at every configured DNS server. */
  visibleTimeoutMs?: number;
}

export function dnsCloudSolver(access: CloudAccess, o: Dns01Options): ChallengeSolver {
  return {
    type: "dns-01",
    async present(domain, _token, value) {
      const name = `_acme-challenge.${domain}`;
      await signedCall(access, "POST", { name, value });
      if (!o.dnsServers?.length) {
        await new Promise((r) => setTimeout(r, o.propagationMs));
        return;
      }
      const deadline = Date.now() + (o.visibleTimeoutMs ?? 60_000);
      for (const server of o.dnsServers) {
        while (!(await visibleAt(server, name, value).catch(() => false))) {
          if (Date.now() > deadline) {
            throw new Dns01Error(
              `The TXT value for ${name} did not appear at ${server} within the time allowed`,
            );
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    },
    async cleanup(domain, _token, value) {
      await signedCall(access, "DELETE", { name: `_acme-challenge.${domain}`, value });
    },
  };
}
