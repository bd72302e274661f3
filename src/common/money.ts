import { Prisma } from '../generated/prisma/client';

const { Decimal } = Prisma;
type Decimal = Prisma.Decimal;

export type MoneyLike = Decimal | number | string | { toString(): string };

/** Money on the wire: a decimal string with two places ("1000.00"), as the reference client expects. */
export function money(value: MoneyLike | null | undefined): string {
  if (value === null || value === undefined) return '0.00';
  return new Decimal(value.toString()).toFixed(2);
}

/** Money for computation in ML features and scores (never for storage). */
export function toNumber(value: MoneyLike | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value.toString());
}

export { Decimal };
