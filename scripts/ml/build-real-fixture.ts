/**
 * Writes test/fixtures/real/: one real berka account (a held-out test account, the one with the
 * most rows) as a MoneyVis-layout statement, for the e2e test that imports a real history through
 * the API. Usage: tsx scripts/ml/build-real-fixture.ts [--data-dir DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { loadBerka, realDataDir, toMoneyVisCsv } from './real-data';
import { isTestAccount } from './real-episodes';

const accounts = loadBerka(realDataDir()).filter((a) => isTestAccount('berka', a.id));
const account = accounts.reduce((a, b) => (b.transactions.length > a.transactions.length ? b : a));
const out = path.resolve(__dirname, '../../test/fixtures/real');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, `berka-${account.id}.csv`), toMoneyVisCsv(account.transactions));
console.log(`berka account ${account.id}: ${account.transactions.length} rows → ${out}`);
