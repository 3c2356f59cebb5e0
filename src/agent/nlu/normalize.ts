// Text normalization shared by the extractors: lower case, no accents, plain apostrophes, single spaces.

export function normalize(text: string): string {
  return ` ${text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’`´]/g, "'")
    .replace(/[^a-z0-9'@+:.,?\- ]+/g, ' ')
    .replace(/\bpus\b/g, 'plus') // Québec French: "ça marche pus"
    .replace(/\s+/g, ' ')
    .trim()} `;
}

/** True when any of the patterns matches the normalized text. */
export function matchesAny(norm: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((p) => p.test(norm));
}
