// The migrator reads SQL files at run time, so the build ships them beside the compiled store.
import { cpSync } from "node:fs";

cpSync(new URL("../src/store/migrations", import.meta.url), new URL("../dist/store/migrations", import.meta.url), {
  recursive: true,
});
