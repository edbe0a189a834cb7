/**
 * Resolves on the event loop's next check phase (setImmediate): long work awaits it between
 * slices so timers, acks and socket reads run in between. One definition for the HTTP slices,
 * the observation reads and both retention sweepers.
 */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
