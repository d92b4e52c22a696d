/**
 * When the session ends during an upload (the server answers 401), the panel says "Signed out —
 * sign in to continue" with a button that opens sign-in in a new tab. The uploads wait; once a
 * request with the new session cookie succeeds they resume from the server's offset (tus), with
 * no need to choose the files again. One notice serves every waiting upload.
 */

let waiting: Promise<void> | undefined;

/** Whether the browser is signed in again: a cheap owner-only request answers 200. */
async function signedIn(probe: string): Promise<boolean> {
  try {
    const res = await fetch(probe, { cache: "no-store", redirect: "manual" });
    return res.ok;
  } catch {
    return false;
  }
}

/** Resolves once signed in again; `probe` is an owner-only URL (the folder's unfinished uploads). */
export function whenSignedIn(box: HTMLElement, probe: string): Promise<void> {
  if (waiting) return waiting;
  const notice = document.createElement("div");
  notice.className = "fm-up-auth";
  notice.setAttribute("role", "alert");
  const text = document.createElement("span");
  text.textContent = "Signed out — sign in to continue";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "small";
  button.textContent = "Sign in";
  button.addEventListener("click", () => {
    // A new tab: this page (and the uploads' state) stays as it is.
    const back = location.pathname + location.search;
    open(`/auth/login?return_to=${encodeURIComponent(back)}`, "_blank");
  });
  notice.append(text, button);
  box.dataset.signedOut = "true";
  box.prepend(notice);
  waiting = new Promise<void>((resolve) => {
    let busy = false;
    const check = async () => {
      if (busy) return;
      busy = true;
      const ok = await signedIn(probe);
      busy = false;
      if (!ok) return;
      clearInterval(timer);
      globalThis.removeEventListener("focus", check);
      notice.remove();
      delete box.dataset.signedOut;
      waiting = undefined;
      resolve();
    };
    // Back on this tab after signing in, and now and then meanwhile (a popup may not refocus).
    globalThis.addEventListener("focus", check);
    const timer = setInterval(check, 2000);
  });
  return waiting;
}
