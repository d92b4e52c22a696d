/**
 * Folder uploads (issue #15): each file of a dropped or chosen folder carries the folders it sits in,
 * relative to the folder it is uploaded into (`Trip/Day 1`). Every part must be a valid item name on
 * its own — no `..`, no `/` inside a part, no control characters — so a hostile path can never reach
 * outside the target folder: it is refused with the sentence of the part that is wrong.
 */
import { checkItemName, ItemNameError } from "../store/mod.ts";

export const MAX_DEPTH = 32;
const MAX_PATH = 4096;

/** The folder names of `relativeDir` ("" → none), each checked; throws ItemNameError with a sentence. */
export function folderParts(relativeDir: string): string[] {
  if (relativeDir === "") return [];
  if (relativeDir.length > MAX_PATH) {
    throw new ItemNameError(`The folder path is longer than ${MAX_PATH} characters`);
  }
  const parts = relativeDir.split("/");
  if (parts.length > MAX_DEPTH) {
    throw new ItemNameError(`Folders nest at most ${MAX_DEPTH} deep in one upload`);
  }
  return parts.map((p) => checkItemName(p));
}

/** How an upload meets a file of the same name: replace it (the old one goes to the trash) or keep both. */
export type OnClash = "replace" | "keep";

export function onClashOf(value: string | undefined | null): OnClash {
  if (value === undefined || value === null || value === "" || value === "keep") return "keep";
  if (value === "replace") return "replace";
  throw new ItemNameError(`onClash must be "replace" or "keep", not "${String(value).slice(0, 20)}"`);
}
