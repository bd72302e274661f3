import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * CI-sized run of the real training pipeline: the venv from the hash-pinned lock (made here
 * when missing: a few minutes the first time on a fresh clone), the TypeScript export of a
 * tiny population, and train.py on it — CQL candidates, rollouts in the simulator, FQE,
 * ONNX export — twice, which must give identical model files and manifests.
 * Skipped, saying so, only where python3 does not exist.
 */
const ROOT = path.resolve(__dirname, '../..');
const hasPython = spawnSync('python3', ['--version']).status === 0;
const describeIfPython = hasPython ? describe : describe.skip;
if (!hasPython) console.warn('training smoke test skipped: python3 is not installed on this machine');

const MINUTES = 60_000;

function run(command: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(command, args, {
    cwd: ROOT,
    env: { ...process.env, PYTHONHASHSEED: '0', OMP_NUM_THREADS: '1', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

describeIfPython('training pipeline (smoke, tiny data)', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'fincoach-train-smoke-'));
  const python = path.join(ROOT, 'models/training/.venv/bin/python');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it(
    'installs the locked venv, exports, trains and values the policy, and reproduces it exactly',
    () => {
      run('bash', ['models/training/setup-venv.sh']);
      const cache = path.join(work, 'cache');
      run('npx', ['tsx', 'scripts/ml/export-training-data.ts', '--users', '40', '--weeks', '16', '--out', cache]);
      const train = (out: string) =>
        run(python, [
          'models/training/train.py',
          ...['--cache', cache, '--out', out, '--only', 'policy'],
          ...['--policy-steps', '60', '--policy-alphas', '0.05', '1.0'],
          ...['--policy-validation-users', '3', '--policy-max-test-users', '4'],
          ...['--policy-fqe-iterations', '2', '--policy-fqe-steps', '20'],
        ]);
      const a = path.join(work, 'a');
      const b = path.join(work, 'b');
      train(a);
      train(b);

      const manifest = JSON.parse(readFileSync(path.join(a, 'manifest.json'), 'utf8'));
      const policy = manifest.models.policy;
      expect(existsSync(path.join(a, policy.file))).toBe(true);
      expect(policy.served_policy.kind).toMatch(/^(model|rule|constant)$/);
      const truth = policy.metrics.true_value;
      expect(Object.keys(truth).sort()).toEqual(['0.5', '1', '1.5']);
      for (const name of ['cql', 'rule', 'logging', 'random', 'always_budget'])
        expect(Number.isFinite(truth['1'][name].mean)).toBe(true);
      expect(readFileSync(path.join(a, 'reports/policy.md'), 'utf8')).toContain('True value on');

      const compare = run(python, ['models/training/compare_runs.py', a, b, '--require-equal-sha256']);
      expect(compare).toContain('runs agree');
    },
    30 * MINUTES,
  );
});
