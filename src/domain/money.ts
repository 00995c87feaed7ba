/**
 * Money travels inside the gateway as integer minor units plus an ISO 4217 code, and out of it
 * as a decimal string. Floats never hold an amount. Points are not money: see `Points`.
 */

export interface Money {
  /** Integer minor units (cents for ZAR and USD). */
  minor: bigint;
  /** ISO 4217 alphabetic code, upper case. */
  currency: string;
}

/** Loyalty points: a decimal with at most three fractional digits, never a currency. */
export interface Points {
  /** Canonical decimal string, e.g. "100" or "12.5". */
  amount: string;
}

/** Minor-unit exponents that differ from the usual 2. */
const EXPONENTS: Readonly<Record<string, number>> = {
  BHD: 3, JOD: 3, KWD: 3, OMR: 3, TND: 3, JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, UGX: 0,
};

export const currencyExponent = (currency: string): number => EXPONENTS[currency] ?? 2;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Converts a decimal (string, or a JSON number as a provider sent it) in major units to minor
 * units, exactly. Returns undefined when the value has more fractional digits than the currency
 * allows or is not a plain decimal.
 */
export function decimalToMinor(value: string | number, currency: string): bigint | undefined {
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  if (text === undefined) return undefined;
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const exponent = currencyExponent(currency);
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > exponent) return undefined;
  const minor = BigInt(whole! + trimmed.padEnd(exponent, '0'));
  return sign ? -minor : minor;
}

/** Formats minor units as a decimal string with the currency's exponent, e.g. 1234n USD -> "12.34". */
export function minorToDecimal(minor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

export const money = (minor: bigint | number, currency: string): Money => ({
  minor: BigInt(minor),
  currency: currency.toUpperCase(),
});

/**
 * Canonicalises a points value: at most three fractional digits, no exponent notation.
 * Returns undefined for anything else.
 */
export function toPoints(value: string | number): Points | undefined {
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  if (text === undefined) return undefined;
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > 3) return undefined;
  const integer = whole!.replace(/^0+(?=\d)/, '');
  return { amount: `${sign ?? ''}${integer}${trimmed ? `.${trimmed}` : ''}` };
}

/** JSON numbers print in shortest round-trip form; reject exponent forms and non-finite values. */
function numberToPlainString(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  return /e/i.test(text) ? undefined : text;
}
