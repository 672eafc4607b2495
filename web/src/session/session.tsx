import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, type ReactNode } from "react";
import { Navigate, useLocation, useParams } from "react-router";
import { allows } from "../../../src/server/auth/roles";
import { api, ApiProblem, setCsrfToken, unwrap, type Role, type Schemas } from "../api/client";

export type Session = Schemas["Session"];

export const SESSION_KEY = ["session"] as const;

/** The signed-in user, or null when nobody is; the CSRF token is taken from it for every write. */
export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async (): Promise<Session | null> => {
      try {
        const session = await unwrap(api.GET("/api/v1/session"));
        setCsrfToken(session.csrfToken);
        return session;
      } catch (error) {
        if (error instanceof ApiProblem && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** Call after signing in or out: every cached answer belonged to the previous session. */
export function useResetSession() {
  const client = useQueryClient();
  return (session: Session | null) => {
    setCsrfToken(session?.csrfToken);
    client.clear();
    client.setQueryData(SESSION_KEY, session);
  };
}

export interface Team {
  slug: string;
  name: string;
  role: Role;
  /** Whether this user's role in the team allows what `needed` allows. */
  can(needed: Role): boolean;
}

const TeamContext = createContext<Team | null>(null);

/** The team of the page being shown, with the user's role in it. */
export function useTeam(): Team {
  const team = useContext(TeamContext);
  if (!team) throw new Error("useTeam is used outside a team's pages");
  return team;
}

/** Pages under /t/:team: signed in, and a member of that team. */
export function TeamScope({ children }: { children: ReactNode }) {
  const session = useSession();
  const { team: slug } = useParams();
  const location = useLocation();
  if (session.isPending) return <p className="muted" role="status">Loading…</p>;
  if (!session.data) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  const membership = session.data.teams.find((team) => team.slug === slug);
  if (!membership) {
    return (
      <main className="page">
        <h1>No such team</h1>
        <p>You are not a member of a team called “{slug}”. Pick one of yours from the team menu.</p>
      </main>
    );
  }
  const team: Team = { ...membership, can: (needed) => allows(membership.role, needed) };
  return <TeamContext.Provider value={team}>{children}</TeamContext.Provider>;
}
