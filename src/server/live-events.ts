import type { Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import type { ReleaseEvent } from "../core/events.js";
import { eventView } from "./release-view.js";

/** How often a stream looks for events written by other replicas; this one's own wake it at once. */
const POLL_MS = 1_000;
const HEARTBEAT_MS = 15_000;
const BATCH = 500;

export interface EventFeed {
  /** The events after `afterId`, oldest first. */
  after(afterId: number, limit: number): Promise<ReleaseEvent[]>;
  /** True once nothing more will come (the release has ended and settled). */
  finished?(): Promise<boolean>;
}

/**
 * Wakes every open stream when this process writes an event, so a change reaches dashboards
 * without waiting for the next poll.
 */
export class EventSignal {
  private waiters = new Set<() => void>();

  notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next notify, or after `ms`, or when `signal` aborts. */
  next(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

/**
 * Streams a feed as Server-Sent Events: each event carries its id, so a client that reconnects
 * with Last-Event-ID (or `?after=`) resumes exactly after the last event it saw.
 */
export function streamEvents(c: Context, feed: EventFeed, startAfter: number, wake: EventSignal): Response {
  return streamSSE(c, async (stream) => {
    const closed = new AbortController();
    stream.onAbort(() => closed.abort());
    let cursor = startAfter;
    let lastWrite = Date.now();
    await stream.writeSSE({ event: "ready", data: JSON.stringify({ after: cursor }), retry: 2_000 });
    while (!closed.signal.aborted) {
      const batch = await feed.after(cursor, BATCH);
      for (const event of batch) {
        await send(stream, event);
        cursor = event.id;
        lastWrite = Date.now();
      }
      if (batch.length === BATCH) continue;
      if (feed.finished && (await feed.finished()) && (await feed.after(cursor, 1)).length === 0) {
        await stream.writeSSE({ event: "end", data: JSON.stringify({ after: cursor }) });
        return;
      }
      if (Date.now() - lastWrite >= HEARTBEAT_MS) {
        await stream.write(": heartbeat\n\n");
        lastWrite = Date.now();
      }
      await wake.next(POLL_MS, closed.signal);
    }
  });
}

function send(stream: SSEStreamingApi, event: ReleaseEvent): Promise<void> {
  return stream.writeSSE({ id: String(event.id), event: event.type, data: JSON.stringify(eventView(event)) });
}

/** Where a stream starts: after the Last-Event-ID the client sends on reconnect, else after `?after=`. */
export function resumePoint(c: Context, after: number | undefined): number | undefined {
  const header = c.req.header("last-event-id");
  const fromHeader = header !== undefined && /^\d{1,15}$/.test(header.trim()) ? Number(header.trim()) : undefined;
  return fromHeader ?? after;
}
