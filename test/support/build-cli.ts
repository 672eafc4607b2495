import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import type { TestProject } from "vitest/node";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

declare module "vitest" {
  export interface ProvidedContext {
    /** The CLI of this run's sources, bundled into one file; see test/support/cli.ts. */
    cliBundle: string;
  }
}

/**
 * Each module keeps the import.meta.url of its source file, so whatever it finds beside itself
 * (the migrations, package.json, the dashboard) it finds where it does under tsx.
 */
const sourceUrls: Plugin = {
  name: "source-import-meta-url",
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, ({ path }) => ({
      contents: readFileSync(path, "utf8").replaceAll("import.meta.url", JSON.stringify(pathToFileURL(path).href)),
      loader: "ts",
    }));
  },
};

/**
 * Vitest global setup: compiles src/cli/main.ts with the sources as they are now, once per run,
 * so that each spawned command starts as plain JavaScript instead of compiling itself through tsx
 * (about a second of CPU a process, and the end-to-end tests start dozens). Packages stay
 * external: they load from node_modules as under tsx. Same compiler as tsx (esbuild).
 */
export default async function setup(project: TestProject) {
  // Inside node_modules so that the bundle's package imports resolve to the project's node_modules.
  const dir = join(ROOT, "node_modules", ".cache", "glidepath-test-cli", String(process.pid));
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, "main.mjs");
  await build({
    entryPoints: [join(ROOT, "src/cli/main.ts")],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "inline",
    tsconfig: join(ROOT, "tsconfig.json"),
    logLevel: "error",
    plugins: [sourceUrls],
  });
  project.provide("cliBundle", outfile);
  return () => rmSync(dir, { recursive: true, force: true });
}
