// The web UI's face. The runtime serves the folder buildUi() returns (index.html and its hashed
// assets) at `/` of its HTTP port; the page itself (ui/app/) talks to AdminService over Connect on
// that same origin and imports nothing of the runtime.
export { buildUi, UI_BUILD_DEFAULTS } from "./build.ts";
export type { UiBuildOptions } from "./build.ts";
