import type { Command, StepResult } from "../../core/step.js";
import { acceptOperatorCommands } from "../rollout/operator-input.js";
import { createReporter } from "../rollout/reporters.js";
import { exitCodeFor, summarize } from "../rollout/summary.js";
import { onStopSignal } from "../stop-signal.js";
import type { Connection } from "./connection.js";
import { followReleaseStream } from "./event-stream.js";
import { checksFromDetail, eventFromView, eventsFromDetail, releaseFromDetail, type ReleaseDetail } from "./release-state.js";

/** What a shell reports for a process ended by Ctrl-C: 128 + SIGINT. */
const INTERRUPTED_EXIT_CODE = 130;

/** The API's name for each command a person at the terminal can give. */
const COMMAND_PATHS = {
  start: "start",
  approve: "approve",
  deny: "deny",
  pause: "pause",
  resume: "resume",
  promote_now: "promote",
  cancel: "cancel",
  rollback_now: "rollback",
} as const satisfies Record<Command["type"], string>;

/**
 * Shows a release a server drives, as `glidepath rollout` shows its own: live on a terminal (where
 * keys approve, pause and so on), one line per event otherwise, JSON lines with `json`. Returns
 * the exit code of the release's outcome once it has ended and its final split is in place.
 */
export async function watchRelease(connection: Connection, releaseId: string, mode: "json" | "tty" | "plain"): Promise<number> {
  const { api, team, call } = connection;
  const path = { team, release: releaseId };
  const fetchDetail = () => call(api.GET("/api/v1/teams/{team}/releases/{release}", { params: { path } }));
  let detail = await fetchDetail();
  const newestEventId = (of: ReleaseDetail) => Math.max(0, ...of.events.map((event) => Number(event.id)));
  const reporter = createReporter(mode, Date.now, { ctrlC: "stop watching (the release goes on)" });
  reporter.begin(releaseFromDetail(detail), false);

  const send = async (command: Command): Promise<StepResult> => {
    const reason = "reason" in command ? command.reason : undefined;
    const { error, response } = await api.POST(`/api/v1/teams/{team}/releases/{release}/${COMMAND_PATHS[command.type]}`, {
      params: { path },
      body: reason === undefined ? {} : { reason },
    });
    if (response.ok) return { ok: true, release: releaseFromDetail(detail), events: [] };
    return { ok: false, error: (error as { error?: { message?: string } } | undefined)?.error?.message ?? `the server answered ${response.status}` };
  };
  const stopInput = mode === "tty" ? acceptOperatorCommands(send, reporter) : () => {};
  // The server drives the release: leaving the watch must not stop it, unlike Ctrl-C in `glidepath rollout`.
  const stopSignals = onStopSignal((signal) => {
    process.stderr.write(`\nglidepath: ${signal}: stopped watching; the release goes on (glidepath release cancel ${releaseId} cancels it)\n`);
    process.exit(INTERRUPTED_EXIT_CODE);
  });
  try {
    await followReleaseStream({
      connection,
      releaseId,
      // The stream starts with the whole timeline: the detail at hand already covers those events.
      onEvent: async ({ data }) => {
        const event = eventFromView(JSON.parse(data) as Record<string, unknown>);
        if (event.id > newestEventId(detail)) detail = await fetchDetail();
        reporter.event(releaseFromDetail(detail), event);
      },
      onRetry: (message, delayMs) => reporter.retry(message, delayMs),
    });
  } finally {
    stopSignals();
    stopInput();
  }
  detail = await fetchDetail();
  const release = releaseFromDetail(detail);
  reporter.end(summarize(release, eventsFromDetail(detail), checksFromDetail(detail), detail.split));
  return exitCodeFor(release.state);
}
