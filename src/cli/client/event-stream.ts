import { setTimeout as delay } from "node:timers/promises";
import { problemError, ServerUnreachable } from "./api-client.js";
import type { Connection } from "./connection.js";

/** One Server-Sent Event as Glidepath sends it: an id for release events, a type, JSON data. */
export interface StreamedEvent {
  id: string | undefined;
  type: string;
  data: string;
}

export interface FollowStreamRequest {
  connection: Connection;
  releaseId: string;
  onEvent(event: StreamedEvent): Promise<void>;
  /** Told before each reconnect after the stream broke. */
  onRetry(message: string, delayMs: number): void;
}

const MAX_RECONNECTS = 10;

/**
 * Follows a release's event stream until its `end` event, reconnecting with Last-Event-ID when
 * the connection drops or the server fails, so no event is missed or repeated. A refusal (401,
 * 403, 404) ends the follow with the server's message.
 */
export async function followReleaseStream({ connection, releaseId, onEvent, onRetry }: FollowStreamRequest): Promise<void> {
  const { api, server, team } = connection;
  let lastEventId: string | undefined;
  let failures = 0;
  for (;;) {
    let problem: string;
    try {
      const { data, error, response } = await api.GET("/api/v1/teams/{team}/releases/{release}/events", {
        params: { path: { team, release: releaseId } },
        headers: lastEventId === undefined ? {} : { "last-event-id": lastEventId },
        parseAs: "stream",
      });
      if (!response.ok) {
        const refusal = problemError(server, response, error);
        if (response.status < 500) throw refusal;
        problem = refusal.message;
      } else {
        for await (const event of serverSentEvents(data!)) {
          if (event.type === "end") return;
          if (event.id === undefined) continue;
          await onEvent(event);
          lastEventId = event.id;
          failures = 0;
        }
        problem = "the event stream ended early";
      }
    } catch (error) {
      if (!isNetworkError(error)) throw error;
      problem = `lost the connection to ${server}`;
    }
    failures += 1;
    if (failures > MAX_RECONNECTS) throw new Error(`${problem}; gave up after ${MAX_RECONNECTS} reconnects`);
    const waitMs = Math.min(1_000 * 2 ** (failures - 1), 15_000);
    onRetry(problem, waitMs);
    await delay(waitMs);
  }
}

/** A dropped connection: fetch fails with a TypeError ("fetch failed", "terminated"), a call through Connection with ServerUnreachable. */
function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof ServerUnreachable;
}

/** Parses text/event-stream: the id, event and data fields Glidepath writes; comments skipped. */
async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamedEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true }).replaceAll("\r\n", "\n");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: StreamedEvent = { id: undefined, type: "message", data: "" };
      let fields = 0;
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        fields += 1;
        if (field === "id") event.id = value;
        else if (field === "event") event.type = value;
        else if (field === "data") event.data = event.data ? `${event.data}\n${value}` : value;
      }
      if (fields > 0) yield event;
    }
  }
}
