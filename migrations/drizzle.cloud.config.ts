import { defineConfig } from "drizzle-kit";
export default defineConfig({
  dialect: "sqlite",
  schema: "./shared/db/cloud/schema.ts",
  out: "./migrations/cloud",
});
