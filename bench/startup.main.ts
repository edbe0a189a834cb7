/** Standalone: `npx tsx bench/startup.main.ts [--quick]` — the start-up-to-first-ack section alone (ports 4120/4121). */
import { benchStartup } from './startup';

const quick = process.argv.includes('--quick');
const result = await benchStartup({ events: quick ? 200_000 : 10_000_000, repeats: quick ? 1 : 3, port: 4120, relayPort: 4121 });
console.log(JSON.stringify(result, null, 2));
