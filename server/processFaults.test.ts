import { EventEmitter } from 'node:events';
import { expect, it } from 'vitest';
import { EXIT_UNCAUGHT, installProcessFaultPolicy, processFaults } from './processFaults';

it('[G8] an unhandled rejection is logged with its stack and counted; the process keeps running', () => {
  const proc = new EventEmitter();
  const exits: number[] = [];
  const lines: unknown[][] = [];
  installProcessFaultPolicy(proc as never, (code) => exits.push(code), (...l) => lines.push(l));
  const before = processFaults.unhandledRejections;
  proc.emit('unhandledRejection', new Error('nobody awaited me'));
  proc.emit('unhandledRejection', 'a bare reason');
  expect(processFaults.unhandledRejections).toBe(before + 2);
  expect(exits).toEqual([]);
  expect(String(lines[0][1])).toMatch(/Error: nobody awaited me\n\s+at /);
  expect(lines[1][1]).toBe('a bare reason');
});

it('[G8] an uncaught exception exits with EX_SOFTWARE (in-memory state is unknown; the log has every acked event)', () => {
  const proc = new EventEmitter();
  const exits: number[] = [];
  const lines: unknown[][] = [];
  installProcessFaultPolicy(proc as never, (code) => exits.push(code), (...l) => lines.push(l));
  proc.emit('uncaughtException', new Error('state unknown'), 'uncaughtException');
  expect(exits).toEqual([EXIT_UNCAUGHT]);
  expect(String(lines[0][0])).toMatch(/uncaughtException: exiting/);
});
