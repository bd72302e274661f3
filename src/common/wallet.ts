/** The balance a new account's wallet opens with (two-decimal string, as stored). */
export const STARTING_BALANCE = '1000.00';
