/** Starts modules in order and stops them in reverse; a failed start stops what already started. */
import type { Logger } from "../../shared/log/mod.ts";

export interface Module {
  name: string;
  start(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

export class BootError extends Error {
  override name = "BootError";
}

export class Lifecycle {
  #modules: Module[] = [];
  #started: Module[] = [];

  constructor(private readonly log: Logger) {}

  add(module: Module): this {
    this.#modules.push(module);
    return this;
  }

  async start(): Promise<void> {
    for (const m of this.#modules) {
      try {
        await m.start();
      } catch (cause) {
        await this.stop();
        const why = cause instanceof Error ? cause.message : String(cause);
        // Start-up errors already name what went wrong (a config key, an address): keep their sentence.
        throw cause instanceof Error && cause.name !== "Error"
          ? cause
          : new BootError(`Cannot start ${m.name}: ${why}`, { cause });
      }
      this.#started.push(m);
      this.log.debug("module started", { module: m.name });
    }
  }

  /** Stops started modules in reverse order; a failing stop is logged and the others still stop. */
  async stop(): Promise<void> {
    for (const m of this.#started.splice(0).reverse()) {
      try {
        await m.stop?.();
        this.log.debug("module stopped", { module: m.name });
      } catch (e) {
        this.log.error("module failed to stop", {
          module: m.name,
          error: e instanceof Error ? e.message : String(e),
        });
      }
    }
  }

  get started(): string[] {
    return this.#started.map((m) => m.name);
  }
}
