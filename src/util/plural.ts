/** Counted nouns in messages: `1 digest`, `2 digests`, never `1 digests`. */

/** `count` and `noun`, the noun in the plural unless `count` is 1: `plural(3, "sector")` → `3 sectors`. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}
