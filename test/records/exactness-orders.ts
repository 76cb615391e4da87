/**
 * The orders CSV of the records exactness test, generated from a seeded PRNG, and what Sluice must make of it,
 * computed here without Sluice: the line and kind of every malformed row, and per region of the valid rows the
 * count, the exact sum in BigInt cents, the smallest id and how many customers hold a comma and notes a newline.
 */

export const REGIONS = ['eu', 'us', 'apac', 'latam', 'são-paulo', '東京'] as const;

export type MalformedKind =
  | 'extra-field'
  | 'missing-field'
  | 'amount-comma'
  | 'amount-text'
  | 'amount-empty'
  | 'unclosed-quote';

/** The reason an invalid record must give for each kind. */
export const REASONS: Record<MalformedKind, RegExp> = {
  'extra-field': /^6 fields, the header has 5$/,
  'missing-field': /^4 fields, the header has 5$/,
  'amount-comma': /amount.*must match pattern/,
  'amount-text': /amount.*must match pattern/,
  'amount-empty': /amount.*must match pattern/,
  'unclosed-quote': /never closed/,
};

export interface RegionTotals {
  orders: number;
  cents: bigint;
  firstId: string;
  commaCustomers: number;
  multilineNotes: number;
}

export interface OrdersCsv {
  text: string;
  /** Data rows (the header not counted). */
  rows: number;
  /** Line → the malformed row starting there: its kind and its exact text. */
  malformed: Map<number, { kind: MalformedKind; text: string }>;
  regions: Map<string, RegionTotals>;
}

/** mulberry32: a small seeded PRNG, enough to make the data varied and the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A CSV field as written and the value it stands for. */
interface Field {
  csv: string;
  value: string;
}

const plain = (value: string): Field => ({ csv: value, value });
const quoted = (value: string): Field => ({ csv: `"${value.replaceAll('"', '""')}"`, value });

const CUSTOMERS: Field[] = [
  plain('Ada Lovelace'),
  quoted('Smith, John'),
  quoted('Müller, Jürgen'),
  plain('José Álvarez'),
  plain('山田 太郎'),
  quoted('O"Brien, Pat'),
  plain('Zoë Saldaña'),
];
const PLAIN_CUSTOMERS = CUSTOMERS.filter((c) => c.csv === c.value);
const NOTES: Field[] = [plain(''), plain('rush'), plain('gift wrap'), plain('über-express'), quoted('call "first"')];
const MULTILINE_NOTE = quoted('deliver after 6pm\nring twice');
const PLAIN_NOTES = NOTES.filter((n) => n.csv === n.value);

const MALFORMED_EVERY = 1000;
const MALFORMED_KINDS: MalformedKind[] = [
  'extra-field',
  'missing-field',
  'amount-comma',
  'amount-text',
  'amount-empty',
];
/** The last rows hold no quote character, so the unclosed quote among them swallows nothing but its own line. */
const TAIL = 200;
const UNCLOSED_FROM_END = 100;

/** Cents as a decimal text with exactly two decimals: -5 → "-0.05". */
export function centsText(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** A decimal text ("1234.5", "-0.10", "12") as exact cents; anything else (exponents, 3 decimals) throws. */
export function parseCents(text: string): bigint {
  const m = /^(-?)([0-9]+)(?:\.([0-9]{1,2}))?$/.exec(text);
  if (!m) throw new Error(`not a decimal with at most 2 decimals: ${text}`);
  const cents = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cents : cents;
}

/** The amount of a row in cents: 東京 orders are large (their sum has 16 significant digits), the rest small. */
function amountCents(region: string, random: () => number): bigint {
  if (region === '東京') return BigInt(5_000_000_000 + Math.floor(random() * 5_000_000_000));
  const r = random();
  if (r < 0.03) return -BigInt(1 + Math.floor(random() * 50_000)); // refunds
  if (r < 0.05) return 10n; // 0.10
  if (r < 0.06) return 0n;
  return BigInt(1 + Math.floor(random() * 999_999));
}

function malformedRow(kind: MalformedKind, id: string, region: string, amount: string): string {
  switch (kind) {
    case 'extra-field':
      return `${id},${region},${amount},Smith, John,rush`;
    case 'missing-field':
      return `${id},${region},${amount},Ada Lovelace`;
    case 'amount-comma':
      return `${id},${region},"12,5",Ada Lovelace,rush`;
    case 'amount-text':
      return `${id},${region},abc,Ada Lovelace,rush`;
    case 'amount-empty':
      return `${id},${region},,Ada Lovelace,rush`;
    case 'unclosed-quote':
      return `${id},${region},${amount},"Smith, John,rush`;
  }
}

export function generateOrdersCsv(rows: number, seed: number): OrdersCsv {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const out: string[] = ['id,region,amount,customer,note'];
  const malformed = new Map<number, { kind: MalformedKind; text: string }>();
  const regions = new Map<string, RegionTotals>();
  let line = 2;
  for (let i = 0; i < rows; i++) {
    const id = String(i + 1).padStart(7, '0');
    const region = pick(REGIONS);
    const cents = amountCents(region, random);
    const amount = centsText(cents);
    const tail = i >= rows - TAIL;
    let kind: MalformedKind | undefined;
    if (i === rows - UNCLOSED_FROM_END) kind = 'unclosed-quote';
    else if (!tail && i % MALFORMED_EVERY === 617) kind = MALFORMED_KINDS[((i / MALFORMED_EVERY) % 5) | 0]!;
    if (kind) {
      const text = malformedRow(kind, id, region, amount);
      malformed.set(line, { kind, text });
      out.push(text);
      line++;
      continue;
    }
    const customer = pick(tail ? PLAIN_CUSTOMERS : CUSTOMERS);
    const note = !tail && random() < 0.002 ? MULTILINE_NOTE : pick(tail ? PLAIN_NOTES : NOTES);
    out.push(`${id},${region},${amount},${customer.csv},${note.csv}`);
    line += 1 + (note.value.match(/\n/g)?.length ?? 0);
    let totals = regions.get(region);
    if (!totals) {
      totals = { orders: 0, cents: 0n, firstId: id, commaCustomers: 0, multilineNotes: 0 };
      regions.set(region, totals);
    }
    totals.orders++;
    totals.cents += cents;
    if (customer.value.includes(',')) totals.commaCustomers++;
    if (note.value.includes('\n')) totals.multilineNotes++;
    // An empty line now and then: skipped by the reader, but counted in the line numbers.
    if (!tail && i % 250_000 === 1) {
      out.push('');
      line++;
    }
  }
  return { text: `${out.join('\n')}\n`, rows, malformed, regions };
}
