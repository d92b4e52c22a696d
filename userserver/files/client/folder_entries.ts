/**
 * The files (and empty folders) of a folder upload, each with the folders it sits in: from the
 * folder picker (`webkitRelativePath`) or from a drop (`webkitGetAsEntry`, directories read to the
 * end — `readEntries` answers in batches until it answers none).
 */

export interface Entry {
  file: File;
  /** Folders under the target, `/`-separated ("" for a file dropped on its own). */
  dir: string;
}

export interface Picked {
  entries: Entry[];
  emptyDirs: string[];
}

/** What an <input type=file> holds: plain files, or a chosen folder's tree. */
export function entriesOfInput(input: HTMLInputElement): Picked {
  const entries = [...(input.files ?? [])].map((file) => {
    const rel = file.webkitRelativePath ?? "";
    return { file, dir: rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "" };
  });
  return { entries, emptyDirs: [] };
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(out);
        out.push(...batch);
        next();
      }, reject);
    next();
  });
}

const fileOf = (entry: FileSystemFileEntry) =>
  new Promise<File>((resolve, reject) => entry.file(resolve, reject));

async function walk(entry: FileSystemEntry, dir: string, out: Picked): Promise<void> {
  if (entry.isFile) {
    out.entries.push({ file: await fileOf(entry as FileSystemFileEntry), dir });
    return;
  }
  if (!entry.isDirectory) return;
  const path = dir ? `${dir}/${entry.name}` : entry.name;
  const children = await readAll((entry as FileSystemDirectoryEntry).createReader());
  if (children.length === 0) out.emptyDirs.push(path);
  for (const child of children) await walk(child, path, out);
}

/** A drop's files and folders (a browser without the entries API: its plain files). */
export async function entriesOfDrop(data: DataTransfer): Promise<Picked> {
  const roots = [...data.items].map((i) => i.webkitGetAsEntry?.() ?? null);
  if (roots.some((r) => r === null)) {
    return { entries: [...data.files].map((file) => ({ file, dir: "" })), emptyDirs: [] };
  }
  const out: Picked = { entries: [], emptyDirs: [] };
  for (const root of roots) await walk(root!, "", out);
  return out;
}
