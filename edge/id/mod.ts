/** IdCloud's account side: pages, sessions, registration of user servers. */
export { createIdRoutes } from "./routes.tsx";
export { idCsrf } from "./csrf.tsx";
export { getSignedInAccount, loginUrl, type SignedInAccount } from "./session.ts";
export { createVerifiedAccount } from "./accounts.ts";
export { claimName, registerServer } from "./registration.ts";
