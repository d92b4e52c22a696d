import { defineConfig } from "drizzle-kit";
export default defineConfig({
  dialect: "sqlite",
  schema: "./shared/db/userserver/schema.ts",
  out: "./migrations/userserver",
});
