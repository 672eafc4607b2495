import { useEffect, useEffectEvent, useState } from "react";
import type { ReleaseEventType } from "../../../src/core/events";

/** What the timeline calls each event; typed by the engine's own union, so a new event type must be named here. */
export const EVENT_LABELS: Record<ReleaseEventType, string> = {
  release_created: "Created",
  start_requested: "Start requested",
  preflight_completed: "Preflight",
  release_started: "Started",
  stage_started: "Stage started",
  check_completed: "Check",
  metrics_unavailable: "Metrics unavailable",
  awaiting_approval: "Awaiting approval",
  approved: "Approved",
  paused: "Paused",
  resumed: "Resumed",
  drift_detected: "Drift detected",
  split_applied: "Split applied",
  promoted: "Promoted",
  rolled_back: "Rolled back",
  cancelled: "Cancelled",
  failed: "Failed",
};

/** A release event as the API sends it: its id, type, time (ISO), actor, and the type's own fields. */
export interface LiveEvent {
  id: number;
  releaseId: string;
  type: ReleaseEventType;
  at: string;
  actor: string;
  [field: string]: unknown;
}

export type Connection = "connecting" | "live" | "ended" | "reconnecting";

/**
 * Follows a Server-Sent Events stream of release events. The browser reconnects by itself and
 * sends Last-Event-ID, so the server resumes after the last event this page saw.
 */
export function useLiveEvents(url: string | null, onEvent: (event: LiveEvent) => void): Connection {
  const [status, setStatus] = useState<{ url: string; connection: Connection }>();
  const handle = useEffectEvent(onEvent);

  useEffect(() => {
    if (!url) return;
    const report = (connection: Connection) => setStatus({ url, connection });
    const source = new EventSource(url);
    const deliver = (message: MessageEvent<string>) => handle(JSON.parse(message.data) as LiveEvent);
    for (const type of Object.keys(EVENT_LABELS)) source.addEventListener(type, deliver);
    source.addEventListener("ready", () => report("live"));
    source.addEventListener("end", () => {
      report("ended");
      source.close();
    });
    source.onerror = () => report(source.readyState === EventSource.CLOSED ? "ended" : "reconnecting");
    return () => source.close();
  }, [url]);

  return status?.url === url ? status.connection : "connecting";
}
