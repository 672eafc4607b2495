import { fileURLToPath } from "node:url";

/** Resolved beside this module, so it is src/store/migrations from source and dist/store/migrations once built. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));
