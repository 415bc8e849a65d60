// JSDoc blocks from schema descriptions.

/** A JSDoc block, or '' when there is nothing to say. Lines are kept; `*\/` is escaped. */
export function jsdoc(lines: (string | undefined)[]): string {
  const text = lines
    .filter((line): line is string => line !== undefined)
    .flatMap((line) => line.split('\n'))
    .map((line) => line.replace(/\*\//g, '*\\/').trimEnd());
  while (text.length > 0 && text[text.length - 1] === '') text.pop();
  if (text.length === 0) return '';
  if (text.length === 1) return `/** ${text[0]} */\n`;
  return `/**\n${text.map((line) => (line ? ` * ${line}` : ' *')).join('\n')}\n */\n`;
}
