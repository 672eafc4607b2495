import type { ReleaseState } from "../../src/core/release";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "—";
}

/** "3 minutes ago", "in 20 seconds". */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(seconds, "second");
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86_400), "day");
}

const STATE_LABELS: Record<ReleaseState, string> = {
  pending: "Pending",
  running: "Running",
  paused: "Paused",
  awaiting_approval: "Awaiting approval",
  succeeded: "Promoted",
  rolled_back: "Rolled back",
  cancelled: "Cancelled",
  failed: "Failed",
};

export function stateLabel(state: ReleaseState): string {
  return STATE_LABELS[state];
}
