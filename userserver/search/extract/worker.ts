/**
 * The extraction worker (a Bun `Worker`): parsers of hostile files run here, off the server's
 * event loop, so a slow PDF never stalls a page; the pool ends and replaces a worker that runs
 * past its time limit.
 */
import { heapSize } from "bun:jsc";
import { extract, type ExtractLimits, type ExtractRequest } from "./mod.ts";

declare const self: Worker;

export interface JobMessage {
  id: number;
  req: ExtractRequest;
  limits: ExtractLimits;
}

export type ResultMessage =
  | { id: number; ok: true; text: string; fields: string; note?: string; heap: number }
  | { id: number; ok: false; error: string; limit: boolean; heap: number }
  | { id: 0; ready: true };

self.onmessage = async (event: MessageEvent<JobMessage>) => {
  const { id, req, limits } = event.data;
  let reply: ResultMessage;
  try {
    const out = await extract(req, limits);
    reply = { id, ok: true, text: out.text, fields: out.fields, note: out.note, heap: heapSize() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const limit = error instanceof Error && error.name === "ExtractLimitError";
    reply = { id, ok: false, error: message.slice(0, 300), limit, heap: heapSize() };
  }
  self.postMessage(reply);
};

// Loading the parsers takes a while on a busy machine: the pool starts a file's clock only now.
self.postMessage({ id: 0, ready: true } satisfies ResultMessage);
