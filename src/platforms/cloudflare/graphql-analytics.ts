import { z } from "zod";
import type { SliSample } from "../../core/sli.js";
import { type MetricsSource, type MetricsWindow, PlatformError } from "../types.js";
import { TOKEN_PERMISSIONS } from "./api-errors.js";
import type { CloudflareApi } from "./cloudflare-api.js";
import { type Clock, systemClock } from "../../support/clock.js";
import { samplesFromInvocationRows } from "./invocation-rows.js";
import { type LaggingSourceOptions, settledWindow } from "./settled-window.js";

const GRAPHQL_LAG_SECONDS = 60;

/**
 * The widest range one query may span: Cloudflare refuses a wider one with "cannot request a
 * time range wider than 1w".
 */
const MAX_QUERY_RANGE_MS = 7 * 24 * 3600 * 1000;

export const INVOCATIONS_QUERY = `
query WorkerInvocationsByVersion($accountTag: string!, $scriptName: string!, $start: Time!, $end: Time!) {
  viewer {
    accounts(filter: { accountTag: $accountTag }) {
      workersInvocationsAdaptive(
        limit: 10000
        filter: { scriptName: $scriptName, datetime_geq: $start, datetime_lt: $end }
      ) {
        dimensions { scriptVersion status }
        sum { requests }
        avg { sampleInterval }
        quantiles { wallTimeP50 wallTimeP90 wallTimeP99 wallTimeP999 }
      }
    }
  }
}`;

const wallTime = z.number().nullish();
const invocationRowSchema = z.object({
  dimensions: z.object({ scriptVersion: z.string(), status: z.string() }),
  sum: z.object({ requests: z.number() }),
  avg: z.object({ sampleInterval: z.number().nullish() }).nullish(),
  quantiles: z.object({ wallTimeP50: wallTime, wallTimeP90: wallTime, wallTimeP99: wallTime, wallTimeP999: wallTime }).nullish(),
});

const graphqlAnswerSchema = z.object({
  data: z
    .object({ viewer: z.object({ accounts: z.array(z.object({ workersInvocationsAdaptive: z.array(invocationRowSchema) })) }) })
    .nullish(),
  errors: z.array(z.object({ message: z.string() })).nullish(),
});

/**
 * Per-version SLIs from Cloudflare's GraphQL Analytics API (`workersInvocationsAdaptive`). Its
 * sums are already estimates scaled up from Cloudflare's adaptive sampling: rates use them as
 * they come, and each sample carries the sample interval so a statistical test can weigh the
 * requests actually seen. Its last minute or so is incomplete, so the window stops `lagSeconds`
 * before now. A window wider than a week is asked for in consecutive parts of at most a week,
 * whose rows are counted together.
 */
export class GraphqlAnalyticsSource implements MetricsSource {
  private readonly lagSeconds: number;
  private readonly clock: Clock;

  constructor(
    private readonly api: CloudflareApi,
    options: LaggingSourceOptions = {},
  ) {
    this.lagSeconds = options.lagSeconds ?? GRAPHQL_LAG_SECONDS;
    this.clock = options.clock ?? systemClock;
  }

  async query(window: MetricsWindow, versions: string[]): Promise<Map<string, SliSample>> {
    const settled = settledWindow(window, this.clock.now(), this.lagSeconds, "Cloudflare's GraphQL Analytics API");
    const rows = await Promise.all(partsOfAtMostAWeek(settled).map((part) => this.rowsIn(part)));
    return samplesFromInvocationRows(rows.flat(), versions);
  }

  private async rowsIn({ from, to }: MetricsWindow) {
    const variables = { accountTag: this.api.accountId, scriptName: this.api.worker, start: from.toISOString(), end: to.toISOString() };
    const answer = await this.api.call(`query the Workers analytics of ${this.api.worker}`, graphqlAnswerSchema, (sdk) =>
      sdk.post("/graphql", { body: { query: INVOCATIONS_QUERY, variables } }),
    );
    if (answer.errors?.length) {
      const messages = answer.errors.map(({ message }) => message).join("; ");
      const hint = /access/i.test(messages) ? "; the API token needs Account Analytics Read" : "";
      throw new PlatformError(`Cloudflare's GraphQL Analytics API refused the query: ${messages}${hint}`, false);
    }
    const accounts = answer.data?.viewer.accounts ?? [];
    if (accounts.length === 0) {
      throw new PlatformError(`Cloudflare's GraphQL Analytics API shows no account ${this.api.accountId} to this API token: check --account-id and that the token has ${TOKEN_PERMISSIONS}`, false);
    }
    return accounts.flatMap((account) => account.workersInvocationsAdaptive);
  }
}

/** The window cut into consecutive parts, oldest first, none wider than MAX_QUERY_RANGE_MS. */
function partsOfAtMostAWeek({ from, to }: MetricsWindow): MetricsWindow[] {
  const parts: MetricsWindow[] = [];
  for (let start = from.getTime(); start < to.getTime(); start += MAX_QUERY_RANGE_MS) {
    parts.push({ from: new Date(start), to: new Date(Math.min(start + MAX_QUERY_RANGE_MS, to.getTime())) });
  }
  return parts;
}
