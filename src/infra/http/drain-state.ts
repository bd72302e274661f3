import { Injectable } from '@nestjs/common';

/**
 * Whether the process is shutting down: set first on SIGTERM (main.ts), so /health answers
 * "draining" (503) and load balancers stop sending traffic while in-flight requests finish.
 */
@Injectable()
export class DrainState {
  private since: Date | null = null;

  begin(): void {
    this.since ??= new Date();
  }

  get draining(): boolean {
    return this.since !== null;
  }
}
