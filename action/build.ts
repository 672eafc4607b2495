import { cpSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PGLITE = join(ROOT, "node_modules/@electric-sql/pglite/dist");

/**
 * Bundles the action into one ES module that GitHub runs with no node_modules. What the bundled
 * code loads beside itself at run time (the database's WebAssembly and data files, the
 * migrations) is copied next to it, where each module's import.meta.url now points.
 */
export async function buildAction(outdir = join(ROOT, "action/dist")): Promise<string> {
  rmSync(outdir, { recursive: true, force: true });
  const outfile = join(outdir, "index.js");
  await build({
    entryPoints: [join(ROOT, "action/src/main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    minify: true,
    legalComments: "linked",
    logLevel: "error",
    // CommonJS dependencies require Node's modules, which an ES module has no `require` for.
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  });
  writeFileSync(join(outdir, "package.json"), '{ "type": "module" }\n');
  for (const file of ["pglite.wasm", "initdb.wasm", "pglite.data"]) cpSync(join(PGLITE, file), join(outdir, file));
  // The migrator reads the SQL files and the journal; the schema snapshots are for drizzle-kit.
  cpSync(join(ROOT, "src/store/migrations"), join(outdir, "migrations"), { recursive: true, filter: (path) => !path.endsWith("_snapshot.json") });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildAction(process.argv[2]);
