import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Replaces (or appends) the `<!-- name:begin -->`…`<!-- name:end -->` section of a
 * shared markdown file, re-reading it right before the write so other sections'
 * concurrent edits are kept.
 */
export function writeSection(path: string, name: string, body: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  const text = readFileSync(path, 'utf8');
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? `${text.slice(0, i)}${block}${text.slice(j + end.length)}` : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
