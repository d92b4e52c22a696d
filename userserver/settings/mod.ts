/** The Settings plugin (live import roots, facts about this server, every plugin's section). */
export { type SettingsFacts, settingsPlugin } from "./plugin.tsx";
