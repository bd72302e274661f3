// Jest's node environment gives each test file its own realm, so typed arrays made by
// native addons (onnxruntime-node's output tensors) fail `instanceof Float32Array`
// checks against the sandbox's constructors. Sharing the host realm's typed-array
// constructors with the sandbox makes tests behave like production (one realm).
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];

class SharedTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArraysEnvironment;
