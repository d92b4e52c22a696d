/** Every shell page: registers the service worker (the offline shell; userserver/pwa/client/sw.ts). */
if ("serviceWorker" in navigator && location.protocol === "https:") {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    // No service worker (a private window, a policy): the pages work as before, only not offline.
  });
}
