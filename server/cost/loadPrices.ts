/** Reads the price table: `XRAY_PRICES` (YAML or JSON) when set, else the shipped `config/prices.yaml`. */
import fs from 'node:fs';
import path from 'node:path';
import { parsePriceTable, type PriceTable } from '../../lib/cost/prices';
import { PROJECT_ROOT } from '../projectRoot';

export const DEFAULT_PRICES_FILE = path.join(PROJECT_ROOT, 'config', 'prices.yaml');

let shipped: PriceTable | null = null;

export function loadPriceTable(file?: string): PriceTable {
  if (!file) return (shipped ??= parsePriceTable(fs.readFileSync(DEFAULT_PRICES_FILE, 'utf8')));
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`XRAY_PRICES: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return parsePriceTable(text);
  } catch (err) {
    throw new Error(`XRAY_PRICES (${file}): ${(err as Error).message}`);
  }
}
