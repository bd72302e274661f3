import { readFileSync } from 'node:fs';
import path from 'node:path';

import { servedPolicySchema } from '../../../src/ml/model-manifest';

// The committed policy report and summary are written by the same training run as the manifest the
// server reads; a manifest regenerated without its reports (or the reverse) would make them disagree.
const MODELS_DIR = path.resolve(__dirname, '../../../models');
const manifest = JSON.parse(readFileSync(path.join(MODELS_DIR, 'manifest.json'), 'utf8'));
const served = servedPolicySchema.parse(manifest.models.policy.served_policy);

describe('the served policy is the one the committed reports name', () => {
  it('models/reports/policy.md', () => {
    const report = readFileSync(path.join(MODELS_DIR, 'reports', 'policy.md'), 'utf8');
    expect(report.match(/\*\*Served: `([a-z_]+)`\.\*\*/)?.[1]).toBe(served.name);
    expect(report).toContain(served.reason);
  });

  it('models/reports/README.md', () => {
    const summary = readFileSync(path.join(MODELS_DIR, 'reports', 'README.md'), 'utf8');
    expect(summary.match(/^\| CQL policy \|.*; served: ([a-z_]+)/m)?.[1]).toBe(served.name);
  });

  it('a simple policy is served exactly when CQL did not win in all three settings', () => {
    expect(served.kind === 'model').toBe(
      manifest.models.policy.targets_met.cql_beats_best_simple_by_2se_in_all_settings,
    );
  });
});
