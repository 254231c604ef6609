import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** A program the platform needs and the Debian package that ships it. */
export interface RequiredProgram {
  /** How to find it: an executable name on PATH, or a resolver for versioned install dirs. */
  find: () => string | null;
  debianPackage: string;
}

/** Looks an executable up on PATH without a shell. */
export function which(name: string): string | null {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path ? path : null;
}

/** The bin directory of the newest Debian PostgreSQL server install, or null. */
export function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(`${base}/${v}/bin/postgres`) && existsSync(`${base}/${v}/bin/initdb`))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? `${base}/${versions[0]}/bin` : null;
}

/** Programs the embedded defaults start. */
export const NATS_SERVER: RequiredProgram = {
  find: () => which('nats-server'),
  debianPackage: 'nats-server',
};
export const POSTGRES: RequiredProgram = { find: postgresBinDir, debianPackage: 'postgresql' };

/**
 * Installs the Debian packages of programs that are missing. Only root can; anyone else is told
 * exactly which packages to install, because a half-started platform is worse than a clear stop.
 */
export function ensurePrograms(programs: RequiredProgram[], log: (line: string) => void): void {
  const missing = programs.filter((p) => p.find() === null).map((p) => p.debianPackage);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages: ${missing.join(' ')} (install them: sudo apt-get install -y ${missing.join(' ')})`,
    );
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
  const still = programs.filter((p) => p.find() === null).map((p) => p.debianPackage);
  if (still.length > 0)
    throw new Error(`Debian packages installed but programs still missing: ${still.join(' ')}`);
}
