// Java's String.matches(regex) → CEL's matches (RE2). Java matches the whole string, RE2 searches,
// so the pattern is anchored. The two dialects share a core; anything outside it (lookaround,
// backreferences, possessive quantifiers, nested classes, …) is refused rather than approximated.

export type RegexConversion =
  | { readonly ok: true; readonly re2: string; readonly notes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

// Escapes with the same meaning in both (\s: Java adds \x0B, which HTTP header values cannot carry).
const SHARED_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 't', 'n', 'r', 'f', 'A', 'z']);
const ANCHOR_ESCAPES = new Set(['b', 'B']);
const FLAGS = /^\(\?([ims]*)(?:-([ims]+))?(\)|:)/;

function refuse(reason: string): RegexConversion {
  return { ok: false, reason: `regular expression not converted: ${reason}` };
}

/** Length of the escape at `i` (a backslash) when both dialects read it the same, else a reason. */
function escapeAt(pattern: string, i: number, inClass: boolean): number | string {
  const next = pattern[i + 1];
  if (next === undefined) return 'it ends with a lone backslash';
  if (/[^A-Za-z0-9]/.test(next)) return 2; // an escaped punctuation character is that character in both
  if (SHARED_ESCAPES.has(next)) return 2;
  if (ANCHOR_ESCAPES.has(next) && !inClass) return 2;
  if (next === 'x') {
    const hex = /^\\x(?:[0-9a-fA-F]{2}|\{[0-9a-fA-F]{1,6}\})/.exec(pattern.slice(i));
    return hex === null ? 'malformed \\x escape' : hex[0].length;
  }
  if (/[0-9]/.test(next)) return `\\${next} (backreference or octal escape) is not supported by RE2`;
  return `\\${next} means something else in RE2 or is not supported there`;
}

/** Length of the character class starting at `i` ('['), or a reason. */
function classAt(pattern: string, i: number): number | string {
  let j = i + 1;
  if (pattern[j] === '^') j++;
  if (pattern[j] === ']') return "a ']' right after '[' is read differently by Java and RE2";
  for (; j < pattern.length; j++) {
    const c = pattern[j];
    if (c === ']') return j - i + 1;
    if (c === '\\') {
      const length = escapeAt(pattern, j, true);
      if (typeof length === 'string') return length;
      j += length - 1;
    } else if (c === '[') {
      return "'[' inside a character class (Java's union or POSIX class) is not supported";
    } else if (c === '&' && pattern[j + 1] === '&') {
      return "'&&' inside a character class (Java's intersection) is not supported";
    }
  }
  return 'unterminated character class';
}

/** Checks that `pattern` means the same in Java and RE2 and returns it anchored for a full match. */
export function javaRegexToRe2(pattern: string): RegexConversion {
  const notes = new Set<string>();
  let depth = 0;
  let quantifiable = false;
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const length = escapeAt(pattern, i, false);
      if (typeof length === 'string') return refuse(length);
      quantifiable = !ANCHOR_ESCAPES.has(pattern[i + 1] ?? '') && !'Az'.includes(pattern[i + 1] ?? '');
      i += length;
    } else if (c === '[') {
      const length = classAt(pattern, i);
      if (typeof length === 'string') return refuse(length);
      quantifiable = true;
      i += length;
    } else if (c === '(') {
      if (pattern[i + 1] === '?') {
        const flags = FLAGS.exec(pattern.slice(i));
        if (flags === null) return refuse('lookaround, atomic and named groups are not supported by RE2');
        if (`${flags[1]}${flags[2] ?? ''}`.includes('i')) {
          notes.add('(?i) also folds non-ASCII letters in RE2; Java folds ASCII letters only');
        }
        if (flags[3] === ')') {
          i += flags[0].length;
          quantifiable = false;
          continue;
        }
        i += flags[0].length;
      } else {
        i++;
      }
      depth++;
      quantifiable = false;
    } else if (c === ')') {
      if (depth === 0) return refuse("unbalanced ')'");
      depth--;
      quantifiable = true;
      i++;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      let length = 1;
      if (c === '{') {
        const repeat = /^\{\d+(?:,\d*)?\}/.exec(pattern.slice(i));
        if (repeat === null) return refuse("a '{' that is not a repetition {n}, {n,} or {n,m}");
        length = repeat[0].length;
      }
      if (!quantifiable) return refuse(`'${c}' has nothing to repeat`);
      const after = pattern[i + length];
      if (after === '+') return refuse('possessive quantifiers (*+, ++, ?+) are not supported by RE2');
      i += length + (after === '?' ? 1 : 0);
      quantifiable = false;
    } else {
      quantifiable = c !== '^' && c !== '$' && c !== '|';
      i++;
    }
  }
  if (depth !== 0) return refuse("unbalanced '('");
  return { ok: true, re2: `^(?:${pattern})$`, notes: [...notes] };
}
