import * as ort from 'onnxruntime-node';

export function floatTensor(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(values), dims);
}

export function toNumbers(tensor: ort.Tensor): number[] {
  return Array.from(tensor.data as ArrayLike<number | bigint>, (v) => Number(v));
}

export function softmax(values: number[], temperature = 1): number[] {
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp((v - max) / temperature));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Picks named values in the order a model declares; undefined when one is missing. */
export function vectorByName(names: readonly string[], values: Record<string, number>): number[] | undefined {
  const out: number[] = [];
  for (const name of names) {
    const v = values[name];
    if (v === undefined || !Number.isFinite(v)) return undefined;
    out.push(v);
  }
  return out;
}
