import { useMutation } from "@tanstack/react-query";
import { useEffect, type ReactNode } from "react";
import { Link, NavLink, Outlet, useNavigate, useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { useResetSession, useSession, useTeam } from "../session/session";

const SECTIONS = [
  { path: "releases", label: "Releases" },
  { path: "targets", label: "Targets" },
  { path: "plans", label: "Plans" },
  { path: "audit", label: "Audit log" },
  { path: "settings", label: "Settings" },
] as const;

/** The frame of every team page: a skip link, the sections, the team switcher and the user menu. */
export function Layout() {
  const team = useTeam();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <Link to={`/t/${team.slug}/releases`} className="brand" aria-label="Glidepath home">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          <span>Glidepath</span>
        </Link>
        <nav aria-label="Sections">
          <ul className="sections">
            {SECTIONS.map((section) => (
              <li key={section.path}>
                <NavLink to={`/t/${team.slug}/${section.path}`}>{section.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="top-bar-end">
          <TeamSwitcher />
          <SignOut />
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

function TeamSwitcher() {
  const session = useSession();
  const team = useTeam();
  const navigate = useNavigate();
  const { "*": rest } = useParams();
  const teams = session.data?.teams ?? [];
  const section = rest?.split("/")[0] || "releases";
  return (
    <label className="team-switcher">
      <span className="visually-hidden">Team</span>
      <select value={team.slug} onChange={(event) => navigate(`/t/${event.target.value}/${section}`)}>
        {teams.map((choice) => (
          <option key={choice.slug} value={choice.slug}>
            {choice.name} ({choice.role})
          </option>
        ))}
      </select>
    </label>
  );
}

function SignOut() {
  const session = useSession();
  const resetSession = useResetSession();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/v1/session")),
    onSettled: () => {
      resetSession(null);
      navigate("/sign-in");
    },
  });
  return (
    <div className="user-menu">
      <span className="muted" title={session.data?.user.email}>
        {session.data?.user.name}
      </span>
      <button type="button" className="link-button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
        Sign out
      </button>
    </div>
  );
}

/** A page's heading, which also titles the browser tab, and the actions beside it. */
export function PageHeader({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Glidepath`;
  }, [title]);
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {children}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
