// Runs a TypeScript script of this repository in plain Node with NestJS's decorator metadata
// (tsx's esbuild cannot emit it, so Nest could not inject services): `node -r ./scripts/swc-register.cjs x.ts`.
// Our .ts files are compiled to CommonJS by swc, as jest does (test/setup/swc-transformer.js);
// './x.js' imports of TypeScript sources (the generated Prisma client) resolve to './x.ts'.
const fs = require('node:fs');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const options = {
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  try {
    return resolve.call(this, request, parent, ...rest);
  } catch (error) {
    if (request.startsWith('.') && request.endsWith('.js'))
      return resolve.call(this, request.replace(/\.js$/, '.ts'), parent, ...rest);
    throw error;
  }
};
