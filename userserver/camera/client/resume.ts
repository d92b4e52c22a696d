/**
 * The service worker's half of background uploads (see pending.ts): on a `sync` event, send every
 * pending file no page is sending (its Web Lock is free), skipping what the server already has and
 * continuing a started upload from the server's offset. Throws when any is left, so the browser
 * fires the sync again later.
 */
import { Upload } from "tus-js-client";
import { FetchHttpStack } from "./fetch_stack.ts";
import {
  all,
  CHUNK_BYTES,
  forget,
  knownHashes,
  lockName,
  type Pending,
  setUploadUrl,
  uploadMetadata,
} from "./pending.ts";

export async function resumePending(origin: string): Promise<void> {
  const failed: string[] = [];
  for (const p of await all()) {
    await navigator.locks.request(lockName(p.id), { ifAvailable: true }, async (lock) => {
      if (!lock) return; // a page is sending it right now
      try {
        if (p.hash && (await knownHashes([p.hash])).has(p.hash)) {
          await forget(p.id);
          return;
        }
        await send(p, origin);
        await forget(p.id);
      } catch (e) {
        failed.push(`${p.name}: ${(e as Error).message}`);
      }
    });
  }
  if (failed.length) throw new Error(`Camera uploads left for a later sync: ${failed.join("; ")}`);
}

function send(p: Pending, origin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const upload: Upload = new Upload(p.file, {
      endpoint: new URL("/upload/tus", origin).href,
      uploadUrl: p.uploadUrl ?? null,
      httpStack: new FetchHttpStack(),
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000],
      metadata: uploadMetadata(p),
      storeFingerprintForResuming: false,
      onUploadUrlAvailable: () => {
        if (upload.url) void setUploadUrl(p.id, upload.url);
      },
      onSuccess: () => resolve(),
      onError: reject,
    });
    upload.start();
  });
}
