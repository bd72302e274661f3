// Jest transformer: our TypeScript, and every ESM-only dependency (NestJS 12 and a
// few transitive packages ship as ESM), compiled to CommonJS with swc. Jest's
// module runtime cannot require() ESM on Node 20 (it can from Node 24.9), while
// plain Node 20.19+ can: production loads those packages untouched, only the
// test runtime needs this. CommonJS files in node_modules pass through as they are.
const { createTransformer } = require('@swc/jest');

const common = { module: { type: 'commonjs' }, sourceMaps: 'inline' };
const forTypeScript = createTransformer({
  ...common,
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
});
const forJavaScript = createTransformer({ ...common, jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' } });

const ESM_SYNTAX = /^\s*(import\s*[\w{*'"]|export\s+(\*|\{|default|const|let|var|function|class|async))/m;

// The only ESM-isms those packages use, with CommonJS equivalents. (Some of the
// files declare their own `const require`, so these must not reference `require`.)
function withoutImportMeta(source) {
  return source
    .replace(/import\.meta\.url/g, "('file://' + __filename)")
    .replace(/import\.meta\.dirname/g, '__dirname')
    .replace(/import\.meta\.filename/g, '__filename')
    .replace(/import\.meta\.resolve\(/g, 'require.resolve(');
}

function isDependency(filename) {
  return filename.includes('/node_modules/');
}

module.exports = {
  process(source, filename, options) {
    if (filename.endsWith('.ts')) return forTypeScript.process(source, filename, options);
    if (isDependency(filename) && !ESM_SYNTAX.test(source)) return { code: source };
    return forJavaScript.process(withoutImportMeta(source), filename, options);
  },
  getCacheKey(source, filename, options) {
    const inner = filename.endsWith('.ts') ? forTypeScript : forJavaScript;
    return `esm-cjs-v3:${inner.getCacheKey(source, filename, options)}`;
  },
};
