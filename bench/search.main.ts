/** Standalone: `npx tsx bench/search.main.ts [--quick]` — the text search section alone (ports 4110/4111). */
import { benchSearch } from './search';

const quick = process.argv.includes('--quick');
const result = await benchSearch({ events: quick ? 200_000 : 10_000_000, repeats: quick ? 3 : 9, port: 4110, relayPort: 4111 });
console.log(JSON.stringify(result, null, 2));
