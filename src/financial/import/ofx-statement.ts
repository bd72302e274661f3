import { isoDate } from './statement-values';

/** OFX 1.x (SGML, unclosed leaf tags) and 2.x (XML) share the tag names; one reader serves both. */
export function looksLikeOfx(head: string): boolean {
  const start = head
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 2000);
  return /^OFXHEADER:/i.test(start) || /<\?OFX\b/i.test(start) || /^(<\?xml[^>]*\?>\s*)?<OFX>/i.test(start);
}

export interface OfxTransaction {
  /** Ordinal of the <STMTTRN> in the file (1-based), used as its "line" in problem reports. */
  index: number;
  fitId: string;
  date: string | undefined;
  rawDate: string;
  /** The TRNAMT text as written (signed). */
  amount: string;
  type: string;
  name: string;
  memo: string;
}

export interface OfxStatement {
  version: '1.x' | '2.x';
  account: string;
  currency: string;
  transactions: OfxTransaction[];
  /** LEDGERBAL/BALAMT: the balance at the end of the statement, if given. */
  closingBalance: string | undefined;
}

/** The value of a leaf element: `<TAG>value` up to the next tag or line end (SGML) or `</TAG>` (XML). */
function leaf(block: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<\\r\\n]*)`, 'i').exec(block);
  return m ? decodeEntities(m[1].trim()) : undefined;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

/** OFX dates: YYYYMMDD[HHMMSS[.XXX]][[±hh:TZ]] → the calendar day as written. */
export function ofxDate(raw: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(raw.trim());
  return m ? isoDate(+m[1], +m[2], +m[3]) : undefined;
}

export type OfxResult = { ok: true; statement: OfxStatement } | { ok: false; message: string };

/** Parses a whole OFX/QFX document; structural problems (truncation, no statement) refuse the file. */
export function parseOfx(text: string): OfxResult {
  const body = text.replace(/^\uFEFF/, '');
  const version = /<\?OFX\b|<\?xml/i.test(body.slice(0, 2000)) ? '2.x' : '1.x';
  if (!/<OFX>/i.test(body)) return { ok: false, message: 'Not an OFX statement: no <OFX> element' };
  if (!/<\/OFX>\s*$/i.test(body)) {
    return { ok: false, message: 'The OFX file is truncated: it does not end with </OFX>; nothing was imported' };
  }
  if (!/<BANKTRANLIST>|<STMTTRN>/i.test(body)) {
    return { ok: false, message: 'The OFX file holds no bank or credit-card statement (<BANKTRANLIST>)' };
  }
  const opened = (body.match(/<STMTTRN>/gi) ?? []).length;
  const blocks = [...body.matchAll(/<STMTTRN>([\s\S]*?)<\/STMTTRN>/gi)].map((m) => m[1]);
  if (blocks.length !== opened) {
    return {
      ok: false,
      message: `The OFX file has ${opened} <STMTTRN> but ${blocks.length} closed; nothing was imported`,
    };
  }
  const transactions = blocks.map((block, i) => {
    const rawDate = leaf(block, 'DTPOSTED') ?? leaf(block, 'DTUSER') ?? '';
    return {
      index: i + 1,
      fitId: leaf(block, 'FITID') ?? '',
      date: ofxDate(rawDate),
      rawDate,
      amount: leaf(block, 'TRNAMT') ?? '',
      type: (leaf(block, 'TRNTYPE') ?? '').toUpperCase(),
      name: leaf(block, 'NAME') ?? leaf(block, 'PAYEE') ?? '',
      memo: leaf(block, 'MEMO') ?? '',
    };
  });
  const ledger = /<LEDGERBAL>([\s\S]*?)(<\/LEDGERBAL>|<AVAILBAL>|<\/STMTRS>|<\/CCSTMTRS>)/i.exec(body);
  return {
    ok: true,
    statement: {
      version,
      account: leaf(body, 'ACCTID') ?? '',
      currency: leaf(body, 'CURDEF') ?? '',
      transactions,
      closingBalance: ledger ? leaf(ledger[1], 'BALAMT') : undefined,
    },
  };
}
