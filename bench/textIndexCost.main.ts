/** Standalone: `npx tsx bench/textIndexCost.main.ts [--quick]` — the append path's CPU throughput with and without the text index. */
import { benchTextIndexCost } from './textIndexCost';

const quick = process.argv.includes('--quick');
console.log(JSON.stringify(await benchTextIndexCost({ events: quick ? 20_000 : 100_000, repeats: quick ? 1 : 3 }), null, 2));
