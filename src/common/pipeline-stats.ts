/**
 * Injection token for the behavioural event pipeline's figures, so the health
 * endpoint can report them without depending on the behavioural module's internals.
 */
export const EVENT_PIPELINE_STATS = Symbol('EVENT_PIPELINE_STATS');

export interface EventPipelineStatsProvider {
  stats(): Record<string, unknown>;
}
