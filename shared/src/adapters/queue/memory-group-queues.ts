// The waiting lines of the in-process QueueStore: per group, per priority class, a rotation of share
// keys (whose turn is next) and a FIFO list of entry ids per key. Only entries in state 'queued' are here.

/** One priority class of one group. Invariant: a share key is in `rotation` iff its list is non-empty. */
interface ClassLine {
  readonly rotation: string[];
  readonly lists: Map<string, string[]>;
}

export interface Placed {
  readonly id: string;
  readonly group: string;
  readonly priority: number;
  readonly shareKey: string;
}

export class GroupQueues {
  /** group → class index → line. Empty lines, and groups without lines, are removed at once. */
  readonly #groups = new Map<string, Map<number, ClassLine>>();

  /** Appends to its key's list; a key that had nothing queued joins the rotation at the back. */
  push(entry: Placed): void {
    let classes = this.#groups.get(entry.group);
    if (classes === undefined) {
      classes = new Map();
      this.#groups.set(entry.group, classes);
    }
    let line = classes.get(entry.priority);
    if (line === undefined) {
      line = { rotation: [], lists: new Map() };
      classes.set(entry.priority, line);
    }
    const list = line.lists.get(entry.shareKey);
    if (list === undefined) {
      line.lists.set(entry.shareKey, [entry.id]);
      line.rotation.push(entry.shareKey);
    } else {
      list.push(entry.id);
    }
  }

  /** Takes the entry out wherever it stands; its key leaves the rotation when its list empties. */
  remove(entry: Placed): void {
    const classes = this.#groups.get(entry.group);
    const line = classes?.get(entry.priority);
    const list = line?.lists.get(entry.shareKey);
    if (classes === undefined || line === undefined || list === undefined) return;
    const at = list.indexOf(entry.id);
    if (at === -1) return;
    list.splice(at, 1);
    if (list.length > 0) return;
    line.lists.delete(entry.shareKey);
    line.rotation.splice(line.rotation.indexOf(entry.shareKey), 1);
    if (line.rotation.length > 0) return;
    classes.delete(entry.priority);
    if (classes.size === 0) this.#groups.delete(entry.group);
  }

  /** Takes the head entry of `shareKey` and sends the key to the back of the rotation (its turn is used). */
  shiftTurn(group: string, priority: number, shareKey: string): string | undefined {
    const line = this.#groups.get(group)?.get(priority);
    const list = line?.lists.get(shareKey);
    const id = list?.[0];
    if (line === undefined || list === undefined || id === undefined) return undefined;
    if (list.length > 1) {
      list.shift();
      line.rotation.splice(line.rotation.indexOf(shareKey), 1);
      line.rotation.push(shareKey);
    } else {
      this.remove({ id, group, priority, shareKey });
    }
    return id;
  }

  /** Class indexes of the group that have queued entries, highest priority (0) first. */
  classes(group: string): number[] {
    return [...(this.#groups.get(group)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** The share keys of a class in turn order, each with its head entry id. */
  heads(group: string, priority: number): Array<{ shareKey: string; id: string }> {
    const line = this.#groups.get(group)?.get(priority);
    if (line === undefined) return [];
    return line.rotation.map((shareKey) => ({ shareKey, id: line.lists.get(shareKey)?.[0] ?? '' }));
  }

  /** Whether the group has a queued entry in class `priority` or a higher one (a lower index). */
  waitingAtOrAbove(group: string, priority: number): boolean {
    for (const index of this.#groups.get(group)?.keys() ?? []) if (index <= priority) return true;
    return false;
  }

  groups(): string[] {
    return [...this.#groups.keys()].sort();
  }

  /** Queued entries per class index (0 for classes with none below the highest index used). */
  counts(group: string): number[] {
    const classes = this.#groups.get(group);
    if (classes === undefined) return [];
    const counts = new Array<number>(Math.max(...classes.keys()) + 1).fill(0);
    for (const [index, line] of classes) {
      for (const list of line.lists.values()) counts[index] = (counts[index] ?? 0) + list.length;
    }
    return counts;
  }
}
