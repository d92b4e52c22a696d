/**
 * Operator commands of `edge/main.ts`, printing one JSON line:
 *   add-relay --id=relay-a --host-name=relay-a.hearth.localhost --tunnel-address=127.0.0.11:8444
 *             --browser-addresses=127.0.0.11,127.0.0.1 --browser-port=8443 --credential-hash=<sha256 hex>
 *   add-server --name=alice --public-jwk='{"kty":"EC",...}'    → { serverId, name, totpSecret }
 *   status                                                    → relays and their state
 */
import type { CloudDeps } from "./deps.ts";
import { addRelay, addServer, AdminError } from "./reg/admin.ts";
import { relayStatus } from "./reg/liveness.ts";

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
    case "status":
      return { relays: await relayStatus(deps) };
    default:
      throw new AdminError(
        `Unknown command "${command}" (expected serve, init, add-relay, add-server or status)`,
      );
  }
}
