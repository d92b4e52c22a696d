/**
 * The CAPTCHA a server sets another before it stores a friend request (self-hosted: svg-captcha,
 * never a third party). One open challenge per asking server, ten minutes to answer, each answer
 * spends the challenge (a wrong one gets a new one), and wrong answers are throttled per asking
 * server: five in ten minutes, then a wait.
 */
import svgCaptcha from "svg-captcha";
import { randomToken } from "../../shared/crypto/mod.ts";

const TTL_MS = 10 * 60_000;
const WRONG_LIMIT = 5;
const WRONG_WINDOW_MS = 10 * 60_000;
const MAX_OPEN = 10_000;

export interface Challenge {
  id: string;
  /** The SVG, for an `<img src="data:image/svg+xml…">` (an image cannot run script). */
  svg: string;
}

export type AnswerResult =
  | { ok: true }
  | { ok: false; reason: "wrong" | "expired"; next: Challenge }
  | { ok: false; reason: "throttled"; retryAfterS: number };

export class Captchas {
  readonly #open = new Map<string, { id: string; text: string; until: number }>();
  readonly #wrong = new Map<string, number[]>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Tests read each answer from the log (config `captchaAnswersInLog`); never set in production. */
    private readonly reveal?: (from: string, id: string, answer: string) => void,
  ) {}

  /** A new challenge for `from` (its previous one, if any, no longer counts). */
  issue(from: string): Challenge {
    if (this.#open.size >= MAX_OPEN) this.#sweep();
    const c = svgCaptcha.create({ size: 5, noise: 2, ignoreChars: "0oO1iIlLqg9", color: false });
    const id = randomToken(12);
    this.#open.set(from, { id, text: c.text.toLowerCase(), until: this.now() + TTL_MS });
    this.reveal?.(from, id, c.text.toLowerCase());
    return { id, svg: c.data };
  }

  /** Seconds `from` must wait before answering again, or 0. */
  retryAfterS(from: string): number {
    const recent = (this.#wrong.get(from) ?? []).filter((t) => t > this.now() - WRONG_WINDOW_MS);
    this.#wrong.set(from, recent);
    if (recent.length < WRONG_LIMIT) return 0;
    return Math.ceil((recent[0]! + WRONG_WINDOW_MS - this.now()) / 1000);
  }

  /** Checks `from`'s answer to challenge `id`; the challenge is spent either way. */
  answer(from: string, id: string, text: string): AnswerResult {
    const wait = this.retryAfterS(from);
    if (wait > 0) return { ok: false, reason: "throttled", retryAfterS: wait };
    const open = this.#open.get(from);
    this.#open.delete(from);
    if (!open || open.id !== id || open.until < this.now()) {
      return { ok: false, reason: "expired", next: this.issue(from) };
    }
    if (text.trim().toLowerCase() !== open.text) {
      this.#wrong.get(from)!.push(this.now());
      return { ok: false, reason: "wrong", next: this.issue(from) };
    }
    return { ok: true };
  }

  #sweep(): void {
    for (const [k, v] of this.#open) if (v.until < this.now()) this.#open.delete(k);
  }
}
