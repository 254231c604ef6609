import { createHash, randomUUID } from 'node:crypto';
import { type BigIntStats } from 'node:fs';
import { mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { type BlobDigest, type BlobPart } from '@strata/contracts';

/**
 * Where the digests of a model directory's files are kept: in the user's cache
 * (`$XDG_CACHE_HOME/strata/model-digests/`, else `~/.cache/…`), named by the directory's real
 * path, so the model directory itself holds only the model.
 */
export async function digestIndexPath(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  const real = await realpath(dir);
  return join(
    base,
    'strata',
    'model-digests',
    `${createHash('sha256').update(real).digest('hex').slice(0, 32)}.json`,
  );
}

/**
 * A file changed this soon before it was hashed could change again within the same timestamp
 * tick, unseen by its stat (git's "racy clean" entries): such a file is not remembered.
 */
const RACY_MS = 1000n;

/** A file's digests as hashing gave them. */
export interface FileDigests {
  digest: BlobDigest;
  size: number;
  parts?: Array<BlobPart & { offset: number }>;
}

interface Entry {
  /** The stat that identifies the bytes: any write changes ctime, a new file changes ino. */
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
  partSize: number;
  digest: BlobDigest;
  parts?: Array<BlobPart & { offset: number }>;
}

function identity(info: BigIntStats): Omit<Entry, 'partSize' | 'digest' | 'parts'> {
  return {
    dev: String(info.dev),
    ino: String(info.ino),
    size: String(info.size),
    mtimeNs: String(info.mtimeNs),
    ctimeNs: String(info.ctimeNs),
  };
}

function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return JSON.stringify(identity(a)) === JSON.stringify(identity(b));
}

/**
 * The digests of a model directory's files, keyed by path, device, inode, size, mtime and ctime
 * as git's index keys its entries, so a push of an unchanged file does not read it again. Any
 * write to a file changes its ctime (which no tool can set back), replacing it changes its inode:
 * either makes the entry miss, and the file is hashed again.
 */
export class DigestIndex {
  private dirty = false;

  private constructor(
    private readonly path: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** The directory's index; empty when it has none or it cannot be read. */
  static async load(dir: string): Promise<DigestIndex> {
    const path = await digestIndexPath(dir);
    const entries = new Map<string, Entry>();
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as {
        version?: number;
        files?: Record<string, Entry>;
      };
      if (parsed.version === 1 && parsed.files)
        for (const [name, entry] of Object.entries(parsed.files)) entries.set(name, entry);
    } catch {
      // No index yet, or one this build cannot read: every file is hashed.
    }
    return new DigestIndex(path, entries);
  }

  /** The digests remembered for `name` when the file is the one that was hashed, else null. */
  lookup(name: string, info: BigIntStats, partSize: number): FileDigests | null {
    const entry = this.entries.get(name);
    if (!entry || entry.partSize !== partSize) return null;
    const now = identity(info);
    if (
      entry.dev !== now.dev ||
      entry.ino !== now.ino ||
      entry.size !== now.size ||
      entry.mtimeNs !== now.mtimeNs ||
      entry.ctimeNs !== now.ctimeNs
    )
      return null;
    return {
      digest: entry.digest,
      size: Number(info.size),
      ...(entry.parts ? { parts: entry.parts } : {}),
    };
  }

  /**
   * Remembers what hashing `name` gave, when the file's stat was the same before (`before`) and
   * after (`after`) the hash and it had not changed within a second before the hash began.
   */
  record(
    name: string,
    before: BigIntStats,
    after: BigIntStats,
    hashStartedNs: bigint,
    partSize: number,
    digests: FileDigests,
  ): void {
    const settled = hashStartedNs - RACY_MS * 1_000_000n;
    if (!sameFile(before, after) || before.ctimeNs >= settled || before.mtimeNs >= settled) {
      if (this.entries.delete(name)) this.dirty = true;
      return;
    }
    this.entries.set(name, {
      ...identity(after),
      partSize,
      digest: digests.digest,
      ...(digests.parts ? { parts: digests.parts } : {}),
    });
    this.dirty = true;
  }

  /** Forgets entries of files the directory no longer has. */
  keepOnly(names: Set<string>): void {
    for (const name of [...this.entries.keys()])
      if (!names.has(name)) {
        this.entries.delete(name);
        this.dirty = true;
      }
  }

  /** Writes the index when it changed (whole, through a rename); without a writable cache, none is kept. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    const staged = `${this.path}.${randomUUID()}`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(
        staged,
        JSON.stringify({ version: 1, files: Object.fromEntries(this.entries) }),
      );
      await rename(staged, this.path);
      this.dirty = false;
    } catch {
      // No writable cache: the next push hashes again.
      await rm(staged, { force: true });
    }
  }
}
