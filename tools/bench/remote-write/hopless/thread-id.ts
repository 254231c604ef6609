import { readFileSync } from 'node:fs';

/** The calling thread's Linux thread id, so the bench can read each thread's CPU from /proc. */
export function threadId(): number {
  return Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ', 1)[0]);
}
