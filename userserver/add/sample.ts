/** A sample import root for `npm run dev`: a few folders of small files to try "Add" with. */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Creates `<dir>/Welcome` (if missing) with some files; returns `dir`, to configure as an import root. */
export function writeSampleImportRoot(dir: string): string {
  const welcome = join(dir, "Welcome");
  if (existsSync(welcome)) return dir;
  mkdirSync(join(welcome, "Notes"), { recursive: true });
  mkdirSync(join(welcome, "Recipes"), { recursive: true });
  writeFileSync(
    join(welcome, "README.txt"),
    "These files are here so you can try Add in Hearth's dev stack.\n",
  );
  writeFileSync(join(welcome, "Notes", "ideas.md"), "# Ideas\n\n- A personal cloud on my own machine\n");
  writeFileSync(join(welcome, "Notes", "todo.txt"), "Import my photos\nInvite a friend\n");
  writeFileSync(
    join(welcome, "Recipes", "bread.md"),
    "# Bread\n\n500 g flour, 350 g water, 10 g salt, 5 g yeast.\n",
  );
  writeFileSync(
    join(welcome, "Recipes", "bread copy.md"),
    "# Bread\n\n500 g flour, 350 g water, 10 g salt, 5 g yeast.\n",
  );
  for (let i = 1; i <= 12; i++) {
    writeFileSync(
      join(welcome, "Notes", `day-${String(i).padStart(2, "0")}.txt`),
      `Day ${i}: nothing much happened.\n`,
    );
  }
  return dir;
}
