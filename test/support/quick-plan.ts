/**
 * A plan that runs in seconds, for end-to-end tests: 10, 50, 100 with 3-second soaks and a check
 * every second, as often as a plan may check. `minRequests` fits the test's traffic.
 */
export function quickPlan(minRequests: number): string {
  return `
name: quick
stages:
  - { percent: 10, soak: 3s }
  - { percent: 50, soak: 3s }
  - { percent: 100 }
slos:
  - { sli: error_rate, max: 0.05 }
  - { sli: latency_p90, maxRatioToStable: 3 }
policy: { checkInterval: 1s, failureThreshold: 2, minRequests: ${minRequests} }
`;
}
