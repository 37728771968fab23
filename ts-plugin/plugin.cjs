// The module tsserver loads (with require, by the name in compilerOptions.plugins). weir ships
// TypeScript sources, so the plugin is compiled on load by tsx's CommonJS API, scoped to these
// requires rather than registered over tsserver's own.
const { require: tsxRequire } = require("tsx/cjs/api");

module.exports = tsxRequire("./index.ts", __filename).init;
