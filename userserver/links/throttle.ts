/**
 * Password guessing on share links: at most 10 wrong passwords per address per 30 minutes and 100
 * per link per hour. Addresses are counted apart, so an address that guessed wrong ten times never
 * locks out anyone else (oCIS locks a link for everyone after 5 failures; Nextcloud's throttle hits
 * whole offices behind one NAT). A browser that already unlocked the link keeps its cookie and is
 * never asked again, whatever the counts.
 */
import { FailureWindow } from "../../shared/failure_window.ts";

export const PER_ADDRESS = { limit: 10, windowMs: 30 * 60_000 };
export const PER_LINK = { limit: 100, windowMs: 60 * 60_000 };

export class PasswordThrottle {
  readonly #byAddress = new FailureWindow(PER_ADDRESS.limit, PER_ADDRESS.windowMs);
  readonly #byLink = new FailureWindow(PER_LINK.limit, PER_LINK.windowMs);

  /** When `address` may try `linkId` again, or undefined if it may now. */
  blockedUntil(address: string, linkId: string, now: number): number | undefined {
    const a = this.#byAddress.blockedUntil(address, now);
    const l = this.#byLink.blockedUntil(linkId, now);
    return a === undefined ? l : l === undefined ? a : Math.max(a, l);
  }

  /** Counts a wrong password; returns when the next try is allowed if this one blocked it. */
  fail(address: string, linkId: string, now: number): number | undefined {
    this.#byAddress.record(address, now);
    this.#byLink.record(linkId, now);
    return this.blockedUntil(address, linkId, now);
  }

  /** Wrong passwords left for `address` on `linkId` before it must wait. */
  left(address: string, linkId: string, now: number): number {
    return Math.max(
      0,
      Math.min(
        PER_ADDRESS.limit - this.#byAddress.count(address, now),
        PER_LINK.limit - this.#byLink.count(linkId, now),
      ),
    );
  }
}
