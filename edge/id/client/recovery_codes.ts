/**
 * The recovery-codes page's one script (IdCloud's pages run none otherwise): the "Copy the codes"
 * button, hidden until this runs, puts the codes on the clipboard. Bundled by edge/id/static.ts.
 */
const button = document.querySelector<HTMLButtonElement>("[data-copy-codes]");
const list = document.querySelector<HTMLElement>("ul.codes");
if (button && list) {
  const label = button.textContent ?? "Copy the codes";
  const codes = [...list.querySelectorAll("li")].map((li) => li.textContent?.trim() ?? "").join("\n");
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(`${codes}\n`);
      button.textContent = "Copied";
    } catch {
      // No clipboard permission (an old browser, an insecure context): select them to copy by hand.
      getSelection()?.selectAllChildren(list);
      button.textContent = "Selected: press Ctrl+C";
    }
    setTimeout(() => (button.textContent = label), 3000);
  });
}
