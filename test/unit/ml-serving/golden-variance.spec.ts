import { readFileSync } from 'node:fs';
import path from 'node:path';

import * as ort from 'onnxruntime-node';

// A model output that is the same for every golden input (e.g. a category head stuck at 0)
// carries no information: it is a defect, whatever its average error says.
const MODELS_DIR = path.resolve(__dirname, '../../../models');
const manifest = JSON.parse(readFileSync(path.join(MODELS_DIR, 'manifest.json'), 'utf8'));

/** Per output position (all dims after the batch), the variance over the golden batch. */
export function variancesOverBatch(data: ArrayLike<number>, batch: number): number[] {
  const width = data.length / batch;
  return Array.from({ length: width }, (_, j) => {
    let mean = 0;
    for (let i = 0; i < batch; i++) mean += data[i * width + j] / batch;
    let v = 0;
    for (let i = 0; i < batch; i++) v += (data[i * width + j] - mean) ** 2 / batch;
    return v;
  });
}

describe('variancesOverBatch', () => {
  it('finds the constant column', () => {
    expect(variancesOverBatch([1, 0, 2, 0, 3, 0], 3).map((v) => v > 0)).toEqual([true, false]);
  });
});

describe.each(Object.keys(manifest.models))('golden inputs move every output: %s', (name) => {
  it('no output position has zero variance over the golden inputs', async () => {
    const entry = manifest.models[name];
    const golden = JSON.parse(readFileSync(path.join(MODELS_DIR, 'golden', `${name}.json`), 'utf8'));
    const session = await ort.InferenceSession.create(path.join(MODELS_DIR, entry.file));
    try {
      const flat = (golden.inputs as unknown[]).flat(Infinity) as number[];
      const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(flat), golden.input_shape) };
      const outputs = await session.run(feeds);
      const batch = golden.input_shape[0];
      for (const outputName of Object.keys(entry.outputs)) {
        const values = Array.from(outputs[outputName].data as ArrayLike<number | bigint>, Number);
        const constant = variancesOverBatch(values, batch)
          .map((v, i) => (v > 0 ? -1 : i))
          .filter((i) => i >= 0);
        expect({ output: outputName, constantPositions: constant }).toEqual({
          output: outputName,
          constantPositions: [],
        });
      }
    } finally {
      await session.release();
    }
  });
});
