/**
 * The ETConnector's requests to RegCloud: signed with the server key and sent directly to the
 * cloud tier over HTTPS — never through a relay (ARCHITECTURE.md §9.8).
 */
import { signServerRequest } from "../../shared/auth/server_request.ts";

export type { RelayOffer } from "../../shared/tunnel/offer.ts";
import type { RelayOffer } from "../../shared/tunnel/offer.ts";

export interface CloudAccess {
  cloudUrl: string;
  caPem?: string;
  serverId: string;
  serverKey: CryptoKey;
}

export class CloudRequestError extends Error {
  override name = "CloudRequestError";
}

/**
 * A POST to the cloud tier signed with the server key; answers the response (any status).
 * Throws `CloudRequestError` when the cloud cannot be reached.
 */
export async function signedCloudPost(
  access: CloudAccess,
  path: string,
  payload: unknown,
): Promise<Response> {
  const body = JSON.stringify(payload);
  try {
    return await fetch(new URL(path, access.cloudUrl), {
      method: "POST",
      headers: {
        authorization: await signServerRequest(access.serverKey, access.serverId, {
          method: "POST",
          path,
          body,
        }),
        "content-type": "application/json",
      },
      body,
      signal: AbortSignal.timeout(10_000),
      ...(access.caPem ? { tls: { ca: access.caPem } } : {}),
    });
  } catch (cause) {
    throw new CloudRequestError(`Cannot reach the cloud at ${access.cloudUrl}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Alive relays, least loaded first, each with a one-time nonce for this server. */
export async function fetchRelayOffers(access: CloudAccess, max = 8): Promise<RelayOffer[]> {
  const res = await signedCloudPost(access, "/reg/v1/server/relays", { max });
  if (!res.ok) {
    throw new CloudRequestError(`RegCloud refused the relay list: HTTP ${res.status} ${await res.text()}`);
  }
  return (await res.json() as { relays: RelayOffer[] }).relays;
}
