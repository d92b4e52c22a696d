/**
 * On a relayed page: ask this computer's local listener for the answer to the page's challenge; if
 * it gives the one the server put in the page, this browser is on the server's own machine, so the
 * account menu shows "Open on this computer" (pointing at the same page there).
 */
async function probe(): Promise<void> {
  const item = document.getElementById("open-locally");
  if (!item) return;
  const { origin, challenge, answer } = item.dataset;
  if (!origin || !challenge || !answer) return;
  try {
    const res = await fetch(`${origin}/local/here?c=${encodeURIComponent(challenge)}`, {
      mode: "cors",
      credentials: "omit",
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) return;
    const body = await res.json() as { answer?: string };
    if (body.answer !== answer) return;
  } catch {
    return; // not on this computer, or the local listener is off: nothing to offer
  }
  const link = item.querySelector("a");
  if (link) link.href = `${origin}${location.pathname}${location.search}`;
  item.hidden = false;
}

void probe();
document.addEventListener("htmx:after:swap", () => void probe());
