import {
  assignImportKeys,
  chronological,
  indexHeader,
  looksBinary,
  parseAmount,
  parseStatementDate,
  parseStatementRow,
  type StatementRow,
} from '../../../src/financial/import/moneyvis-statement';

const HEADER = [
  'Transaction Number',
  'Transaction Date',
  'Transaction Type',
  'Transaction Description',
  'Debit Amount',
  'Credit Amount',
  'Balance',
  'Category',
  'Location City',
  'Location Country',
];
const { index } = indexHeader(HEADER);
const row = (cells: string[], line = 2) => parseStatementRow(cells, index, line);
const ok = (cells: string[]) => {
  const r = row(cells);
  if (!r.ok) throw new Error(r.reason);
  return r.row;
};

describe('MoneyVis statement rows', () => {
  it('maps the header case- and space-insensitively, in any order, and names missing columns', () => {
    expect(
      indexHeader(['\uFEFFtransaction  DATE', 'Debit Amount', 'credit amount', 'Transaction Description']).missing,
    ).toEqual([]);
    expect(indexHeader(['name', 'price']).missing).toEqual([
      'transaction date',
      'transaction description',
      'debit amount',
      'credit amount',
    ]);
  });

  it('parses a debit row: signed amount, mapped category, trimmed label', () => {
    expect(
      ok(['2', '25/07/2022', 'DEB', 'LIDL GB  NOTTINGHA', '15.02', '', '544.54', 'Groceries ', 'Nottingham', 'UK']),
    ).toMatchObject({
      date: '2022-07-25',
      type: 'DEB',
      description: 'LIDL GB  NOTTINGHA',
      amount: '-15.02',
      balance: '544.54',
      category: 'groceries',
      city: 'Nottingham',
      country: 'UK',
    });
  });

  it('signed amount = credit − debit; unknown and blank labels map to other', () => {
    expect(ok(['1', '01/01/2020', 'FPI', 'PAY', '', '1,250.5', '10', 'Paycheck', '', ''])).toMatchObject({
      amount: '1250.50',
      category: 'income',
      city: null,
    });
    expect(ok(['1', '01/01/2020', 'X', 'BOTH', '10', '25', '', '', '', ''])).toMatchObject({
      amount: '15.00',
      category: 'other',
      balance: null,
    });
    expect(ok(['1', '2020-01-01', '', '', '3', '', '', 'Services/Home Improvement', '', ''])).toMatchObject({
      description: 'Imported transaction',
      category: 'other',
    });
  });

  it.each([
    [
      ['1', '31/02/2024', 'DEB', 'x', '1', '', '', '', '', ''],
      'Invalid Transaction Date "31/02/2024" (expected DD/MM/YYYY)',
    ],
    [
      ['1', '2024/01/01', 'DEB', 'x', '1', '', '', '', '', ''],
      'Invalid Transaction Date "2024/01/01" (expected DD/MM/YYYY)',
    ],
    [['1', '01/01/2024', 'DEB', 'x', '', '', '', '', '', ''], 'Debit Amount and Credit Amount are both empty'],
    [['1', '01/01/2024', 'DEB', 'x', '0', '0.00', '', '', '', ''], 'Amount is zero (Credit Amount − Debit Amount)'],
    [['1', '01/01/2024', 'DEB', 'x', '-5', '', '', '', '', ''], 'Debit Amount: "-5" is not a valid amount'],
    [['1', '01/01/2024', 'DEB', 'x', '', 'abc', '', '', '', ''], 'Credit Amount: "abc" is not a valid amount'],
    [
      ['1', '01/01/2024', 'DEB', 'x', '99999999999.00', '', '', '', '', ''],
      'Debit Amount: 99999999999.00 is too large',
    ],
  ])('skips %j: %s', (cells, reason) => {
    expect(row(cells, 7)).toEqual({ ok: false, line: 7, reason });
  });

  it('parses amounts as exact cents and dates strictly', () => {
    expect(parseAmount('£1,234.5')).toEqual({ cents: 123450n });
    expect(parseAmount('  ')).toEqual({ cents: null });
    expect(parseAmount('0.001')).toHaveProperty('error');
    expect(parseStatementDate('29/02/2024')).toBe('2024-02-29');
    expect(parseStatementDate('29/02/2023')).toBeNull();
  });
});

describe('import keys', () => {
  const a = ok(['1', '01/01/2024', 'DD', 'ENERGY CO', '250', '', '50', 'Bills', '', '']);
  const b = ok(['2', '01/01/2024', 'DD', 'ENERGY CO', '250', '', '50', 'Bills', '', '']);
  const c = ok(['3', '01/01/2024', 'DD', 'ENERGY  co ', '250.00', '', '50.00', 'Other', 'Leeds', 'UK']);

  it('are stable across runs and ignore the row number, spacing, case and label', () => {
    const [k1] = assignImportKeys([a]);
    expect(assignImportKeys([c])[0]).toBe(k1);
    expect(k1).toMatch(/^[0-9a-f]{64}$/);
  });

  it('count identical rows within a file, so both import', () => {
    const keys = assignImportKeys([a, b]);
    expect(keys[0]).not.toBe(keys[1]);
    expect(assignImportKeys([a, b])).toEqual(keys);
  });

  it('differ when any money field differs', () => {
    const d = ok(['1', '01/01/2024', 'DD', 'ENERGY CO', '250', '', '51', 'Bills', '', '']);
    expect(assignImportKeys([d])[0]).not.toBe(assignImportKeys([a])[0]);
  });
});

describe('chronological order', () => {
  const r = (date: string, line: number) => ({ row: { date, line } as StatementRow });
  it('reverses a newest-first file, keeping same-day rows in bank order', () => {
    const out = chronological([r('2024-01-02', 2), r('2024-01-01', 3), r('2024-01-01', 4)]);
    expect(out.map((x) => x.row.line)).toEqual([4, 3, 2]);
  });
  it('keeps an oldest-first file as it is', () => {
    const out = chronological([r('2024-01-01', 2), r('2024-01-01', 3), r('2024-01-02', 4)]);
    expect(out.map((x) => x.row.line)).toEqual([2, 3, 4]);
  });
});

it('sniffs binary uploads', () => {
  expect(looksBinary(Buffer.from('Transaction Number,Transaction Date\n'))).toBe(false);
  expect(looksBinary(Buffer.from('%PDF-1.7'))).toBe(true);
  expect(looksBinary(Buffer.from([0x41, 0x00, 0x42]))).toBe(true);
});
