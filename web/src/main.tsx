import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiProblem } from "./api/client";
import { App } from "./app";
import { SESSION_KEY } from "./session/session";
import "./styles.css";

/** A 401 anywhere means the session ended: read it again, and the team pages send the user to sign in. */
function onSessionEnded(error: unknown) {
  if (error instanceof ApiProblem && error.status === 401) void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onSessionEnded }),
  mutationCache: new MutationCache({ onError: onSessionEnded }),
  defaultOptions: {
    queries: {
      // A 4xx answer will not change by asking again; a dropped connection might.
      retry: (failures, error) => failures < 2 && !(error instanceof ApiProblem && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: true,
    },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
