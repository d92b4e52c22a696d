/**
 * Runs extraction jobs in Bun `Worker`s (one per core by default), one job per worker at a time,
 * with a time limit per file: a worker that overruns is terminated and a fresh one takes its next
 * job, and one whose heap grew past the limit is replaced before its next job. A file's clock
 * starts when its worker is ready (loading the parsers is not the file's fault).
 */
import { availableParallelism } from "node:os";
import type { Logger } from "../../../shared/log/mod.ts";
import { type Extracted, ExtractLimitError, type ExtractLimits, type ExtractRequest } from "./mod.ts";
import type { JobMessage, ResultMessage } from "./worker.ts";

const WORKER_URL = new URL("./worker.ts", import.meta.url).href;

type Reply = Exclude<ResultMessage, { ready: true }>;

/** One worker and the job it runs. */
class Slot {
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  #current: { id: number; settle: (r: Reply | Error) => void } | undefined;
  #recycle = false;

  constructor(private readonly pool: ExtractPool) {}

  get busy(): boolean {
    return this.#current !== undefined;
  }

  async run(id: number, req: ExtractRequest, limits: ExtractLimits): Promise<Reply> {
    const { worker, ready } = this.#ensure();
    this.#current = { id, settle: () => {} };
    try {
      await ready;
      return await new Promise<Reply>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#current = undefined; // answered here, not by kill()
          this.kill("time limit");
          reject(new ExtractLimitError(`took longer than ${Math.round(limits.millis / 1000)} s to read`));
        }, limits.millis);
        this.#current = {
          id,
          settle: (r) => {
            clearTimeout(timer);
            if (r instanceof Error) reject(r);
            else resolve(r);
          },
        };
        worker.postMessage({ id, req, limits } satisfies JobMessage);
      });
    } finally {
      this.#current = undefined;
    }
  }

  kill(why: string): void {
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = undefined;
    this.#ready = undefined;
    worker.terminate();
    if (why !== "closed") this.pool.replaced(why);
    this.#current?.settle(new Error(`the extraction worker stopped (${why})`));
  }

  #ensure(): { worker: Worker; ready: Promise<void> } {
    if (this.#worker && this.#ready && !this.#recycle) return { worker: this.#worker, ready: this.#ready };
    if (this.#worker) this.kill("heap limit");
    const worker = new Worker(WORKER_URL, { smol: true });
    const ready = new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<ResultMessage>) => {
        const msg = event.data;
        if ("ready" in msg) return resolve();
        if (msg.id !== this.#current?.id) return;
        if (msg.heap > this.pool.limits.heapBytes) this.#recycle = true;
        this.#current.settle(msg);
      };
      worker.onerror = (event) => {
        reject(new Error(`the extraction worker failed: ${event.message}`));
        this.kill("crashed");
      };
    });
    ready.catch(() => {}); // the job's own await reports it
    this.#worker = worker;
    this.#ready = ready;
    this.#recycle = false;
    return { worker, ready };
  }
}

export class ExtractPool {
  readonly #slots: Slot[];
  #waiting: Array<() => void> = [];
  #nextId = 1;
  /** Workers replaced so far (time or heap limit, crash), for the status page and tests. */
  restarts = 0;

  constructor(readonly limits: ExtractLimits, private readonly log: Logger, size = availableParallelism()) {
    this.#slots = Array.from({ length: Math.max(1, Math.min(size, 4)) }, () => new Slot(this));
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Extracts one file; rejects with `ExtractLimitError` for files over a limit. */
  async run(req: ExtractRequest): Promise<Extracted> {
    let slot = this.#slots.find((s) => !s.busy);
    while (!slot) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
      slot = this.#slots.find((s) => !s.busy);
    }
    try {
      const msg = await slot.run(this.#nextId++, req, this.limits);
      if (msg.ok) return { text: msg.text, fields: msg.fields, note: msg.note };
      throw msg.limit ? new ExtractLimitError(msg.error) : new Error(msg.error);
    } finally {
      this.#waiting.shift()?.();
    }
  }

  replaced(why: string): void {
    this.restarts++;
    this.log.info("search extraction worker replaced", { why });
  }

  close(): void {
    for (const s of this.#slots) s.kill("closed");
  }
}
