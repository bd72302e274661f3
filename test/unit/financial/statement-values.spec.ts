import {
  categorise,
  categoryByRules,
  mapFileCategory,
  merchantKey,
} from '../../../src/financial/import/categorisation';
import { looksLikeOfx, ofxDate, parseOfx } from '../../../src/financial/import/ofx-statement';
import { detectLayout, sniffDelimiter, normaliseHeader } from '../../../src/financial/import/statement-layout';
import {
  dateOrderOf,
  dateReadings,
  DateOrderTally,
  decimalEvidence,
  DecimalTally,
  directionOf,
  parseMoney,
} from '../../../src/financial/import/statement-values';
import { StatementTextDecoder } from '../../../src/financial/import/text-decoding';

const cents = (raw: string, decimal: '.' | ',' = '.') => {
  const r = parseMoney(raw, decimal);
  return 'cents' in r ? r.cents : r.error;
};

describe('statement amounts', () => {
  it.each([
    ['12.34', 1234n],
    ['-12.34', -1234n],
    ['1,234.50', 123450n],
    ['£3.11', 311n],
    ['$-7.00', -700n],
    ['(1,000.00)', -100000n],
    ['12.50-', -1250n],
    ['12.50 DR', -1250n],
    ['12.50 CR', 1250n],
    ['−7.99', -799n],
    ['+5', 500n],
    ['1 234.5', 123450n],
    ["1'234.50", 123450n],
    ['12.340', 1234n],
    ['', null],
  ])('"%s" (decimal point) → %p cents', (raw, expected) => {
    expect(cents(raw)).toBe(expected);
  });

  it.each([
    ['1.234,56', 123456n],
    ['-7,99 Kč', -799n],
    ['1 234,56 €', 123456n],
    ['EUR 4,8', 480n],
    ['2.500,00', 250000n],
  ])('"%s" (decimal comma) → %p cents', (raw, expected) => {
    expect(cents(raw, ',')).toBe(expected);
  });

  it('refuses what is not an amount, more than two decimals and overflow', () => {
    expect(cents('abc')).toBe('"abc" is not a valid amount');
    expect(cents('1.234')).toBe('"1.234" has more than two decimals');
    expect(cents('12,34,5')).toBe('"12,34,5" is not a valid amount');
    expect(cents('99999999999999')).toBe('"99999999999999" is too large');
    expect(cents('1.2.3', ',')).toBe('"1.2.3" is not a valid amount');
  });

  it('decides the decimal mark from the evidence in the whole file', () => {
    expect(decimalEvidence('1,234.50')).toBe('.');
    expect(decimalEvidence('1.234,50')).toBe(',');
    expect(decimalEvidence('4,80')).toBe(',');
    expect(decimalEvidence('1,234')).toBeUndefined();
    expect(decimalEvidence('1,234,567')).toBe('.');
    const tally = new DecimalTally();
    for (const v of ['1,234', '4,80', '12,00', '3']) tally.add(v);
    expect(tally.decide()).toBe(',');
    expect(new DecimalTally().decide()).toBe('.');
  });
});

describe('statement dates', () => {
  it.each([
    ['2024-03-05', { ymd: '2024-03-05', dmy: '2024-03-05', mdy: '2024-03-05' }],
    ['2024-03-05T23:10:00Z', { ymd: '2024-03-05', dmy: '2024-03-05', mdy: '2024-03-05' }],
    ['20240305', { ymd: '2024-03-05', dmy: '2024-03-05', mdy: '2024-03-05' }],
    ['930105', { ymd: '1993-01-05' }],
    ['05/03/2024', { dmy: '2024-03-05', mdy: '2024-05-03' }],
    ['25.07.2022 10:11', { dmy: '2022-07-25', mdy: undefined }],
    ['3/28/24', { dmy: undefined, mdy: '2024-03-28' }],
    ['25 Jul 2022', { ymd: '2022-07-25', dmy: '2022-07-25', mdy: '2022-07-25' }],
    ['Jul 25, 2022', { ymd: '2022-07-25', dmy: '2022-07-25', mdy: '2022-07-25' }],
    ['31/02/2024', { dmy: undefined, mdy: undefined }],
    ['yesterday', {}],
  ])('%s reads as %p', (raw, readings) => {
    expect(dateReadings(raw)).toEqual(readings);
  });

  it('one order per file: unambiguous dates decide; a file that reads both ways is ambiguous', () => {
    const decide = (dates: string[]) => {
      const tally = new DateOrderTally();
      for (const d of dates) tally.add(dateReadings(d), d);
      return tally.decide();
    };
    expect(decide(['03/04/2024', '25/04/2024'])).toBe('dmy');
    expect(decide(['03/04/2024', '04/25/2024'])).toBe('mdy');
    expect(decide(['03/04/2024', '05/06/2024'])).toBe('ambiguous');
    // Same day and month read the same both ways: nothing to refuse.
    expect(decide(['01/01/2024', '02/02/2024'])).not.toBe('ambiguous');
    expect(decide(['2024-01-02'])).toBe('ymd');
  });

  it('date_format names the order of the fields', () => {
    expect(dateOrderOf('DD/MM/YYYY')).toBe('dmy');
    expect(dateOrderOf('MM-DD-YY')).toBe('mdy');
    expect(dateOrderOf('YYMMDD')).toBe('ymd');
    expect(dateOrderOf('banana')).toBeUndefined();
  });
});

describe('statement layouts', () => {
  const none = () => ({ recognised: 0, total: 0 });
  it('normalises headers (BOM, case, currency in brackets, accents)', () => {
    expect(normaliseHeader('\uFEFFAmount (GBP)')).toBe('amount');
    expect(normaliseHeader('Transaction_Date')).toBe('transaction date');
    expect(normaliseHeader('Částka')).toBe('castka');
  });

  it('tells the layouts apart', () => {
    const moneyvis = detectLayout(
      [
        'Transaction Number',
        'Transaction Date',
        'Transaction Type',
        'Transaction Description',
        'Debit Amount',
        'Credit Amount',
        'Balance',
        'Category',
      ],
      {},
      none,
    );
    expect(moneyvis).toMatchObject({
      ok: true,
      layout: { format: 'moneyvis', signMode: 'debit_credit', dateOrder: 'dmy' },
    });
    const typed = detectLayout(['Date', 'Description', 'Amount', 'Type'], {}, () => ({ recognised: 10, total: 10 }));
    expect(typed).toMatchObject({ ok: true, layout: { format: 'amount_with_type', signMode: 'amount_direction' } });
    // A type column of bank codes does not give the sign.
    const codes = detectLayout(['Date', 'Description', 'Amount', 'Type'], {}, () => ({ recognised: 1, total: 10 }));
    expect(codes).toMatchObject({ ok: true, layout: { format: 'signed_amount', columns: { code: 3 } } });
    const refused = detectLayout(['When', 'What'], {}, none);
    expect(refused.ok).toBe(false);
  });

  it('sniffs the delimiter despite preamble lines', () => {
    expect(sniffDelimiter(['Account;123', 'Date;Text;Amount', '01.01.2024;A;1,5', '02.01.2024;B;2,5'])).toBe(';');
    expect(sniffDelimiter(['a\tb\tc', '1\t2\t3'])).toBe('\t');
    expect(sniffDelimiter(['a|b', '1|"x,y"'])).toBe('|');
    expect(sniffDelimiter(['Date,Description,Amount', '2024-01-01,"A; B",1'])).toBe(',');
  });

  it('reads debit/credit words (English and Czech) and nothing else', () => {
    expect(directionOf('Debit')).toBe('debit');
    expect(directionOf(' CR ')).toBe('credit');
    expect(directionOf('PŘÍJEM')).toBe('credit');
    expect(directionOf('VYBER')).toBe('debit');
    expect(directionOf('DEB')).toBeUndefined();
  });
});

describe('text decoding', () => {
  it('reads UTF-8 (with or without BOM), falls back to Windows-1252, and honours a split multi-byte character', () => {
    const utf8 = new StatementTextDecoder();
    const bytes = Buffer.from('\uFEFFCafé ž', 'utf8');
    expect(utf8.decode(bytes.subarray(0, 7)) + utf8.decode(bytes.subarray(7)) + utf8.end()).toBe('Café ž');
    expect(utf8.encoding).toBe('utf-8');
    const cp1252 = new StatementTextDecoder();
    expect(cp1252.decode(Buffer.from('Caf\xe9 \x80 5', 'latin1')) + cp1252.end()).toBe('Café € 5');
    expect(cp1252.encoding).toBe('windows-1252');
    const czech = new StatementTextDecoder('windows-1250');
    expect(czech.decode(Buffer.from([0x9a, 0xe8, 0xf8])) + czech.end()).toBe('ščř');
    const utf16 = new StatementTextDecoder();
    const utf16Bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Date', 'utf16le')]);
    expect(utf16.decode(utf16Bytes) + utf16.end()).toBe('Date');
  });
});

describe('categorisation', () => {
  it('merchant keys drop digits and punctuation', () => {
    expect(merchantKey('LIDL GB  NOTTINGHA')).toBe(merchantKey('Lidl GB Nottingha'));
    expect(merchantKey('Subway 32610 Midla')).toBe('SUBWAY MIDLA');
  });

  it('maps file labels per format and leaves unknown ones to the rules', () => {
    expect(mapFileCategory('mint', 'Gas & Fuel')).toBe('transport');
    expect(mapFileCategory('mint', 'Transfer')).toBeUndefined();
    expect(mapFileCategory('moneyvis', 'Paycheck')).toBe('income');
    expect(mapFileCategory('generic', 'dine_out')).toBe('dine_out');
    expect(mapFileCategory('generic', 'Holiday Fund')).toBeUndefined();
  });

  it('rules: by sign, by text, by transaction code', () => {
    expect(categoryByRules('TESCO STORES 2231', -1)).toBe('groceries');
    expect(categoryByRules('NETFLIX.COM', -1)).toBe('entertainment');
    expect(categoryByRules('ACME PAYROLL', 1)).toBe('income');
    expect(categoryByRules('TESCO STORES 2231', 1)).toBeUndefined();
    expect(categoryByRules('PREVOD NA UCET', -1, 'SIPO')).toBe('bills');
  });

  it('memory first, then the file, then rules, then income/other', () => {
    const memory = new Map([['CORNER KIOSK', 'groceries' as const]]);
    expect(categorise({ description: 'Corner Kiosk 7', label: 'Others', amountSign: -1 }, 'moneyvis', memory)).toEqual({
      category: 'groceries',
      source: 'memory',
    });
    expect(categorise({ description: 'X', label: 'Restaurants', amountSign: -1 }, 'mint', new Map())).toMatchObject({
      category: 'dine_out',
      source: 'file',
    });
    expect(categorise({ description: 'UBER TRIP', label: 'Odd', amountSign: -1 }, 'mint', new Map())).toEqual({
      category: 'transport',
      source: 'rules',
      unknownLabel: 'Odd',
    });
    expect(categorise({ description: 'ZZZ', label: '', amountSign: 1 }, 'generic', new Map())).toEqual({
      category: 'income',
      source: 'default',
    });
  });
});

describe('OFX', () => {
  it('recognises and parses SGML and XML statements; refuses truncated ones', () => {
    const sgml = [
      'OFXHEADER:100',
      'DATA:OFXSGML',
      '',
      '<OFX><BANKMSGSRSV1><STMTRS><CURDEF>GBP',
      '<BANKACCTFROM><ACCTID>42',
      '</BANKACCTFROM><BANKTRANLIST>',
      '<STMTTRN>',
      '<TRNTYPE>POS',
      '<DTPOSTED>20240102',
      '<TRNAMT>-1.50',
      '<FITID>A1',
      '<NAME>Café &amp; Co',
      '</STMTTRN>',
      '</BANKTRANLIST></STMTRS></BANKMSGSRSV1></OFX>',
      '',
    ].join('\n');
    expect(looksLikeOfx(sgml)).toBe(true);
    expect(looksLikeOfx('Date,Amount\n')).toBe(false);
    expect(parseOfx(sgml)).toMatchObject({
      ok: true,
      statement: {
        version: '1.x',
        account: '42',
        transactions: [{ fitId: 'A1', date: '2024-01-02', amount: '-1.50', name: 'Café & Co' }],
      },
    });
    expect(parseOfx(sgml.slice(0, 150))).toMatchObject({ ok: false });
    const xml = '<?xml version="1.0"?><?OFX OFXHEADER="200"?><OFX><STMTTRN><TRNAMT>2.00</TRNAMT></STMTTRN></OFX>';
    expect(parseOfx(xml)).toMatchObject({
      ok: true,
      statement: { version: '2.x', transactions: [{ amount: '2.00' }] },
    });
    expect(ofxDate('20240305120000.000[-5:EST]')).toBe('2024-03-05');
  });
});
