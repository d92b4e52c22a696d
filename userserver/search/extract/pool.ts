/**
 * Runs extraction jobs in one Bun `Worker`, one at a time, with a time limit per file: a worker
 * that overruns is terminated and a fresh one takes the next job, and one whose heap grew past the
 * limit is replaced before the next job.
 */
import type { Logger } from "../../../shared/log/mod.ts";
import { type Extracted, ExtractLimitError, type ExtractLimits, type ExtractRequest } from "./mod.ts";
import type { JobMessage, ResultMessage } from "./worker.ts";

const WORKER_URL = new URL("./worker.ts", import.meta.url).href;

interface Pending {
  resolve: (r: Extracted) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ExtractPool {
  #worker: { worker: Worker; ready: Promise<void> } | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #recycle = false;
  /** Workers replaced so far (time or heap limit), for the status page and tests. */
  restarts = 0;

  constructor(private readonly limits: ExtractLimits, private readonly log: Logger) {}

  /** Extracts one file; rejects with `ExtractLimitError` for files over a limit. */
  async run(req: ExtractRequest): Promise<Extracted> {
    const { worker, ready } = this.#ensure();
    await ready;
    const id = this.#nextId++;
    return new Promise<Extracted>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#kill("time limit");
        reject(new ExtractLimitError(`took longer than ${Math.round(this.limits.millis / 1000)} s to read`));
      }, this.limits.millis);
      this.#pending.set(id, { resolve, reject, timer });
      const msg: JobMessage = { id, req, limits: this.limits };
      worker.postMessage(msg);
    });
  }

  close(): void {
    this.#kill("closed");
  }

  #ensure(): { worker: Worker; ready: Promise<void> } {
    if (this.#worker && !this.#recycle) return this.#worker;
    if (this.#worker) this.#kill("heap limit");
    const worker = new Worker(WORKER_URL, { smol: true });
    const ready = new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<ResultMessage>) => {
        if ("ready" in event.data) resolve();
        else this.#settle(event.data);
      };
      worker.onerror = (event) => {
        this.log.warn("search extraction worker failed", { error: event.message });
        reject(new Error(`the extraction worker failed: ${event.message}`));
        this.#kill("crashed");
      };
    });
    this.#worker = { worker, ready };
    this.#recycle = false;
    return this.#worker;
  }

  #settle(msg: Exclude<ResultMessage, { ready: true }>): void {
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.heap > this.limits.heapBytes) this.#recycle = true;
    if (msg.ok) p.resolve({ text: msg.text, fields: msg.fields, note: msg.note });
    else p.reject(msg.limit ? new ExtractLimitError(msg.error) : new Error(msg.error));
  }

  #kill(why: string): void {
    const current = this.#worker;
    if (!current) return;
    this.#worker = undefined;
    current.worker.terminate();
    if (why !== "closed") {
      this.restarts++;
      this.log.info("search extraction worker replaced", { why });
    }
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`the extraction worker stopped (${why})`));
      this.#pending.delete(id);
    }
  }
}
