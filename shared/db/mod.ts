export { chooseDriver, DatabaseConfigError, type DriverChoice, type DriverOptions } from "./driver.ts";
export { WriteQueue } from "./write_queue.ts";
export * as cloudSchema from "./cloud/schema.ts";
export * as userserverSchema from "./userserver/schema.ts";
