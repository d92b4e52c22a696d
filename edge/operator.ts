/**
 * Operator commands of `edge/main.ts`, printing one JSON line:
 *   add-relay --id=relay-a --host-name=relay-a.hearth.localhost --tunnel-address=127.0.0.11:8444
 *             --browser-addresses=127.0.0.11,127.0.0.1 --browser-port=8443 --credential-hash=<sha256 hex>
 *   add-server --name=alice --public-jwk='{"kty":"EC",...}'    → { serverId, name, totpSecret }
 *   add-dns-front --id=dns-a --host-name=ns1.hearth.localhost --addresses=127.0.0.1
 *             --credential-hash=<sha256 hex>     (a DNS front: NS of the zone, reads the snapshot)
 *   add-oidc-server-client --name=alice --origin=https://alice.hearth.localhost:8443 [--owner-email=a@x]
 *             (alice's server as an OIDC client of its owner's account)  → { clientId, redirectUri }
 *   rotate-keys [--overlap-hours=48]     (IdCloud's OIDC signing keys; the old ones verify for the overlap)
 *   seed-account --email=alice@hearth.localhost   → { email, created, password? } (IdCloud, edge/id/seed.ts)
 *   registration-token --email=… --name=alice     → { name, token, expiresAt } (a one-time registration token)
 *   status                                                    → relays and their state
 *   grant-operator --email=…  /  revoke-operator --email=…     (the console's operator role, audited)
 *   operator-token --email=…                      → { token } (a bearer token for the console's JSON)
 *   suspend | unsuspend | deregister --name=alice --reason=abuse [--note=…]   (edge/console/server_state.ts)
 */
import type { CloudDeps } from "./deps.ts";
import { addRelay, addServer, AdminError } from "./reg/admin.ts";
import { relayStatus } from "./reg/liveness.ts";
import { issueRegistrationToken, seedAccount } from "./id/seed.ts";
import { OVERLAP_MS, registerServerClient, rotateKeys } from "./id/oidc/mod.ts";
import { addDnsFront } from "./dns/front_auth.ts";
import { grantOperator, issueOperatorToken, revokeOperator } from "./console/operators.ts";
import { changeServerState } from "./console/server_state.ts";
import { isReasonCode, REASON_CODES } from "./console/reasons.ts";
import { COMMAND_LINE } from "./console/audit.ts";

type Flags = Record<string, string | boolean | undefined>;

function need(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== "string" || v === "") throw new AdminError(`Missing --${name}`);
  return v;
}

export async function runOperatorCommand(deps: CloudDeps, command: string, flags: Flags): Promise<unknown> {
  switch (command) {
    case "add-relay": {
      const port = Number(need(flags, "browser-port"));
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new AdminError(`--browser-port "${flags["browser-port"]}" is not a port`);
      }
      await addRelay(deps, {
        id: need(flags, "id"),
        hostName: need(flags, "host-name"),
        tunnelAddress: need(flags, "tunnel-address"),
        browserAddresses: need(flags, "browser-addresses").split(","),
        browserPort: port,
        credentialHash: need(flags, "credential-hash"),
      });
      return { ok: true, id: flags.id };
    }
    case "add-server": {
      let jwk: JsonWebKey;
      try {
        jwk = JSON.parse(need(flags, "public-jwk"));
      } catch (cause) {
        if (cause instanceof AdminError) throw cause;
        throw new AdminError("--public-jwk is not JSON", { cause });
      }
      return await addServer(deps, need(flags, "name"), jwk);
    }
    case "add-dns-front": {
      await addDnsFront(deps, {
        id: need(flags, "id"),
        hostName: need(flags, "host-name"),
        addresses: need(flags, "addresses").split(","),
        credentialHash: need(flags, "credential-hash"),
      });
      return { ok: true, id: flags.id };
    }
    case "add-oidc-server-client": {
      const ownerEmail = typeof flags["owner-email"] === "string" ? flags["owner-email"] : undefined;
      return await registerServerClient(deps, need(flags, "name"), {
        origin: need(flags, "origin"),
        ownerEmail,
      });
    }
    case "rotate-keys": {
      const hours = flags["overlap-hours"] === undefined
        ? OVERLAP_MS / 3600_000
        : Number(flags["overlap-hours"]);
      if (!Number.isFinite(hours) || hours < 0) {
        throw new AdminError(`--overlap-hours "${flags["overlap-hours"]}" is not a number of hours`);
      }
      return await rotateKeys(deps, { overlapMs: hours * 3600_000 });
    }
    case "seed-account":
      return await seedAccount(deps, need(flags, "email"));
    case "registration-token":
      return await issueRegistrationToken(deps, need(flags, "email"), need(flags, "name"));
    case "status":
      return { relays: await relayStatus(deps) };
    case "grant-operator":
      return await grantOperator(deps, need(flags, "email"));
    case "revoke-operator":
      return await revokeOperator(deps, need(flags, "email"));
    case "operator-token":
      return await issueOperatorToken(deps, need(flags, "email"));
    case "suspend":
    case "unsuspend":
    case "deregister": {
      const reason = need(flags, "reason");
      if (!isReasonCode(reason)) {
        throw new AdminError(`--reason "${reason}" is not one of ${REASON_CODES.join(", ")}`);
      }
      const note = typeof flags.note === "string" ? flags.note : "";
      return await changeServerState(deps, COMMAND_LINE, {
        name: need(flags, "name"),
        action: command,
        reason,
        note,
      });
    }
    default:
      throw new AdminError(
        `Unknown command "${command}" (expected serve, init, add-relay, add-server, add-dns-front, add-oidc-server-client, rotate-keys, seed-account, registration-token, status, grant-operator, revoke-operator, operator-token, suspend, unsuspend or deregister)`,
      );
  }
}
