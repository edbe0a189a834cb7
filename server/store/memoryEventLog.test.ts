import { eventLogContract } from '../testing/eventLogContract';
import { MemoryEventLog } from './memoryEventLog';

// The same contract on a log with no SQL at all: what it proves is the interface, not SQLite.
eventLogContract('memory (arrays and Maps)', {
  create: () => new MemoryEventLog(),
  reopen: null,
  expireBefore: async (log, cutoffTs) => (log as MemoryEventLog).expireBefore(cutoffTs),
});
