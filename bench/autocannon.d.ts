// Minimal types for the parts of autocannon the benchmarks use (the package ships none).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    errors: number;
    non2xx: number;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    /** Requests per second across all connections (open-loop load below saturation). */
    overallRate?: number;
    headers?: Record<string, string>;
  }
  /** The returned emitter emits 'response' (client, statusCode, bytes, responseTimeMs as a float). */
  function autocannon(options: Options, callback: (error: Error | null, result: Result) => void): EventEmitter;
  export default autocannon;
}
