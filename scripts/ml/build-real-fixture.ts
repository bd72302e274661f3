/**
 * Writes test/fixtures/real/: one real berka account (a held-out test account, the one with the
 * most rows) in trans.asc's own layout, for the e2e test that imports a real history through the
 * API. Usage: tsx scripts/ml/build-real-fixture.ts [--data-dir DIR]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { berkaStatements, realDataDir } from './real-data';
import { isTestAccount } from './real-episodes';

const statements = berkaStatements(readFileSync(path.join(realDataDir(), 'berka', 'trans.asc'), 'utf8'));
const [id, statement] = [...statements.entries()]
  .filter(([account]) => isTestAccount('berka', account))
  .reduce((a, b) => (b[1].length > a[1].length ? b : a));
const out = path.resolve(__dirname, '../../test/fixtures/real');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, `berka-${id}.asc`), statement);
console.log(`berka account ${id}: ${statement.split('\n').length - 2} rows → ${out}`);
