/** The part of autocannon's API the proxy benchmark uses; the package ships no types. */
declare module "autocannon" {
  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    /** Requests per second across all connections; absent for as fast as possible. */
    overallRate?: number;
    headers?: Record<string, string>;
  }

  export interface Histogram {
    average: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  }

  export interface Result {
    requests: Histogram & { total: number };
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
