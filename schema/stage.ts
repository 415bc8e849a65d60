// A staging folder for an update: everything new is built in it, and only when
// every step has passed is it swapped into the tree, path by path, each by a
// rename. A failure during the swap moves back what was already swapped, so the
// tree ends up either all old or all new.
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface Swap {
  /** The new copy, inside the staging folder. */
  staged: string;
  /** Where it goes in the tree. */
  live: string;
}

/** Renames from to to; false when from does not exist. */
export async function renameIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** The swap failed and undoing it failed too: the tree may be half-updated; the old copies are kept. */
export class SwapFailed extends Error {}

export class Staging {
  /** Set when the staging folder holds the only copy of something (a failed undo): dispose keeps it. */
  private keep = false;

  private constructor(readonly dir: string) {}

  /** A fresh hidden folder inside `parent` (on the tree's file system, so renames stay renames). */
  static async create(parent: string): Promise<Staging> {
    await mkdir(parent, { recursive: true });
    const dir = await mkdtemp(join(parent, '.update-'));
    await chmod(dir, 0o755); // mkdtemp makes it private; what moves out of it should not be
    return new Staging(dir);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Puts every staged path in place of its live one, or none of them. */
  async install(swaps: Swap[]): Promise<void> {
    const done: { swap: Swap; previous: string; hadPrevious: boolean; installed: boolean }[] = [];
    try {
      for (const [index, swap] of swaps.entries()) {
        const previous = this.path(`previous-${index}`);
        const step = { swap, previous, hadPrevious: false, installed: false };
        done.push(step);
        step.hadPrevious = await renameIfPresent(swap.live, previous);
        await mkdir(dirname(swap.live), { recursive: true });
        await rename(swap.staged, swap.live);
        step.installed = true;
      }
    } catch (error) {
      try {
        for (const step of done.reverse()) {
          if (step.installed) await rename(step.swap.live, step.swap.staged);
          if (step.hadPrevious) await rename(step.previous, step.swap.live);
        }
      } catch (undoError) {
        this.keep = true;
        throw new SwapFailed(
          `swapping in failed (${(error as Error).message}) and so did undoing it (${(undoError as Error).message}): ` +
            `the tree may be half-updated; its previous copies are in ${this.dir} (previous-0: the schema, previous-1: the lock, previous-2: generated/)`,
        );
      }
      throw error;
    }
  }

  /** Deletes the staging folder, with the old copies the swap moved aside (unless they are needed to repair the tree). */
  async dispose(): Promise<void> {
    if (!this.keep) await rm(this.dir, { recursive: true, force: true });
  }
}
