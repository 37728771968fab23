// The TypeScript language-service plugin's face (`weir/ts-plugin`): tsserver calls `init` through
// plugin.cjs. Everything else in this folder is internal.
export { init } from "./plugin-factory.ts";
