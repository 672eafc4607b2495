import { CHANNEL_TYPES, deliver, type Channel, type ChannelType, type DeliveryResult } from "../notify/deliver.js";
import { noticeFor, type Notice } from "../notify/notice.js";
import type { NoticeSubject } from "../notify/webhook.js";
import type { ChannelRecord, ClaimedDelivery, FeedEvent, NewDelivery, NotificationStore } from "../store/notification-store.js";
import type { Clock } from "../support/clock.js";
import type { SecretBox } from "./auth/secret-box.js";
import type { ServerMetrics } from "./metrics.js";

/** What a channel's sealed secret holds. */
export interface ChannelSecret {
  url: string;
  secret?: string;
}

/** A channel's URL and signing secret are sealed to the channel, so a copied value opens nowhere else. */
export const channelSecretBinding = (channelId: string) => `channel:${channelId}`;

/** The channel a delivery goes to, with its sealed URL and secret opened; an Error when they cannot be. */
export function openChannel(secrets: SecretBox, channel: Pick<ChannelRecord, "id" | "type" | "sealedSecret">): Channel | Error {
  const opened = secrets.open(channel.sealedSecret, channelSecretBinding(channel.id));
  if (opened instanceof Error) return opened;
  const { url, secret } = JSON.parse(opened) as ChannelSecret;
  if (!(CHANNEL_TYPES as readonly string[]).includes(channel.type)) return new Error(`unknown channel type "${channel.type}"`);
  return { type: channel.type as ChannelType, url, ...(secret !== undefined && { secret }) };
}

/** What a delivery row's message holds: the notice and what it is about, as they were when the event was fed. */
export interface DeliveryMessage {
  notice: Notice;
  subject: NoticeSubject;
}

export interface OutboxOptions {
  store: NotificationStore;
  secrets: SecretBox;
  clock: Clock;
  metrics: Pick<ServerMetrics, "deliveries">;
  /** Where people reach the server, for the link to a release, e.g. "https://glidepath.example.com". */
  publicUrl: string;
  /** How often to look for events other replicas wrote, and for retries that came due. */
  pollMs?: number;
  /** Deliveries in flight at once; one per channel at a time, so each channel gets its notices in order. */
  concurrency?: number;
  /** How long one delivery may take, answer included. */
  timeoutMs?: number;
  /** The wait after each failed attempt worth retrying; one more attempt than waits, then the delivery fails. */
  backoffMs?: readonly number[];
  /** Events older than this when first read are not announced (a server that was down for days stays quiet). */
  maxEventAgeMs?: number;
  /** How long the event cursor waits at a gap in event ids for the transaction that holds it. */
  gapGraceMs?: number;
  /** Events read per feeding transaction. */
  feedBatch?: number;
  /** Where a failing pass is reported; the outbox itself carries on. */
  log?: (message: string, error: unknown) => void;
}

const DEFAULT_BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000] as const;
/** A receiver's Retry-After is honoured up to this. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/** What one pass did. */
export interface OutboxPass {
  /** Deliveries written for new events. */
  enqueued: number;
  /** Deliveries attempted (or given up without a request) and finished. */
  sent: number;
}

/**
 * The notification outbox. It feeds release events into deliveries (one per subscribed channel
 * and event, exactly once, behind a durable cursor) and sends the due ones apart from the engine,
 * several at a time, retrying with backoff. A slow or failing channel only ever delays its own
 * notices. Several replicas can run one each on the same database.
 */
export class Outbox {
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly backoffMs: readonly number[];
  private readonly maxEventAgeMs: number;
  private readonly gapGraceMs: number;
  private readonly feedBatch: number;
  private readonly log: (message: string, error: unknown) => void;
  /** Sends in flight, by channel. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private stopper: AbortController | null = null;
  private waker = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly options: OutboxOptions) {
    this.pollMs = options.pollMs ?? 2_000;
    this.concurrency = options.concurrency ?? 8;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.maxEventAgeMs = options.maxEventAgeMs ?? 86_400_000;
    this.gapGraceMs = options.gapGraceMs ?? 60_000;
    this.feedBatch = options.feedBatch ?? 200;
    this.log = options.log ?? ((message, error) => console.error(`glidepath outbox: ${message}:`, error));
  }

  /** Runs in the background until stop(): feeds and sends whenever nudged, every pollMs, and when a retry is due. */
  start(): void {
    if (this.loop) return;
    const stopper = new AbortController();
    this.stopper = stopper;
    this.loop = this.run(stopper.signal);
  }

  /** Stops looking for work and waits for the deliveries in flight (each ends within timeoutMs). */
  async stop(): Promise<void> {
    this.stopper?.abort();
    await this.loop;
    this.loop = null;
    this.stopper = null;
    await Promise.all(this.inFlight.values());
  }

  /** Something may be waiting now: a release event was written, a delivery finished. */
  readonly nudge = (): void => {
    this.waker.abort();
  };

  /** One pass, for tests and tools: feeds every new event, then sends what is due now and waits for those sends. */
  async runOnce(): Promise<OutboxPass> {
    const enqueued = await this.feed();
    const before = [...this.inFlight.values()];
    const started = await this.sendDue();
    await Promise.all([...before, ...started]);
    return { enqueued, sent: started.length };
  }

  /** Passes until one finds nothing to do now; deliveries retried later stay pending. */
  async drain(): Promise<OutboxPass> {
    const total = { enqueued: 0, sent: 0 };
    for (;;) {
      const pass = await this.runOnce();
      total.enqueued += pass.enqueued;
      total.sent += pass.sent;
      if (pass.enqueued === 0 && pass.sent === 0) return total;
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // A nudge during the pass cuts the sleep after it short.
      this.waker = new AbortController();
      const wake = AbortSignal.any([signal, this.waker.signal]);
      let nextDue: number | null = null;
      try {
        await this.feed();
        await this.sendDue();
        nextDue = await this.options.store.nextDueAt();
      } catch (error) {
        if (signal.aborted) return;
        this.log("a pass failed; trying again", error);
      }
      // A delivery due already but not claimed waits for a free slot or its channel's send in
      // flight, whose end nudges; sleeping until it would spin.
      const now = this.options.clock.now();
      const next = nextDue !== null && nextDue > now ? Math.min(now + this.pollMs, nextDue) : now + this.pollMs;
      await this.options.clock.sleepUntil(next, wake);
    }
  }

  /** Feeds events into deliveries until none are left; returns how many deliveries were written. */
  private async feed(): Promise<number> {
    let enqueued = 0;
    for (;;) {
      const now = this.options.clock.now();
      const result = await this.options.store.feed({
        now,
        limit: this.feedBatch,
        gapGraceMs: this.gapGraceMs,
        plan: (events, channelsOf) => events.flatMap((fed) => this.deliveriesFor(fed, channelsOf(fed.teamId), now)),
      });
      if (result.busy) return enqueued;
      enqueued += result.enqueued;
      if (!result.more) return enqueued;
    }
  }

  private deliveriesFor({ event, release, teamId: _teamId }: FeedEvent, channels: ChannelRecord[], now: number): NewDelivery[] {
    if (channels.length === 0 || now - event.at > this.maxEventAgeMs) return [];
    const notice = noticeFor(release, event, { releaseUrl: `${this.options.publicUrl}/releases/${release.id}` });
    if (!notice) return [];
    // The event keeps its id, so a receiver can recognise a notice sent again after a crash.
    const message: DeliveryMessage = { notice, subject: { release, event } };
    return channels
      .filter((channel) => channel.enabled && channel.events.includes(notice.kind))
      .map((channel) => ({
        channelId: channel.id,
        eventId: event.id,
        releaseId: release.id,
        kind: notice.kind,
        message: message as unknown as Record<string, unknown>,
      }));
  }

  /** Claims due deliveries into the free slots and starts sending them; returns the sends started. */
  private async sendDue(): Promise<Promise<void>[]> {
    const started: Promise<void>[] = [];
    for (;;) {
      const free = this.concurrency - this.inFlight.size;
      if (free <= 0 || this.stopper?.signal.aborted) return started;
      const claimed = await this.options.store.claimDue({
        now: this.options.clock.now(),
        leaseMs: this.timeoutMs * 3,
        limit: free,
        busyChannels: [...this.inFlight.keys()],
      });
      if (claimed.length === 0) return started;
      for (const claim of claimed) {
        const send = this.attempt(claim)
          .catch((error: unknown) => this.log(`delivery ${claim.delivery.id} could not be recorded; it is retried when its lease ends`, error))
          .finally(() => {
            this.inFlight.delete(claim.channel.id);
            this.nudge();
          });
        this.inFlight.set(claim.channel.id, send);
        started.push(send);
      }
    }
  }

  private async attempt(claim: ClaimedDelivery): Promise<void> {
    const { store, secrets, clock, metrics } = this.options;
    const { delivery, channel } = claim;
    if (!channel.enabled) {
      await store.finish(claim, { status: "failed", error: "the channel was disabled before this notice was sent", attempted: false });
      return;
    }
    const target = openChannel(secrets, channel);
    if (target instanceof Error) {
      metrics.deliveries.inc({ channel_type: channel.type, outcome: "failed" });
      await store.finish(claim, { status: "failed", error: target.message, attempted: false });
      return;
    }
    const { notice, subject } = delivery.message as unknown as DeliveryMessage;
    const result = await deliver(target, notice, subject, { timeoutMs: this.timeoutMs, now: () => clock.now() });
    const attempts = delivery.attempts + 1;
    const outcome = this.outcomeOf(result, attempts);
    metrics.deliveries.inc({ channel_type: channel.type, outcome: outcome.status === "pending" ? "retry" : outcome.status });
    await store.finish(claim, outcome);
  }

  private outcomeOf(result: DeliveryResult, attempts: number) {
    const now = this.options.clock.now();
    if (result.ok) return { status: "delivered" as const, at: new Date(now) };
    const wait = this.backoffMs[attempts - 1];
    if (!result.retryable) return { status: "failed" as const, error: result.error, attempted: true };
    if (wait === undefined) {
      return { status: "failed" as const, error: `${result.error}; gave up after ${attempts} attempts`, attempted: true };
    }
    const delay = Math.max(wait, Math.min(result.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
    return { status: "pending" as const, nextAttemptAt: new Date(now + delay), error: result.error };
  }
}

