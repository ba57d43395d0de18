/** The operator console: its files (under web/), loaded once, and the headers they are served with. */
export { CONSOLE_WEB_DIR, etagMatches, loadConsoleAssets } from "./assets.js";
export type { ConsoleAsset, ConsoleAssets } from "./assets.js";
export { CONSOLE_CACHE_CONTROL, CONSOLE_CSP, CONSOLE_SECURITY_HEADERS } from "./headers.js";
