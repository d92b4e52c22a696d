/**
 * Requests a user server sends to the cloud tier are signed with its server key (ECDSA P-256):
 * `Authorization: HearthServer <JWT>` whose claims bind the server id, the method, the path and
 * a hash of the body, and expire within a minute. These requests go straight to the cloud tier,
 * never through a relay, so a relay that saw a tunnel hello has nothing it could replay.
 */
import { decodeJwt, importJWK, jwtVerify, SignJWT } from "jose";
import { base64url, randomToken, sha256 } from "../crypto/mod.ts";

export const SERVER_AUTH_SCHEME = "HearthServer";
const AUDIENCE = "hearth-regcloud";
const TYP = "hearth-server+jwt";
const MAX_AGE_S = 60;

export class ServerAuthError extends Error {
  override name = "ServerAuthError";
}

export interface SignedRequestParts {
  method: string;
  path: string;
  body?: string;
}

export async function signServerRequest(
  privateKey: CryptoKey,
  serverId: string,
  { method, path, body = "" }: SignedRequestParts,
): Promise<string> {
  const jwt = await new SignJWT({ htm: method.toUpperCase(), htp: path, bh: base64url(await sha256(body)) })
    .setProtectedHeader({ alg: "ES256", typ: TYP })
    .setSubject(serverId)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${MAX_AGE_S}s`)
    .setJti(randomToken(16))
    .sign(privateKey);
  return `${SERVER_AUTH_SCHEME} ${jwt}`;
}

/** The server id a header claims, before verification (to look up its key). */
export function claimedServerId(header: string | undefined): string {
  const jwt = header?.startsWith(`${SERVER_AUTH_SCHEME} `) ? header.slice(SERVER_AUTH_SCHEME.length + 1) : "";
  if (!jwt) throw new ServerAuthError(`Missing "Authorization: ${SERVER_AUTH_SCHEME} …" header`);
  try {
    const { sub } = decodeJwt(jwt);
    if (typeof sub !== "string") throw new Error("no sub");
    return sub;
  } catch (cause) {
    throw new ServerAuthError("Server signature is malformed", { cause });
  }
}

export interface VerifyOptions {
  /**
   * Remembers a token id until `expiresAtMs`; false when it was seen before (a replay). Without
   * it, a captured header works again until it expires: the cloud always passes one.
   */
  rememberJti?: (jti: string, expiresAtMs: number) => Promise<boolean>;
}

/**
 * Verifies the header against the server's public JWK and the request; returns the server id.
 * The token must be typed `hearth-server+jwt`, carry `iat`, `exp` and `jti`, live at most 60 s
 * (`exp - iat`), and — with `rememberJti` — be used once.
 */
export async function verifyServerRequest(
  header: string | undefined,
  publicJwk: JsonWebKey,
  { method, path, body = "" }: SignedRequestParts,
  { rememberJti }: VerifyOptions = {},
): Promise<string> {
  const serverId = claimedServerId(header);
  const jwt = header!.slice(SERVER_AUTH_SCHEME.length + 1);
  let payload: Record<string, unknown>;
  try {
    const key = await importJWK({ ...publicJwk, alg: "ES256" } as Parameters<typeof importJWK>[0], "ES256");
    ({ payload } = await jwtVerify(jwt, key, {
      audience: AUDIENCE,
      subject: serverId,
      algorithms: ["ES256"],
      typ: TYP,
      requiredClaims: ["iat", "exp", "jti"],
      maxTokenAge: `${MAX_AGE_S + 5}s`,
      clockTolerance: 5,
    }));
  } catch (cause) {
    throw new ServerAuthError(`Server signature is invalid: ${(cause as Error).message}`, { cause });
  }
  const { iat, exp, jti } = payload as { iat: number; exp: number; jti: unknown };
  if (exp - iat > MAX_AGE_S) {
    throw new ServerAuthError(
      `Server signature lives too long: exp - iat is ${exp - iat} s, at most ${MAX_AGE_S}`,
    );
  }
  if (typeof jti !== "string" || !jti) throw new ServerAuthError("Server signature has no jti");
  if (payload.htm !== method.toUpperCase() || payload.htp !== path) {
    throw new ServerAuthError(`Server signature is for ${payload.htm} ${payload.htp}, not ${method} ${path}`);
  }
  if (payload.bh !== base64url(await sha256(body))) {
    throw new ServerAuthError("Server signature does not cover this body");
  }
  if (rememberJti && !(await rememberJti(`${serverId}:${jti}`, exp * 1000))) {
    throw new ServerAuthError(`Server signature was already used (jti "${jti}")`);
  }
  return serverId;
}
