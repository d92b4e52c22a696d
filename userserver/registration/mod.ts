/** Registration with RegCloud: from the command line (`register <token>`) or the first-run setup page. */
export { isRegistrationToken, readCaPem, registerWithCloud, RegistrationFailedError } from "./register.ts";
export {
  FIRST_RUN_CA_FILE,
  listenerTls,
  type SetupRegistered,
  type SetupRegistration,
  setupRegistration,
} from "./setup.ts";
