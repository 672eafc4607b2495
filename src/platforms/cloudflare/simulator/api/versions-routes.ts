import { Hono } from "hono";
import { versionNotFound } from "../api-errors.js";
import { deployableVersions } from "../deployment-rules.js";
import { toApiVersion } from "../model.js";
import type { WorkersState } from "../workers-state.js";
import { successEnvelope } from "./envelope.js";
import { scriptOf } from "./request-context.js";

const DEFAULT_PER_PAGE = 10;
const MAX_PER_PAGE = 100;

/** `GET .../versions` (newest first, paginated; `deployable=true` ignores paging) and `GET .../versions/:version_id`. */
export function versionsRoutes(state: WorkersState): Hono {
  const app = new Hono();
  const base = "/accounts/:account_id/workers/scripts/:script/versions";

  app.get(base, (c) => {
    const script = scriptOf(c, state);
    if (c.req.query("deployable") === "true") {
      return c.json(successEnvelope({ items: deployableVersions(script).map(toApiVersion) }));
    }
    const page = positiveInteger(c.req.query("page"), 1);
    const perPage = Math.min(positiveInteger(c.req.query("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE);
    const newestFirst = [...script.versions].reverse();
    const items = newestFirst.slice((page - 1) * perPage, page * perPage).map(toApiVersion);
    return c.json(
      successEnvelope(
        { items },
        { page, per_page: perPage, count: items.length, total_count: newestFirst.length, total_pages: Math.ceil(newestFirst.length / perPage) },
      ),
    );
  });

  app.get(`${base}/:version_id`, (c) => {
    const script = scriptOf(c, state);
    const version = script.versions.find(({ id }) => id === c.req.param("version_id"));
    if (!version) throw versionNotFound();
    return c.json(successEnvelope(toApiVersion(version)));
  });

  return app;
}

/** A whole number of at least 1 from a query parameter; anything else gives the default, as the API does. */
function positiveInteger(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return Number.isInteger(value) && value >= 1 ? value : fallback;
}
