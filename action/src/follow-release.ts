import { setTimeout as delay } from "node:timers/promises";
import { readServerSentEvents } from "./server-sent-events.js";
import { ServerError, type ApiEvent, type TeamApi } from "./server-api.js";

export interface FollowOptions {
  timeoutSeconds: number;
  onEvent(event: ApiEvent): void;
  /** A dropped stream about to be reopened, and why. */
  onReconnect(reason: string): void;
}

const RECONNECT_DELAY_MS = 2_000;

/**
 * Follows a release's live events until the server says it has ended ("ended") or the time is
 * up ("timed_out"). A dropped stream is reopened with Last-Event-ID, so no event is told twice or
 * missed. A refusal (a revoked token, a deleted release) ends the wait with its error.
 */
export async function followRelease(api: TeamApi, releaseId: string, options: FollowOptions): Promise<"ended" | "timed_out"> {
  const deadline = AbortSignal.timeout(options.timeoutSeconds * 1000);
  let lastEventId: string | undefined;
  while (!deadline.aborted) {
    try {
      const response = await api.fetch(`releases/${encodeURIComponent(releaseId)}/events`, {
        headers: { accept: "text/event-stream", ...(lastEventId !== undefined && { "last-event-id": lastEventId }) },
        signal: deadline,
      });
      for await (const message of readServerSentEvents(response.body!)) {
        if (message.event === "end") return "ended";
        if (message.id === undefined) continue;
        lastEventId = message.id;
        options.onEvent(JSON.parse(message.data) as ApiEvent);
      }
      options.onReconnect("the event stream closed before the release ended");
    } catch (error) {
      if (deadline.aborted) break;
      if (error instanceof ServerError && error.status !== undefined && error.status < 500) throw error;
      options.onReconnect((error as Error).message);
    }
    await delay(RECONNECT_DELAY_MS, undefined, { signal: deadline }).catch(() => {});
  }
  return "timed_out";
}
