import { useEffect } from "react";
import { useBlocker, type Location } from "react-router";

/**
 * Asks before leaving a form with unsaved changes, in the app and when the tab closes.
 * `allowed` lets through the navigations that follow a save or a delete.
 */
export function useUnsavedGuard(unsaved: boolean, allowed: (next: Location) => boolean) {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => unsaved && currentLocation.pathname !== nextLocation.pathname && !allowed(nextLocation));

  useEffect(() => {
    if (blocker.state !== "blocked") return;
    if (window.confirm("This plan has unsaved changes. Leave without saving them?")) blocker.proceed();
    else blocker.reset();
  }, [blocker]);

  useEffect(() => {
    if (!unsaved) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [unsaved]);
}
