/** The way in on this computer (issue #21): local sessions, their proofs, and the listener's checks. */
export { localAuth } from "./auth.ts";
export { isLoopback, PeerVerdicts, refusePeer } from "./checks.ts";
export { createOpenLogin, redeemOpenLogin } from "./open_login.ts";
export { localSessionsPlugin } from "./plugin.tsx";
export { grantSession, localRoutes, safeNext } from "./routes.tsx";
export { LOCAL_COOKIE, type LocalSession, LocalSessions } from "./sessions.ts";
export { parseProcTcp, peerUid, procForms } from "./socket_owner.ts";
export { CHALLENGE_COOKIE, onlineRoutes } from "./online.tsx";
export { type LocalProbe, localProbe } from "./here.ts";
export { openWithDefault } from "./open_with.ts";
