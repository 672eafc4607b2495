import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Bundles the CLI once for the tests that run it as a process (test/support/cli.ts).
    globalSetup: ["test/support/build-cli.ts"],
    // One module graph per worker instead of one per file: no test mocks modules or stubs globals,
    // and each file builds its own servers and databases, so loading the server, PGlite and the
    // SDKs again for every file bought nothing.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
