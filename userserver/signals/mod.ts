/**
 * Typed publish/subscribe between the user server's modules. A subscriber that throws (or whose
 * promise rejects) is logged and isolated: the publisher and the other subscribers carry on.
 */
import type { Logger } from "../../shared/log/mod.ts";

export { actingAs, type Actor, actorOf, currentActor } from "./actor.ts";

/** Every signal and its payload. Feature modules add theirs here. */
export interface SignalMap {
  "item.created": {
    id: string;
    parentId: string;
    name: string;
    kind: "folder" | "file";
    size: number;
    /** Set for files an import job stored (the indexer takes what a person just added first). */
    origin?: "import";
  };
  "item.deleted": { id: string; name: string };
  /** A file's content changed (an edit, an upload over it). */
  "item.updated": { id: string; name: string };
  /** An item was renamed or moved (every path below a folder changes with it). */
  "item.moved": { id: string; parentId: string; name: string };
  "import.started": { id: string; source: string };
  "import.progress": { id: string };
  "import.finished": {
    id: string;
    source: string;
    status: "done" | "cancelled" | "failed";
    filesDone: number;
    filesDeduped: number;
    skipped: number;
    error?: string;
  };
  /** Share links (userserver/links): every event names the link and the item it shares. */
  "link.created": LinkEvent;
  "link.changed": LinkEvent;
  "link.deleted": LinkEvent;
  /** A visitor opened the link (once per browser per link and hour, not per request). */
  "link.visited": LinkEvent;
  /** A visitor downloaded a file or a zip through the link; `name` is what they got. */
  "link.downloaded": LinkEvent & { name: string };
  /** A visitor dropped a file into a file-drop link's folder; `fileId` is the new item. */
  "link.uploaded": LinkEvent & { name: string; fileId: string };
  /** Comments (userserver/comments). `author` is the owner's name or a link guest's typed name. */
  "comment.created": { commentId: string; itemId: string; author: string; excerpt: string; linkId?: string };
  /** A comment edited or removed; `itemIds`: every item showing its thread (copies share threads). */
  "comment.changed": { commentId: string; itemIds: string[] };
  "notification.changed": { unseen: number };
  "config.changed": { keys: string[] };
  /** Something went wrong in a module that the owner should hear about. */
  "error": { module: string; message: string };
}

/** What every link signal carries. */
export interface LinkEvent {
  linkId: string;
  label: string;
  itemId: string;
}

export type SignalName = keyof SignalMap;
export type Subscriber<K extends SignalName> = (payload: SignalMap[K]) => void | Promise<void>;

export class Signals {
  #subs = new Map<SignalName, Set<Subscriber<any>>>();

  constructor(private readonly log: Logger) {}

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends SignalName>(name: K, fn: Subscriber<K>): () => void {
    let set = this.#subs.get(name);
    if (!set) this.#subs.set(name, set = new Set());
    set.add(fn);
    return () => void set.delete(fn);
  }

  /**
   * Delivers `payload` to every subscriber. Never throws; the promise settles when every
   * subscriber has (so tests and shutdown can wait), but publishers need not await it.
   */
  emit<K extends SignalName>(name: K, payload: SignalMap[K]): Promise<void> {
    const subs = [...(this.#subs.get(name) ?? [])];
    return Promise.all(subs.map((fn) => this.#deliver(name, fn, payload))).then(() => {});
  }

  async #deliver<K extends SignalName>(name: K, fn: Subscriber<K>, payload: SignalMap[K]): Promise<void> {
    try {
      await fn(payload);
    } catch (error) {
      this.log.error("signal subscriber failed", {
        signal: name,
        subscriber: fn.name || "anonymous",
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** How many subscribers `name` has (for tests and the status page). */
  count(name: SignalName): number {
    return this.#subs.get(name)?.size ?? 0;
  }
}
