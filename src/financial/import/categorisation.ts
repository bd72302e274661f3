import { CATEGORIES, type Category } from '../../common/categories';
import { mapMoneyVisCategory } from '../../common/moneyvis-categories';

/** Where an imported row's category came from (reported per import). */
export type CategorySource = 'memory' | 'file' | 'rules' | 'default';

/**
 * A merchant's key for the per-user memory and for grouping recurring payments: upper-case
 * words without digits or punctuation ("LIDL GB  NOTTINGHA" and "Lidl GB Nottingha" meet;
 * card numbers, dates and reference numbers drop out).
 */
export function merchantKey(text: string): string {
  return text
    .toUpperCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Z0-9&]+/g, ' ')
    .split(' ')
    .filter((word) => word && !/\d/.test(word))
    .join(' ')
    .slice(0, 100);
}

// Mint-style category names (the budgeting-app export) → ours. Unlisted labels are counted as unknown.
const MINT_LABELS: Record<string, Category> = {
  groceries: 'groceries',
  'food & dining': 'dine_out',
  restaurants: 'dine_out',
  'fast food': 'dine_out',
  'coffee shops': 'dine_out',
  'alcohol & bars': 'dine_out',
  'food delivery': 'dine_out',
  entertainment: 'entertainment',
  'movies & dvds': 'entertainment',
  music: 'entertainment',
  arts: 'entertainment',
  amusement: 'entertainment',
  'newspapers & magazines': 'entertainment',
  hobbies: 'entertainment',
  'bills & utilities': 'bills',
  utilities: 'bills',
  'mobile phone': 'bills',
  'home phone': 'bills',
  internet: 'bills',
  television: 'bills',
  'mortgage & rent': 'bills',
  rent: 'bills',
  mortgage: 'bills',
  insurance: 'bills',
  'auto insurance': 'bills',
  'home insurance': 'bills',
  'life insurance': 'bills',
  'loan payment': 'bills',
  'student loan': 'bills',
  'fees & charges': 'bills',
  'bank fee': 'bills',
  'service fee': 'bills',
  taxes: 'bills',
  'auto & transport': 'transport',
  'gas & fuel': 'transport',
  parking: 'transport',
  'public transportation': 'transport',
  'rental car & taxi': 'transport',
  'ride share': 'transport',
  'auto payment': 'transport',
  'service & parts': 'transport',
  travel: 'transport',
  'air travel': 'transport',
  hotel: 'transport',
  vacation: 'transport',
  shopping: 'shopping',
  clothing: 'shopping',
  electronics: 'shopping',
  'electronics & software': 'shopping',
  books: 'shopping',
  'sporting goods': 'shopping',
  gifts: 'shopping',
  'gifts & donations': 'shopping',
  'home improvement': 'shopping',
  furnishings: 'shopping',
  home: 'shopping',
  'health & fitness': 'health',
  doctor: 'health',
  dentist: 'health',
  pharmacy: 'health',
  eyecare: 'health',
  'health insurance': 'health',
  gym: 'fitness',
  sports: 'fitness',
  savings: 'savings',
  investments: 'savings',
  'transfer to savings': 'savings',
  income: 'income',
  paycheck: 'income',
  salary: 'income',
  'interest income': 'income',
  bonus: 'income',
  reimbursement: 'income',
  'rental income': 'income',
  returned: 'income',
};

/** Our own category names, as a file that already uses them writes them ("Dine out", "dine_out"). */
function ownCategory(label: string): Category | undefined {
  const key = label.replace(/[\s-]+/g, '_') as Category;
  return (CATEGORIES as readonly string[]).includes(key) ? key : undefined;
}

/** Which label table a file's category column is read with. */
export type CategoryTable = 'moneyvis' | 'mint' | 'generic';

/**
 * The file's own category label → ours, or undefined when the table does not know it (the
 * import counts those). MoneyVis's table maps its unknown labels to `other` by design
 * (docs/ml-evaluation: the calibration uses the same mapping), so only blanks are unknown there.
 */
export function mapFileCategory(table: CategoryTable, raw: string): Category | undefined {
  const label = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!label) return undefined;
  if (table === 'moneyvis') return mapMoneyVisCategory(label);
  return ownCategory(label) ?? MINT_LABELS[label] ?? (table === 'generic' ? mapMoneyVisLabelIfKnown(label) : undefined);
}

function mapMoneyVisLabelIfKnown(label: string): Category | undefined {
  const mapped = mapMoneyVisCategory(label);
  return mapped === 'other' && label !== 'other' && label !== 'others' ? undefined : mapped;
}

// Rules on the bank line's text, checked in order; the first match wins. Words are matched on
// the upper-cased, accent-free text. Income rules apply to money in only, the others to money out
// (a refund from a shop is money back, not shopping).
const SPENDING_RULES: [Category, RegExp][] = [
  [
    'savings',
    /\b(SAVE THE CHANGE|SAVINGS?|ISA|E ?SAVINGS|INVEST\w*|VANGUARD|TRADING ?212|NUTMEG|MONEYBOX|SPORENI|STAVEBNI)\b/,
  ],
  [
    'groceries',
    /\b(TESCO|SAINSBURY\w*|ASDA|LIDL|ALDI|MORRISONS?|WAITROSE|CO-?OP|ICELAND|OCADO|WHOLE ?FOODS|KROGER|SAFEWAY|TRADER JOE\w*|WALMART|COSTCO|ALBERT|BILLA|KAUFLAND|PENNY|GLOBUS|ROHLIK|SUPERMARKET|GROCER\w*|FOOD ?STORE|S\/?MKTS?)\b/,
  ],
  [
    'dine_out',
    /\b(RESTAURANT|CAFE|COFFEE|STARBUCKS|COSTA|PRET|GREGGS|MCDONALD\w*|KFC|BURGER|SUBWAY|NANDO\w*|PIZZA\w*|RISTORANTE|TRATTORIA|BRASSERIE|DOMINO\w*|DELIVEROO|UBER ?EATS|JUST ?EAT|GRUBHUB|DOORDASH|BAR|PUB|BISTRO|TAKEAWAY|DINER|WOLT|RESTAURACE|KAVARNA|HOSPODA)\b/,
  ],
  [
    'entertainment',
    /\b(NETFLIX|SPOTIFY|DISNEY|HULU|AUDIBLE|CINEMA|ODEON|CINEWORLD|VUE|STEAM|PLAYSTATION|XBOX|NINTENDO|TWITCH|APPLE ?MUSIC|YOUTUBE|PRIME ?VIDEO|THEATRE|THEATER|TICKETMASTER|KINO|DIVADLO)\b/,
  ],
  [
    'fitness',
    /\b(GYM|PUREGYM|FITNESS|YOGA|PILATES|DAVID LLOYD|NUFFIELD|PELOTON|CLIMBING|LEISURE CENT\w*|SPORT ?CENT\w*|POSILOVNA)\b/,
  ],
  [
    'health',
    /\b(PHARMACY|CHEMIST|BOOTS|SUPERDRUG|DENTAL|DENTIST|DOCTOR|CLINIC|HOSPITAL|NHS|OPTICIAN\w*|SPECSAVERS|CVS|WALGREENS|LEKARNA|NEMOCNICE)\b/,
  ],
  [
    'transport',
    /\b(UBER|LYFT|BOLT|TAXI|TFL|TRAINLINE|RAIL\w*|TRAINS?|NATIONAL EXPRESS|MEGABUS|ARRIVA|STAGECOACH|FIRST BUS|BUS|PETROL|FUEL|SHELL|ESSO|BP|TEXACO|PARKING|RYANAIR|EASYJET|BRITISH AIRWAYS|AIRLINE\w*|AIRWAYS|DPP|BENZINA)\b/,
  ],
  [
    'bills',
    /\b(RENT|MORTGAGE|MTGES?|LETTINGS?|COUNCIL|C ?TAX|WATER|ENERGY|ELECTRIC\w*|GAS|BRITISH GAS|EDF|E ?ON|OCTOPUS|BROADBAND|VIRGIN MEDIA|TALKTALK|SKY|BT|VODAFONE|O2|EE|TV LICEN[CS]E|INSURANCE|ASSURANCE|LIFE|ZURICH|AVIVA|FEE|CHARGE|INTEREST CHARGE|LOAN|SIPO|UVER|POJISTNE|NAJEM|NAJEMNE)\b/,
  ],
  [
    'shopping',
    /\b(AMAZON|AMZN\w*|EBAY|ARGOS|IKEA|PRIMARK|ZARA|H&M|JOHN LEWIS|MARKS ?& ?SPENCER|M&S|NEXT|ASOS|CURRYS|APPLE|TK ?MAXX|T K MAXX|WILKO|DECATHLON|ALZA|MALL|SHOP\w*|STORE)\b/,
  ],
];
const INCOME_RULES: [Category, RegExp][] = [
  ['savings', /\b(FROM SAVINGS|SAVINGS?|ISA)\b/],
  [
    'income',
    /\b(SALARY|PAYROLL|PAY|WAGES?|PAYCHECK|BGC|INTEREST|DIVIDEND\w*|PENSION|BENEFIT\w*|HMRC|REFUND|CASHBACK|MZDA|PLAT|DUCHOD|UROK|PRIJEM)\b/,
  ],
];

// Transaction codes that say what a payment is (Czech k_symbol as in the Berka data: household
// payment, loan, insurance, pension, interest, penalty interest). Other codes (DEB, DD, BP, …)
// say how money moved, not what for, and are not used.
const CODE_CATEGORIES: Record<string, Category> = {
  SIPO: 'bills',
  UVER: 'bills',
  POJISTNE: 'bills',
  'SANKC. UROK': 'bills',
  'SANKC UROK': 'bills',
  DUCHOD: 'income',
  UROK: 'income',
};

/** The category rules give a bank line (its text, and its transaction code), or undefined when none applies. */
export function categoryByRules(description: string, amountSign: 1 | -1, code = ''): Category | undefined {
  const byCode = CODE_CATEGORIES[code.trim().toUpperCase()];
  if (byCode) return byCode;
  const text = ` ${description
    .toUpperCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')} `;
  for (const [category, rule] of amountSign < 0 ? SPENDING_RULES : INCOME_RULES) {
    if (rule.test(text)) return category;
  }
  return undefined;
}

export interface CategoryInput {
  description: string;
  /** The file's own label (blank when the file has no category column). */
  label: string;
  amountSign: 1 | -1;
  /** The bank's transaction code, if any. */
  code?: string;
}

/** Counts per source, plus the file labels the table did not know (label → rows). */
export class CategoryReport {
  readonly bySource: Record<CategorySource, number> = { memory: 0, file: 0, rules: 0, default: 0 };
  readonly unknownLabels = new Map<string, number>();

  count(source: CategorySource, unknownLabel?: string): void {
    this.bySource[source]++;
    if (unknownLabel) this.unknownLabels.set(unknownLabel, (this.unknownLabels.get(unknownLabel) ?? 0) + 1);
  }

  toJSON() {
    const unknown = [...this.unknownLabels.entries()].sort((a, b) => b[1] - a[1]);
    return {
      by_source: { ...this.bySource },
      unknown_file_categories: unknown.slice(0, 50).map(([label, rows]) => ({ label, rows })),
      unknown_file_category_rows: unknown.reduce((sum, [, rows]) => sum + rows, 0),
    };
  }
}

export interface Categorised {
  category: Category;
  source: CategorySource;
  /** The file's label when the table did not know it. */
  unknownLabel?: string;
}

/**
 * One row's category: the user's own earlier choice for this merchant first (they corrected
 * us), then the file's label, then the rules, then `income` for unexplained money in and
 * `other` for money out.
 */
export function categorise(
  row: CategoryInput,
  table: CategoryTable,
  memory: ReadonlyMap<string, Category>,
): Categorised {
  const remembered = memory.get(merchantKey(row.description));
  if (remembered) return { category: remembered, source: 'memory' };
  const label = row.label.trim();
  const fromFile = label ? mapFileCategory(table, label) : undefined;
  if (fromFile) return { category: fromFile, source: 'file' };
  const unknownLabel = label ? label.slice(0, 60) : undefined;
  const byRules = categoryByRules(row.description, row.amountSign, row.code);
  if (byRules) return { category: byRules, source: 'rules', unknownLabel };
  return { category: row.amountSign > 0 ? 'income' : 'other', source: 'default', unknownLabel };
}
