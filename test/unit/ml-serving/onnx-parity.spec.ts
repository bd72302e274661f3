import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import * as ort from 'onnxruntime-node';

// Golden inputs/outputs written by the Python training pipeline (onnxruntime for Python);
// onnxruntime-node must reproduce them: the server sees exactly what training evaluated.
const MODELS_DIR = path.resolve(__dirname, '../../../models');
const manifest = JSON.parse(readFileSync(path.join(MODELS_DIR, 'manifest.json'), 'utf8'));
const TOLERANCE = 1e-4;

describe.each(['policy', 'segmentation', 'spending_forecast', 'goal'])('ONNX parity: %s', (name) => {
  const entry = manifest.models[name];
  const golden = JSON.parse(readFileSync(path.join(MODELS_DIR, 'golden', `${name}.json`), 'utf8'));

  it('matches the manifest checksum', () => {
    const digest = createHash('sha256')
      .update(readFileSync(path.join(MODELS_DIR, entry.file)))
      .digest('hex');
    expect(digest).toBe(entry.sha256);
    expect(golden.model).toBe(entry.file);
  });

  it(`reproduces the golden outputs within ${TOLERANCE} (relative above 1)`, async () => {
    const session = await ort.InferenceSession.create(path.join(MODELS_DIR, entry.file));
    try {
      const flat = (golden.inputs as unknown[]).flat(Infinity) as number[];
      const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(flat), golden.input_shape) };
      const outputs = await session.run(feeds);
      expect(golden.input_shape[0]).toBeGreaterThanOrEqual(10);
      for (const [outputName, expected] of Object.entries(golden.outputs as Record<string, unknown[]>)) {
        const want = (expected as unknown[]).flat(Infinity) as number[];
        const got = Array.from(outputs[outputName].data as ArrayLike<number | bigint>, Number);
        expect(got).toHaveLength(want.length);
        let worst = 0;
        want.forEach((w, i) => (worst = Math.max(worst, Math.abs(got[i] - w) / Math.max(1, Math.abs(w)))));
        expect(worst).toBeLessThanOrEqual(TOLERANCE);
      }
    } finally {
      await session.release();
    }
  });
});
