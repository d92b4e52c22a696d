/** The installable web app: manifest, icons, the service worker and its offline page. */
export { ICON_SIZES, manifest, mountPwa } from "./routes.tsx";
