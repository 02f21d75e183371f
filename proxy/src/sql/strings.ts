// Decodes a Trino string literal ('it''s', U&'caf\00E9' UESCAPE '\') to its value, for EXECUTE IMMEDIATE.

/** The value of a `string` rule's literal from its tokens' text, or undefined if it is malformed. */
export function stringLiteralValue(tokens: readonly string[]): string | undefined {
  const [first, ...rest] = tokens;
  if (first === undefined) return undefined;
  if (first.startsWith("'")) return quoted(first);
  if (!/^u&'/i.test(first)) return undefined;
  const body = quoted(first.slice(2));
  // rest is [] or ['UESCAPE', "'c'"]
  const escapeChar = rest.length === 2 ? quoted(rest[1]!) : '\\';
  if (body === undefined || escapeChar === undefined || escapeChar.length !== 1) return undefined;
  return unicodeEscapes(body, escapeChar);
}

function quoted(text: string): string | undefined {
  if (text.length < 2 || !text.startsWith("'") || !text.endsWith("'")) return undefined;
  return text.slice(1, -1).replaceAll("''", "'");
}

/** `\\` is the escapeChar character itself, `\XXXX` four hex digits, `\+XXXXXX` six. */
function unicodeEscapes(body: string, escapeChar: string): string | undefined {
  let out = '';
  for (let i = 0; i < body.length; ) {
    const char = body[i]!;
    if (char !== escapeChar) {
      out += char;
      i++;
    } else if (body[i + 1] === escapeChar) {
      out += escapeChar;
      i += 2;
    } else {
      const six = body[i + 1] === '+';
      const digits = body.slice(six ? i + 2 : i + 1, (six ? i + 2 : i + 1) + (six ? 6 : 4));
      if (!/^[0-9a-f]+$/i.test(digits) || digits.length !== (six ? 6 : 4)) return undefined;
      const codePoint = Number.parseInt(digits, 16);
      if (codePoint > 0x10ffff) return undefined;
      out += String.fromCodePoint(codePoint);
      i += (six ? 2 : 1) + digits.length;
    }
  }
  return out;
}
