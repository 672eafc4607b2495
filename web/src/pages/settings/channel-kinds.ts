import type { Schemas } from "../../api/client";

export type Channel = Schemas["Channel"];
export type ChannelKind = Channel["type"];
export type NoticeKind = Channel["events"][number];

export const KIND_LABELS: Record<ChannelKind, string> = {
  slack: "Slack",
  discord: "Discord",
  google_chat: "Google Chat",
  webhook: "Generic webhook",
};

/** Typed by the API's own list, so an event kind the server adds must be named here. */
export const NOTICE_LABELS: Record<NoticeKind, string> = {
  release_created: "Release created",
  release_started: "Release started",
  stage_progressed: "Stage progressed",
  awaiting_approval: "Awaiting approval",
  rolled_back: "Rolled back",
  succeeded: "Promoted to 100%",
  cancelled: "Cancelled",
  failed: "Failed",
  drift_detected: "Drift detected",
};

export const NOTICE_KINDS = Object.keys(NOTICE_LABELS) as NoticeKind[];

/** Where each service gives the URL, shown as the field's hint. */
export const URL_HINTS: Record<ChannelKind, string> = {
  slack: "The Incoming Webhook URL from your Slack app, https://hooks.slack.com/services/…",
  discord: "Channel settings → Integrations → Webhooks, https://discord.com/api/webhooks/…",
  google_chat: "Space → Apps & integrations → Webhooks, https://chat.googleapis.com/v1/spaces/…",
  webhook: "Any http(s) endpoint; it receives the event as JSON.",
};
