import type { Release } from "../core/release.js";
import type { PlatformConnection } from "../platforms/types.js";
import type { Database } from "../store/database.js";
import type { SecretBox } from "./auth/secret-box.js";

/** Connects a release to its target's platform with the credentials of the target's connection. */
export function createPlatformConnector(_db: Database, _secrets: SecretBox): (release: Pick<Release, "target">) => PlatformConnection {
  return () => {
    throw new Error("connections are not built yet");
  };
}
