import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { StatementImportService } from '../../src/financial/import/statement-import.service';
import { uploadStatement, type UploadArgs } from '../helpers/statements';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/test-app';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures/statements', name));

describe('bank-statement import: formats, options, categories, failures (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const upload = (...args: UploadArgs) => uploadStatement(t, ...args);

  /** The stored sums by direction, as two-decimal strings. */
  async function storedTotals(userId: string) {
    const rows = await t.prisma.transaction.groupBy({
      by: ['transactionType'],
      where: { userId, source: 'import' },
      _sum: { amount: true },
      _count: true,
    });
    const of = (type: 'debit' | 'credit') =>
      rows.find((r) => r.transactionType === type)?._sum.amount?.toFixed(2) ?? '0.00';
    return { debits: of('debit'), credits: of('credit') };
  }

  async function stored(userId: string, description: string) {
    return t.prisma.transaction.findFirstOrThrow({ where: { userId, description } });
  }

  it('Mint-style export (positive amounts + debit/credit type): dry run previews, import round-trips the totals', async () => {
    const u = await registerUser(t);
    const dry = await upload(u, fixture('mint-export.csv'), 'mint.csv', '?dry_run=true').expect(200);
    expect(dry.body).toMatchObject({
      dry_run: true,
      format: 'mint',
      delimiter: ',',
      date_format: 'MM/DD/YYYY',
      mapping: {
        date: 'Date',
        amount: 'Amount',
        direction: 'Transaction Type',
        description: 'Description',
        category: 'Category',
      },
      total_rows: 8,
      imported: 8,
      errors: [],
      totals: { debits: '1864.18', credits: '2469.99' },
      categories: {
        by_source: { memory: 0, file: 7, rules: 1, default: 0 },
        unknown_file_categories: [{ label: 'Transfer', rows: 1 }],
        unknown_file_category_rows: 1,
      },
    });
    expect(dry.body.preview).toHaveLength(8);
    expect(dry.body.preview[0]).toMatchObject({
      date: '2024-03-13',
      transaction_type: 'credit',
      amount: '19.99',
      category: 'shopping',
      category_source: 'file',
    });
    expect(await t.prisma.transaction.count({ where: { userId: u.id } })).toBe(0);

    const res = await upload(u, fixture('mint-export.csv'), 'mint.csv').expect(200);
    expect(res.body).toMatchObject({ imported: 8, dry_run: false });
    expect(await storedTotals(u.id)).toEqual({ debits: '1864.18', credits: '2469.99' });
    expect(await stored(u.id, 'Netflix')).toMatchObject({ transactionType: 'debit', category: 'entertainment' });
    expect(await stored(u.id, 'Shell')).toMatchObject({ transactionType: 'debit', category: 'transport' });
    expect(await stored(u.id, 'Landlord LLC')).toMatchObject({ category: 'bills' });
    expect(await stored(u.id, 'Payroll Acme Corp')).toMatchObject({ transactionType: 'credit', category: 'income' });
    expect(await stored(u.id, 'Transfer to Savings')).toMatchObject({ category: 'savings' });
    expect((await stored(u.id, "Joe's Diner, Inc.")).transactionDate.toISOString()).toBe('2024-03-25T12:00:00.000Z');
  });

  it('plain signed-amount CSV: signs, thousands separators, currency symbols, file labels and rules', async () => {
    const u = await registerUser(t);
    const res = await upload(u, fixture('signed-amount.csv')).expect(200);
    expect(res.body).toMatchObject({
      format: 'signed_amount',
      imported: 7,
      errors: [],
      totals: { debits: '1117.14', credits: '3105.00' },
      categories: { by_source: { file: 3, rules: 4 }, unknown_file_categories: [{ label: 'Holiday Fund', rows: 1 }] },
    });
    expect(await storedTotals(u.id)).toEqual({ debits: '1117.14', credits: '3105.00' });
    expect(await stored(u.id, 'UBER *TRIP HELP.UBER.COM')).toMatchObject({
      transactionType: 'debit',
      category: 'transport',
    });
    expect((await stored(u.id, 'UBER *TRIP HELP.UBER.COM')).amount.toFixed(2)).toBe('1012.50');
    expect(await stored(u.id, 'SPOTIFY P1A2B3')).toMatchObject({ category: 'entertainment' });
    expect(await stored(u.id, 'PRET A MANGER')).toMatchObject({ category: 'dine_out' });
    expect(await stored(u.id, 'REFUND MYSTERY SHOP')).toMatchObject({ transactionType: 'credit', category: 'income' });
  });

  it('debit/credit columns, ";" delimiter, decimal comma, preamble lines, Windows-1252 text: balances replay the file', async () => {
    const u = await registerUser(t);
    const res = await upload(u, fixture('debit-credit-semicolon.csv')).expect(200);
    expect(res.body).toMatchObject({
      format: 'debit_credit_columns',
      delimiter: ';',
      decimal: ',',
      encoding: 'windows-1252',
      preamble_lines: 3,
      date_format: 'DD/MM/YYYY',
      imported: 4,
      opening_balance_set: true,
      closing_balance: '3392.05',
      totals: { debits: '1107.95', credits: '2500.00' },
    });
    const cafe = await stored(u.id, 'Café Müller');
    expect(cafe).toMatchObject({ transactionType: 'debit', category: 'dine_out' });
    expect(cafe.balanceAfter.toFixed(2)).toBe('1995.20');
    expect((await stored(u.id, 'Bäckerei Süß')).amount.toFixed(2)).toBe('3.15');
    expect((await t.http().get('/financial/wallet').set(u.auth)).body.balance).toBe('3392.05');
  });

  it('Berka-like tab-separated file (UTF-8 BOM, YYMMDD dates, PRIJEM/VYDAJ/VYBER types, k_symbol codes)', async () => {
    const u = await registerUser(t);
    const res = await upload(u, fixture('berka-tab.tsv'), 'berka.tsv').expect(200);
    expect(res.body).toMatchObject({
      format: 'amount_with_type',
      delimiter: '\t',
      imported: 5,
      date_range: { from: '1993-01-05', to: '1993-02-28' },
      closing_balance: '10422.20',
      opening_balance_set: true,
      totals: { debits: '4279.00', credits: '14701.20' },
    });
    expect(await stored(u.id, 'PREVOD NA UCET')).toMatchObject({ transactionType: 'debit', category: 'bills' });
    expect(await stored(u.id, 'VYBER')).toMatchObject({ transactionType: 'debit' });
    expect(await stored(u.id, 'UROK transaction')).toMatchObject({ transactionType: 'credit', category: 'income' });
    expect(await stored(u.id, 'PREVOD Z UCTU')).toMatchObject({ category: 'income' });
  });

  it('"|" delimiter with negate=true for a card statement listing spending as positive', async () => {
    const u = await registerUser(t);
    const res = await upload(u, fixture('card-pipe.csv'), 'card.csv', '?negate=true').expect(200);
    expect(res.body).toMatchObject({
      delimiter: '|',
      negate: true,
      imported: 4,
      totals: { debits: '72.74', credits: '47.75' },
    });
    expect(await stored(u.id, 'STARBUCKS STORE 1234')).toMatchObject({
      transactionType: 'debit',
      category: 'dine_out',
    });
    expect(await stored(u.id, 'PUREGYM MEMBERSHIP')).toMatchObject({ transactionType: 'debit', category: 'fitness' });
    expect(await stored(u.id, 'PAYMENT THANK YOU')).toMatchObject({ transactionType: 'credit' });
  });

  it('column options name the columns when the header is not recognised', async () => {
    const u = await registerUser(t);
    const csv = 'Wann,Was,Wieviel\n2024-05-01,Kiosk,-2.50\n2024-05-02,Lohn,100.00\n';
    const refused = await upload(u, csv).expect(422);
    expect(refused.body.detail[0].msg).toMatch(/found columns "Wann", "Was", "Wieviel".*date_column/);
    const res = await upload(u, csv, 'x.csv', '?date_column=Wann&amount_column=3&description_column=was').expect(200);
    expect(res.body).toMatchObject({ imported: 2, mapping: { date: 'Wann', amount: 'Wieviel', description: 'Was' } });
    const bad = await upload(u, csv, 'x.csv', '?date_column=When').expect(422);
    expect(bad.body.detail[0].msg).toMatch(/date_column "When" is not a column of the file/);
  });

  it('refuses dates that read both ways, naming date_format; the option (query or form field) settles it', async () => {
    const u = await registerUser(t);
    const refused = await upload(u, fixture('ambiguous-dates.csv')).expect(422);
    expect(refused.body.detail[0].loc).toEqual(['query', 'date_format']);
    expect(refused.body.detail[0].msg).toMatch(
      /"03\/04\/2024" could be day-first or month-first.*date_format=DD\/MM\/YYYY/,
    );
    const dayFirst = await upload(
      u,
      fixture('ambiguous-dates.csv'),
      'a.csv',
      '?dry_run=true&date_format=DD/MM/YYYY',
    ).expect(200);
    expect(dayFirst.body.date_range).toEqual({ from: '2024-04-03', to: '2024-08-07' });
    const monthFirst = await upload(u, fixture('ambiguous-dates.csv'), 'a.csv', '', {
      fields: { dry_run: 'true', date_format: 'MM/DD/YYYY' },
    }).expect(200);
    expect(monthFirst.body).toMatchObject({ dry_run: true, date_range: { from: '2024-03-04', to: '2024-07-08' } });
    const invalid = await upload(u, fixture('ambiguous-dates.csv'), 'a.csv', '?date_format=banana').expect(422);
    expect(invalid.body.detail[0].loc).toEqual(['query', 'date_format']);
  });

  it('OFX 1.x (SGML): signed amounts, FITID keys, opening balance from LEDGERBAL; re-import adds nothing', async () => {
    const u = await registerUser(t);
    const res = await upload(u, fixture('ofx1-sgml.ofx'), 'bank.ofx').expect(200);
    expect(res.body).toMatchObject({
      format: 'ofx_sgml',
      imported: 4,
      opening_balance_set: true,
      closing_balance: '2421.26',
      totals: { debits: '1078.74', credits: '2000.00' },
    });
    expect(await stored(u.id, 'Tom & Jerry Lettings')).toMatchObject({ transactionType: 'debit', category: 'bills' });
    expect(await stored(u.id, 'ACME PAYROLL')).toMatchObject({ category: 'income' });
    // Two identical Kroger lines with their own FITIDs are two transactions.
    expect(await t.prisma.transaction.count({ where: { userId: u.id, description: 'KROGER #512' } })).toBe(2);
    const again = await upload(u, fixture('ofx1-sgml.ofx'), 'bank.ofx').expect(200);
    expect(again.body).toMatchObject({ imported: 0, duplicates: 4 });
  });

  it('OFX 2.x (XML, credit card) as .qfx', async () => {
    const u = await registerUser(t);
    const res = await upload(u, fixture('ofx2-xml.qfx'), 'card.qfx').expect(200);
    expect(res.body).toMatchObject({ format: 'ofx_xml', imported: 3, totals: { debits: '71.30', credits: '71.30' } });
    expect(await stored(u.id, 'SPOTIFY AB')).toMatchObject({ category: 'entertainment' });
    expect(await stored(u.id, 'RISTORANTE DA MARIO')).toMatchObject({ category: 'dine_out' });
  });

  it("a user's re-categorisation teaches later imports (memory first), for that user only", async () => {
    const u = await registerUser(t);
    const other = await registerUser(t);
    await upload(u, 'Date,Description,Amount\n2024-01-05,CORNER KIOSK 22,-4.00\n').expect(200);
    const row = await stored(u.id, 'CORNER KIOSK 22');
    expect(row.category).toBe('other');
    await t.http().put(`/financial/transactions/${row.id}`).set(u.auth).send({ category: 'groceries' }).expect(200);
    const next = 'Date,Description,Amount\n2024-02-05,Corner Kiosk 23,-6.00\n';
    const res = await upload(u, next).expect(200);
    expect(res.body.categories.by_source).toMatchObject({ memory: 1 });
    expect(await stored(u.id, 'Corner Kiosk 23')).toMatchObject({ category: 'groceries' });
    const theirs = await upload(other, next).expect(200);
    expect(theirs.body.categories.by_source).toMatchObject({ memory: 0, default: 1 });
  });

  describe('no file shape answers 5xx', () => {
    let u: TestUser;
    beforeAll(async () => {
      u = await registerUser(t);
    });

    it('a large file with an unknown header is refused with 422 after the upload is drained; the server carries on', async () => {
      const body = 'name,price\n' + 'apple,1.00\n'.repeat(30_000);
      const res = await upload(u, body).expect(422);
      expect(res.body.detail[0].msg).toMatch(/found columns "name", "price"/);
      await t.http().get('/financial/wallet').set(u.auth).expect(200);
    });

    it('large Mint-style and signed-amount dry runs answer 200', async () => {
      const mint =
        'Date,Description,Original Description,Amount,Transaction Type,Category,Account Name,Labels,Notes\n' +
        Array.from(
          { length: 5000 },
          (_, i) => `1/${(i % 28) + 1}/2023,Shop ${i},SHOP ${i},${i + 1}.25,debit,Shopping,Card,,`,
        ).join('\n');
      const m = await upload(u, mint, 'mint.csv', '?dry_run=true').expect(200);
      expect(m.body).toMatchObject({ format: 'mint', total_rows: 5000, imported: 5000, errors_total: 0 });
      const signed =
        'date,description,amount,category\n' +
        Array.from(
          { length: 5000 },
          (_, i) => `2023-01-${String((i % 28) + 1).padStart(2, '0')},Item ${i},-${i + 1}.10,`,
        ).join('\n');
      const s = await upload(u, signed, 'signed.csv', '?dry_run=true').expect(200);
      expect(s.body).toMatchObject({ format: 'signed_amount', imported: 5000 });
    });

    it('every problem row of a dry run is listed with its line and reason', async () => {
      const rows = [
        'Date,Description,Amount',
        '2024-01-01,OK,-1.00',
        '2024-13-01,BAD DATE,-1.00',
        '2024-01-02,,abc',
        '2024-01-03,ZERO,0',
        '2024-01-04,SHORT',
      ];
      const res = await upload(u, rows.join('\n'), 'p.csv', '?dry_run=true').expect(200);
      expect(res.body.errors).toEqual([
        { row: 3, reason: 'Invalid Date "2024-13-01" (expected YYYY-MM-DD)' },
        { row: 4, reason: 'Amount: "abc" is not a valid amount' },
        { row: 5, reason: 'Amount is zero' },
        { row: 6, reason: 'Amount is empty' },
      ]);
      expect(res.body).toMatchObject({ imported: 1, errors_total: 4 });
    });

    it.each([
      ['a NUL byte', 415, Buffer.from('Date,Description,Amount\n2024-01-01,A\u0000B,-1.00\n')],
      ['gzip data', 415, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])],
      ['a truncated OFX file', 422, fixture('ofx1-sgml.ofx').subarray(0, 900)],
      ['an empty file', 422, Buffer.alloc(0)],
      ['only a header', 200, Buffer.from('Date,Description,Amount\n')],
      ['random text', 422, Buffer.from('hello world\nthis is not a statement\n')],
      ['an unclosed quote', 422, Buffer.from('Date,Description,Amount\n2024-01-01,"OPEN,-1.00\n2024-01-02,X,-2.00\n')],
    ])('%s → %d', async (_name, status, content) => {
      const res = await upload(u, content, 'x.csv', '?dry_run=true').expect(status);
      if (status !== 200) expect(typeof (res.body.detail?.[0]?.msg ?? res.body.detail)).toBe('string');
    });

    it('format=ofx on a CSV file is refused naming what was found', async () => {
      const res = await upload(u, fixture('signed-amount.csv'), 'x.csv', '?format=ofx').expect(422);
      expect(res.body.detail[0].msg).toMatch(/format=ofx/);
    });
  });

  it('a database error mid-import writes nothing (all or nothing) and answers 503', async () => {
    const u = await registerUser(t);
    await t.prisma.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_refuse_boom() RETURNS trigger AS $$
      BEGIN IF NEW.description = 'BOOM' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await t.prisma.$executeRawUnsafe(
      'CREATE TRIGGER test_refuse_boom BEFORE INSERT ON transactions FOR EACH ROW EXECUTE FUNCTION test_refuse_boom()',
    );
    try {
      const rows = [
        'Date,Description,Amount',
        '2024-01-01,FIRST,-1.00',
        '2024-01-02,BOOM,-1.00',
        '2024-01-03,LAST,-1.00',
      ];
      await upload(u, rows.join('\n')).expect(503);
      expect(await t.prisma.transaction.count({ where: { userId: u.id } })).toBe(0);
      expect(await t.prisma.statementImport.count({ where: { userId: u.id } })).toBe(0);
    } finally {
      await t.prisma.$executeRawUnsafe('DROP TRIGGER test_refuse_boom ON transactions');
      await t.prisma.$executeRawUnsafe('DROP FUNCTION test_refuse_boom()');
    }
  });

  it('two concurrent imports of one file by one user count every row once', async () => {
    const u = await registerUser(t);
    const file = fixture('mint-export.csv');
    const [a, b] = await Promise.all([upload(u, file, 'a.csv'), upload(u, file, 'b.csv')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.imported, b.body.imported].sort()).toEqual([0, 8]);
    expect(await t.prisma.transaction.count({ where: { userId: u.id } })).toBe(8);
    expect(await storedTotals(u.id)).toEqual({ debits: '1864.18', credits: '2469.99' });
  });

  it('a user runs at most 2 imports at once: the third is refused with 429', async () => {
    const u = await registerUser(t);
    const importer = t.app.get(StatementImportService);
    const open = [new PassThrough(), new PassThrough()];
    const running = open.map((stream) =>
      importer.importStatement(u.id, { stream, filename: 'x.csv' }, { dryRun: true }),
    );
    const third = new PassThrough();
    third.end('Date,Description,Amount\n2024-01-01,X,-1.00\n');
    await expect(importer.importStatement(u.id, { stream: third, filename: 'x.csv' })).rejects.toMatchObject({
      status: 429,
    });
    for (const stream of open) stream.end('Date,Description,Amount\n2024-01-01,X,-1.00\n');
    await Promise.all(running);
    // Another user is not affected by this user's imports, and slots are released.
    await expect(
      importer.importStatement(
        u.id,
        { stream: Readable.from([Buffer.from('Date,Amount\n2024-01-01,-1\n')]), filename: 'x.csv' },
        { dryRun: true },
      ),
    ).resolves.toMatchObject({ imported: 1 });
  });
});
