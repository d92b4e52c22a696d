/** The debug tap (off by default): the bytes the relay moves, appended to two files. */
import { appendFileSync } from "node:fs";

export interface Tap {
  up(bytes: Uint8Array): void;
  down(bytes: Uint8Array): void;
}

export function fileTap(path: string | undefined): Tap | undefined {
  if (!path) return undefined;
  return {
    up: (b) => appendFileSync(`${path}.up`, b),
    down: (b) => appendFileSync(`${path}.down`, b),
  };
}
