/** WebDAV at `/dav/` with app passwords (see plugin.tsx). */
export { AppPasswords, DAV_PREFIX, davPlugin } from "./plugin.tsx";
