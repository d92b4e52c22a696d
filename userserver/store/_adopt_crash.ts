/**
 * Test helper process: adopts `<source>` into the blob store under `<dir>` and SIGKILLs itself
 * right after step `<step>` ("hashed", "synced" or "renamed"), as a power cut or crash would.
 * Usage: bun userserver/store/_adopt_crash.ts <blobs dir> <source> <step>
 */
import { type AdoptStep, BlobStore } from "./blobs.ts";

const [dir, source, step] = process.argv.slice(2) as [string, string, AdoptStep];
const blobs = new BlobStore(dir);
await blobs.adoptFile(source, {
  onStep: (s) => {
    if (s === step) process.kill(process.pid, "SIGKILL");
  },
});
process.exit(3); // not reached when the step happens
