/**
 * Ends sign-in sessions whose IdCloud grant was revoked (a password change or reset there revokes
 * every grant of the account). Each session keeps its grant's refresh token; at most every
 * `intervalMs` the first request of a session introspects it at IdCloud (RFC 7662). `active: false`
 * ends the session; a refresh token near its expiry is rotated so a long session stays checkable.
 *
 * IdCloud unreachable (or answering with an error) does NOT end sessions: the owner must still get
 * into their own server while the cloud tier is down. The failure is logged once per outage and the
 * session is checked again after the next interval.
 */
import type { Logger } from "../../shared/log/mod.ts";
import type { SignedInUser } from "./session.ts";

/** Rotate the refresh token when it has less than this left. */
export const ROTATE_BEFORE_MS = 7 * 24 * 3600_000;

export interface GrantAuthority {
  /** RFC 7662 on a refresh token: `exp` in seconds when active. */
  introspect(refreshToken: string): Promise<{ active: boolean; exp?: number }>;
  /** Rotates the refresh token; answers the new one, or null when the grant is gone (invalid_grant). */
  rotate(refreshToken: string): Promise<string | null>;
}

export interface SessionCheckOptions {
  intervalMs: number;
  authority: GrantAuthority;
  /** Stores IdCloud's word (and a rotated token) on the session. */
  markChecked(sessionId: string, at: number, refreshToken?: string): Promise<void>;
  log: Logger;
  now: () => number;
}

/** Answers whether a session may go on; one check per session at a time. */
export type SessionCheck = (user: SignedInUser) => Promise<boolean>;

export function createSessionCheck(o: SessionCheckOptions): SessionCheck {
  const inFlight = new Map<string, Promise<boolean>>();
  let outage = false;

  const check = async (user: SignedInUser, token: string): Promise<boolean> => {
    const at = o.now();
    try {
      const answer = await o.authority.introspect(token);
      if (!answer.active) {
        o.log.info("session ended: IdCloud says its grant is no longer live", { sub: user.sub });
        return false;
      }
      let rotated: string | undefined;
      if (answer.exp !== undefined && answer.exp * 1000 - at < ROTATE_BEFORE_MS) {
        const next = await o.authority.rotate(token);
        if (next === null) {
          o.log.info("session ended: IdCloud refused to renew its grant", { sub: user.sub });
          return false;
        }
        rotated = next;
      }
      await o.markChecked(user.sessionId, at, rotated);
      if (outage) o.log.info("IdCloud answers session checks again");
      outage = false;
      return true;
    } catch (err) {
      if (!outage) {
        o.log.warn("cannot check sessions at IdCloud; keeping them until it answers", {
          err: (err as Error).message,
        });
      }
      outage = true;
      await o.markChecked(user.sessionId, at);
      return true;
    }
  };

  return (user) => {
    // Sessions from before refresh tokens were kept cannot be checked; they end by expiry.
    const token = user.refreshToken;
    if (!token) return Promise.resolve(true);
    if (user.checkedAt !== null && o.now() - user.checkedAt < o.intervalMs) return Promise.resolve(true);
    const running = inFlight.get(user.sessionId);
    if (running) return running;
    const p = check(user, token).finally(() => inFlight.delete(user.sessionId));
    inFlight.set(user.sessionId, p);
    return p;
  };
}
