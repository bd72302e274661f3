import { Injectable, OnModuleInit } from '@nestjs/common';

import { MetricsService } from '../infra/metrics/metrics.service';

import type { BatcherStats } from './event-batcher';
import { EventCaptureService } from './event-capture.service';

/** The event pipeline's figures (queued, written, dropped by reason, last batch latency) for /metrics. */
@Injectable()
export class EventPipelineMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly capture: EventCaptureService,
  ) {}

  onModuleInit(): void {
    const stats = () => this.capture.stats() as unknown as BatcherStats;
    this.metrics.gaugeFrom({
      name: 'events_queued',
      help: 'Behavioural events waiting in memory to be written',
      read: () => [[{}, stats().queue_depth]],
    });
    this.metrics.counterFrom({
      name: 'events_written_total',
      help: 'Behavioural events written to PostgreSQL',
      read: () => [[{}, stats().written]],
    });
    this.metrics.counterFrom({
      name: 'events_dropped_total',
      help: 'Behavioural events dropped, by reason',
      labelNames: ['reason'],
      read: () => Object.entries(stats().dropped).map(([reason, count]) => [{ reason }, count]),
    });
    this.metrics.gaugeFrom({
      name: 'events_last_batch_seconds',
      help: 'Time the last event batch took to write',
      read: () => {
        const ms = stats().last_flush_ms;
        return ms === null ? [] : [[{}, ms / 1000]];
      },
    });
  }
}
