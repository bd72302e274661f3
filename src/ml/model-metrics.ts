import { Injectable, OnModuleInit } from '@nestjs/common';

import { MetricsService } from '../infra/metrics/metrics.service';

import { ModelRegistry } from './model-registry';

/** Per-model inference, failure and fallback counts and whether the model is served, for /metrics. */
@Injectable()
export class ModelMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly registry: ModelRegistry,
  ) {}

  onModuleInit(): void {
    const statuses = () => this.registry.allStatuses();
    this.metrics.counterFrom({
      name: 'model_inferences_total',
      help: 'Successful ONNX inferences per model',
      labelNames: ['model'],
      read: () => statuses().map((s) => [{ model: s.name }, s.inferences]),
    });
    this.metrics.counterFrom({
      name: 'model_fallbacks_total',
      help: 'Calls per model answered by its rule fallback (model not loaded or inference failed)',
      labelNames: ['model'],
      read: () => statuses().map((s) => [{ model: s.name }, s.fallbacks]),
    });
    this.metrics.counterFrom({
      name: 'model_refusals_total',
      help: 'Model graphs per model refused by the load checks (checksum, signature, probe), from MODELS_DIR or a stored version',
      labelNames: ['model'],
      read: () => statuses().map((s) => [{ model: s.name }, s.refusals]),
    });
    this.metrics.gaugeFrom({
      name: 'model_loaded',
      help: '1 when the model is loaded and served, 0 when its fallback answers',
      labelNames: ['model'],
      read: () => statuses().map((s) => [{ model: s.name }, s.state === 'loaded' ? 1 : 0]),
    });
  }
}
