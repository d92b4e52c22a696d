/** When names of an upload are taken: one choice for the whole batch — replace, keep both, or stop. */
import { $ } from "./dom.ts";

export type ClashChoice = "replace" | "keep" | "cancel";

export function askClash(names: string[]): Promise<ClashChoice> {
  const dialog = $<HTMLDialogElement>("#fm-dialog");
  if (!dialog) return Promise.resolve("keep");
  const title = document.createElement("h2");
  title.id = "fm-clash-title";
  title.textContent = names.length === 1
    ? `“${names[0]}” already exists here`
    : `${names.length.toLocaleString()} files already exist here`;
  const list = document.createElement("ul");
  list.className = "fm-clash-list";
  for (const n of names.slice(0, 8)) {
    const li = document.createElement("li");
    li.textContent = n;
    list.append(li);
  }
  if (names.length > 8) {
    const li = document.createElement("li");
    li.textContent = `and ${(names.length - 8).toLocaleString()} more`;
    list.append(li);
  }
  const hint = document.createElement("p");
  hint.className = "muted";
  hint.textContent = "Replace puts the old files in the trash, where you can restore them. Keep both gives " +
    "the new files a number: “name (2).ext”. Your choice applies to every file of this upload.";
  const row = document.createElement("div");
  row.className = "row";
  const button = (text: string, choice: ClashChoice, cls = "") => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (cls) b.className = cls;
    b.dataset.choice = choice;
    return b;
  };
  const keep = button("Keep both", "keep");
  row.append(keep, button("Replace", "replace", "secondary"), button("Cancel upload", "cancel", "secondary"));
  dialog.setAttribute("aria-labelledby", title.id);
  dialog.replaceChildren(title, list, hint, row);
  dialog.showModal();
  keep.focus();
  return new Promise((resolve) => {
    const done = (choice: ClashChoice) => {
      dialog.removeEventListener("close", onClose);
      dialog.close();
      resolve(choice);
    };
    const onClose = () => done("cancel"); // Esc
    dialog.addEventListener("close", onClose);
    row.addEventListener("click", (e) => {
      const choice = e.target instanceof HTMLElement ? e.target.dataset.choice : undefined;
      if (choice === "replace" || choice === "keep" || choice === "cancel") done(choice);
    });
  });
}
