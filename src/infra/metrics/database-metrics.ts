import { Injectable, OnModuleInit } from '@nestjs/common';

import { PrismaService } from '../prisma/prisma.service';

import { MetricsService } from './metrics.service';

/** The database pool's use, read from node-postgres at scrape time. */
@Injectable()
export class DatabaseMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly prisma: PrismaService,
  ) {}

  onModuleInit(): void {
    const pool = this.prisma.pool;
    this.metrics.gaugeFrom({
      name: 'db_pool_connections',
      help: 'Database pool connections by state (in_use, idle) and requests waiting for one',
      labelNames: ['state'],
      read: () => [
        [{ state: 'in_use' }, pool.totalCount - pool.idleCount],
        [{ state: 'idle' }, pool.idleCount],
        [{ state: 'waiting' }, pool.waitingCount],
      ],
    });
  }
}
