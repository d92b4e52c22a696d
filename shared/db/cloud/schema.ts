/**
 * The cloud DB: one libSQL database shared by RegCloud, DNSCloud, IdCloud and mail, one file of
 * tables per subsystem. Times are Unix milliseconds (integers), so every runtime compares them
 * the same way. drizzle-kit reads this file (migrations/drizzle.cloud.config.ts).
 */
export * from "./reg.ts";
export * from "./dns.ts";
export * from "./id.ts";
export * from "./mail.ts";
export * from "./oidc.ts";
export * from "./console.ts";
