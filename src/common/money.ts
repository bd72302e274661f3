import { Prisma } from '../generated/prisma/client';

const { Decimal } = Prisma;
type Decimal = Prisma.Decimal;

export type MoneyLike = Decimal | number | string | { toString(): string };

/** A decimal string with exactly two places: what PostgreSQL returns for every NUMERIC(12, 2) column. */
const TWO_PLACES = /^-?\d+\.\d\d$/;

/** Money on the wire: a decimal string with two places ("1000.00"), as the reference client expects. */
export function money(value: MoneyLike | null | undefined): string {
  if (value === null || value === undefined) return '0.00';
  // Stored amounts arrive already formatted; only computed ones need rounding.
  if (typeof value === 'string' && TWO_PLACES.test(value)) return value;
  const rounded = new Decimal(value.toString()).toFixed(2);
  return rounded === '-0.00' ? '0.00' : rounded;
}

/** Money for computation in ML features and scores (never for storage). */
export function toNumber(value: MoneyLike | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value.toString());
}

export { Decimal };
