import { defineConfig } from "vitest/config";

// Two projects: every test (on SQLite, unless WEIR_TEST_STORE says otherwise), and the end-to-end
// suite a second time with its runtimes on PostgreSQL (a fresh database each, on the local server).
// `--project main` or `--project e2e-postgres` runs one of them.
export default defineConfig({
  test: {
    exclude: ["test/fixtures/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "main",
          include: ["test/**/*.test.ts"],
          typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e-postgres",
          include: ["test/e2e/**/*.test.ts"],
          env: { WEIR_TEST_STORE: "postgres" },
        },
      },
    ],
  },
});
