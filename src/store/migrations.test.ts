import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS_FOLDER } from "./migrations-folder.js";
import { ReleaseStore } from "./release-store.js";
import * as schema from "./schema.js";
import { newRelease } from "./store.test-support.js";

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** The migrations folder as it was before migration `tag`: an older Glidepath's schema. */
function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(join(tmpdir(), "glidepath-migrations-"));
  folders.push(folder);
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalFile = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
  journal.entries = journal.entries.slice(0, journal.entries.findIndex((entry) => entry.tag === tag));
  writeFileSync(journalFile, JSON.stringify(journal));
  return folder;
}

describe("migration 0006_change_detector_evidence", () => {
  it("turns a running release's per-stage evidence into a change detector, leaving other SLOs alone", async () => {
    const client = new PGlite();
    const db = drizzle(client, { schema });
    try {
      await migrate(db, { migrationsFolder: migrationsBefore("0006_change_detector_evidence") });
      const release = newRelease();
      const earlierStages = [1, 2, 3, 4, 5, 6, 7];
      const oldEvidence = [{ earlierStages, currentStage: [9, 9, 9, 9, 9, 9, 9] }, null, null, null];
      await db.execute(sql`
        insert into releases (id, name, target, stable, candidate, plan, state, stage_index, soak_served_seconds, consecutive_failures, evidence, created_at, updated_at)
        values (${release.id}, ${release.name}, ${JSON.stringify(release.target)}::jsonb, 'v1', 'v2', ${JSON.stringify(release.plan)}::jsonb,
                'running', 1, 30, 0, ${JSON.stringify(oldEvidence)}::jsonb, now(), now())`);

      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });

      const [first, ...others] = (await new ReleaseStore(db).get(release.id))!.release.evidence;
      expect(others).toEqual([null, null, null]);
      expect(first).toMatchObject({ startPoints: 1, counted: null });
      first!.detector!.forEach((log, i) => expect(log).toBeCloseTo(earlierStages[i]! - Math.log(2), 12));
    } finally {
      await client.close();
    }
  });
});
