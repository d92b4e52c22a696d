/**
 * The owner's side of a friendship (ARCHITECTURE.md §5.2): ask another server by name, answer the
 * CAPTCHA it sets, decide on a request (accept, reject, subscribe), cancel or unfriend. Asking and
 * deciding need both servers online; ending takes effect here at once and tells the other server
 * if it can be reached (otherwise it learns on its next ping: `/hello` answers "none").
 */
import { checkUserName, NameError } from "../../shared/names.ts";
import type { Notifications } from "../notifications/mod.ts";
import { PeerUnavailableError } from "./client.ts";
import type { PeerClient } from "./client.ts";
import type { Challenge } from "./captcha.ts";
import { PEER_API } from "./door.ts";
import { PeerLookupError } from "./directory.ts";
import type { Relations } from "./relations.ts";

/** A sentence for the owner: why an action did not work. */
export class FriendError extends Error {
  override name = "FriendError";
}

export interface PendingAsk {
  name: string;
  challenge: Challenge;
  note: string;
  /** Why the last answer was refused, if it was. */
  error?: string;
}

export type Decision = "accepted" | "rejected" | "subscribed";

export class Handshake {
  /** CAPTCHAs the other servers set, waiting for the owner's answer (by server name). */
  readonly #asks = new Map<string, PendingAsk>();

  constructor(
    private readonly o: {
      self: string;
      relations: Relations;
      client: PeerClient;
      notifications: Notifications;
    },
  ) {}

  pending(name: string): PendingAsk | undefined {
    return this.#asks.get(name);
  }

  /** Step 1: ask `input`'s server for a CAPTCHA. Returns the normalised name. */
  async ask(input: string, note = ""): Promise<string> {
    const name = this.#nameOf(input);
    const existing = await this.o.relations.get(name);
    if (existing && existing.state !== "rejected") {
      throw new FriendError(`You and ${name} are already connected (${existing.state})`);
    }
    const { status, body } = await this.#json<{ challenge?: Challenge; error?: string }>(
      name,
      `${PEER_API}/friend-requests/challenge`,
      {},
    );
    if (status !== 200 || !body.challenge) {
      throw new FriendError(body.error ?? `${name}'s server refused (HTTP ${status})`);
    }
    this.#asks.set(name, { name, challenge: body.challenge, note: note.slice(0, 500) });
    return name;
  }

  /** Step 2: the owner's answer. Right: the request is stored on both servers. Wrong: a new CAPTCHA. */
  async answer(name: string, challengeId: string, answer: string): Promise<"sent" | "wrong"> {
    const ask = this.#asks.get(name);
    if (!ask) throw new FriendError(`Ask ${name} again: that question is no longer open`);
    const { status, body } = await this.#json<{ challenge?: Challenge; error?: string }>(
      name,
      `${PEER_API}/friend-requests`,
      { challengeId, answer, note: ask.note },
    );
    if (status === 201) {
      this.#asks.delete(name);
      const key = (await this.o.client.directory.lookUp(name)).publicKeyJwk;
      await this.o.relations.put(name, "outgoing", key, ask.note);
      return "sent";
    }
    if (status === 400 && body.challenge) {
      this.#asks.set(name, { ...ask, challenge: body.challenge, error: body.error });
      return "wrong";
    }
    this.#asks.delete(name);
    throw new FriendError(body.error ?? `${name}'s server refused (HTTP ${status})`);
  }

  /** Accept, reject or subscribe to an incoming request; the asking server must be online. */
  async decide(name: string, decision: Decision): Promise<void> {
    const r = await this.o.relations.get(name);
    if (r?.state !== "incoming") throw new FriendError(`There is no request from ${name} to answer`);
    const { status, body } = await this.#json<{ error?: string }>(name, `${PEER_API}/friendship`, {
      state: decision,
    });
    if (status !== 200) throw new FriendError(body.error ?? `${name}'s server refused (HTTP ${status})`);
    if (decision === "accepted") await this.o.relations.setState(name, "accepted");
    else if (decision === "subscribed") await this.o.relations.setState(name, "subscribed");
    else await this.o.relations.setState(name, "rejected", "me");
  }

  /** Cancel a request, unfriend, or forget a rejection: effective here at once. */
  async end(name: string): Promise<{ told: boolean }> {
    const r = await this.o.relations.get(name);
    if (!r) throw new FriendError(`You have no relation with ${name}`);
    await this.o.relations.remove(name);
    this.#asks.delete(name);
    try {
      const res = await this.o.client.call(name, `${PEER_API}/friendship`, {
        json: { state: "ended" },
        timeoutMs: 3_000,
      });
      await res.body?.cancel();
      return { told: res.ok };
    } catch (e) {
      if (e instanceof PeerUnavailableError) return { told: false };
      throw e;
    }
  }

  #nameOf(input: string): string {
    const bare = input.trim().toLowerCase().replace(/^https?:\/\//, "").split(/[.:/]/)[0] ?? "";
    try {
      const name = checkUserName(bare);
      if (name === this.o.self) throw new FriendError("That is your own server");
      return name;
    } catch (e) {
      if (e instanceof NameError) throw new FriendError(e.message);
      throw e;
    }
  }

  async #json<T>(name: string, path: string, json: unknown): Promise<{ status: number; body: T }> {
    try {
      return await this.o.client.json<T>(name, path, { json, timeoutMs: 8_000 });
    } catch (e) {
      if (e instanceof PeerUnavailableError) {
        throw new FriendError(`${e.message}. Both servers must be online for this: try again later.`);
      }
      if (e instanceof PeerLookupError) throw new FriendError(e.message);
      throw e;
    }
  }
}
