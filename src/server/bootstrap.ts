import { randomUUID } from "node:crypto";
import type { IdentityStore, Team } from "../store/identity-store.js";
import { hashPassword, hashSecret, newOpaqueSecret } from "./auth/credentials.js";

export const DEFAULT_TEAM = { slug: "default", name: "Default team" };
const SETUP_LINK_LIFETIME_MS = 24 * 3_600_000;
const MIN_BOOTSTRAP_TOKEN_LENGTH = 20;

export interface BootstrapSettings {
  /** GLIDEPATH_ADMIN_EMAIL and GLIDEPATH_ADMIN_PASSWORD: the first admin. */
  adminEmail?: string;
  adminPassword?: string;
  /** GLIDEPATH_BOOTSTRAP_TOKEN: becomes an admin token of the first team, for automation. */
  bootstrapToken?: string;
}

export type BootstrapOutcome =
  | { kind: "ready" }
  /** Nobody can sign in yet: whoever opens this link (secret in the fragment) sets up the first admin. */
  | { kind: "setup_link"; secret: string };

/**
 * What a first start needs: the first team, the first admin from the environment, the
 * bootstrap token, or else a one-time setup link. Later starts change nothing.
 */
export async function bootstrap(identities: IdentityStore, settings: BootstrapSettings, now: number): Promise<BootstrapOutcome | Error> {
  const { adminEmail, adminPassword, bootstrapToken } = settings;
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    return new Error("set both GLIDEPATH_ADMIN_EMAIL and GLIDEPATH_ADMIN_PASSWORD, or neither");
  }
  if (adminPassword !== undefined && adminPassword.length < 12) return new Error("GLIDEPATH_ADMIN_PASSWORD must be at least 12 characters");
  if (bootstrapToken !== undefined && bootstrapToken.length < MIN_BOOTSTRAP_TOKEN_LENGTH) {
    return new Error(`GLIDEPATH_BOOTSTRAP_TOKEN must be at least ${MIN_BOOTSTRAP_TOKEN_LENGTH} characters; make one with: openssl rand -hex 24`);
  }
  const firstStart = !(await identities.hasAnyTeam());
  const team = firstStart ? await ensureDefaultTeam(identities, now) : undefined;
  if (team && bootstrapToken !== undefined) {
    await identities.createToken({
      id: randomUUID(),
      teamId: team.id,
      name: "bootstrap",
      role: "admin",
      hash: hashSecret(bootstrapToken),
      prefix: bootstrapToken.slice(0, 10),
      createdBy: "GLIDEPATH_BOOTSTRAP_TOKEN",
      createdAt: new Date(now),
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });
  }
  if (await identities.hasAnyUser()) return { kind: "ready" };
  if (adminEmail !== undefined && adminPassword !== undefined) {
    await createFirstAdmin(identities, { email: adminEmail, password: adminPassword, name: adminEmail.split("@")[0]! }, now);
    return { kind: "ready" };
  }
  const link = newOpaqueSecret();
  await identities.createSetupLink(link.hash, new Date(now + SETUP_LINK_LIFETIME_MS));
  return { kind: "setup_link", secret: link.secret };
}

/** The first person: an admin of the default team, which is made if it does not exist yet. */
export async function createFirstAdmin(
  identities: IdentityStore,
  person: { email: string; password: string; name: string },
  now: number,
): Promise<{ userId: string; team: Team }> {
  const team = await ensureDefaultTeam(identities, now);
  const created = await identities.createUser({
    id: randomUUID(),
    email: person.email,
    name: person.name,
    passwordHash: await hashPassword(person.password),
    createdAt: new Date(now),
  });
  const user = created === "email_taken" ? (await identities.userByEmail(person.email))! : created;
  await identities.setMembership(team.id, user.id, "admin", new Date(now));
  return { userId: user.id, team };
}

async function ensureDefaultTeam(identities: IdentityStore, now: number): Promise<Team> {
  const existing = await identities.teamBySlug(DEFAULT_TEAM.slug);
  if (existing) return existing;
  const created = await identities.createTeam({ id: randomUUID(), ...DEFAULT_TEAM, createdAt: new Date(now) });
  return created === "slug_taken" ? (await identities.teamBySlug(DEFAULT_TEAM.slug))! : created;
}
