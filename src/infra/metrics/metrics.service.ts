import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

type Labels<L extends string> = Partial<Record<L, string | number>>;
/** Current values read from their owner when Prometheus scrapes (nothing is counted twice). */
export type Reading<L extends string> = Array<[Labels<L>, number]>;

interface CollectedMetric<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  read: () => Reading<L>;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process's Prometheus registry. Request latency is observed per request (the one hot-path
 * cost); every other figure is read at scrape time from the component that already keeps it,
 * registered by that component's own module, so infrastructure knows no domain.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests: Histogram<'method' | 'route' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status: latency until the response was sent',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
  }

  /** `route` must be a route pattern (bounded), never a raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe({ method, route, status }, seconds);
  }

  /** A monotonically increasing figure kept by its owner (e.g. events written). */
  counterFrom<L extends string>(metric: CollectedMetric<L>): void {
    new Counter<L>({
      ...this.registration(metric),
      collect() {
        this.reset();
        for (const [labels, value] of metric.read()) this.inc(labels, value);
      },
    });
  }

  /** A figure that goes up and down (e.g. queue depth, pool connections in use). */
  gaugeFrom<L extends string>(metric: CollectedMetric<L>): void {
    new Gauge<L>({
      ...this.registration(metric),
      collect() {
        this.reset();
        for (const [labels, value] of metric.read()) this.set(labels, value);
      },
    });
  }

  private registration<L extends string>(metric: CollectedMetric<L>) {
    return { name: metric.name, help: metric.help, labelNames: metric.labelNames ?? [], registers: [this.registry] };
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[]): Histogram<L> {
    return new Histogram<L>({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
