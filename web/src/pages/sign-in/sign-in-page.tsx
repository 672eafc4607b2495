import { useMutation } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { ErrorNotice } from "../../components/error-notice";
import { useResetSession, useSession, type Session } from "../../session/session";

export function SignInPage() {
  const session = useSession();
  const resetSession = useResetSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/session", { body: { email, password } })),
    onSuccess: (made) => {
      resetSession(made);
      navigate(afterSignIn(made, params.get("next")), { replace: true });
    },
  });
  useEffect(() => {
    document.title = "Sign in · Glidepath";
  }, []);

  if (session.data && !signIn.isSuccess) return <Navigate to={afterSignIn(session.data, params.get("next"))} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate();
  };
  return (
    <main id="main" className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Glidepath</span>
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        <label className="field">
          <span>Email</span>
          <input type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label className="field">
          <span>Password</span>
          <input type="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
        <ErrorNotice error={signIn.error} />
        <button type="submit" className="button primary" disabled={signIn.isPending}>
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
        <p className="muted small">
          First start? Use the one-time setup link <code>glidepath serve</code> printed to create the first admin.
        </p>
      </form>
    </main>
  );
}

/** Back to the page that asked for a sign-in, or the first team's releases. */
function afterSignIn(session: Session, next: string | null): string {
  if (next?.startsWith("/") && !next.startsWith("//")) return next;
  const first = session.teams[0];
  return first ? `/t/${first.slug}/releases` : "/no-team";
}
