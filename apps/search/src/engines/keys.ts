import { transliterate } from 'transliteration';

/**
 * Search keys derived from a name, shared by every engine so that both rank the same
 * way. `latin` is the name in Latin letters (the `transliteration` library's
 * romanization), lower-cased, punctuation removed and letter runs collapsed: the
 * library writes long vowels doubled ("प्रिया" → "priyaa"), people type them single.
 * `skeleton` drops the vowels as well: scripts such as Arabic and Devanagari do not
 * write (all) short vowels, so "محمد" romanizes to "mhmd" while people type
 * "Mohammed". Engines compare skeletons only across scripts (`latinScript` false on
 * either side): between two Latin spellings it would match far too much. Only names in
 * Latin letters or in a script that leaves vowels out get one: Cyrillic, Greek, kana,
 * kanji or Hangul romanize with their vowels, so the Latin key already meets them, and
 * the skeleton of a syllabic romanization ("tong nei teng" → "tng n tng") is shared by
 * tens of thousands of names: comparing it only made every such search rank them all.
 */
export interface NameKeys {
  latin: string;
  skeleton: string;
  latinScript: boolean;
}

const LATIN_ONLY = /^[\p{Script=Latin}\p{N}\p{P}\p{Zs}\p{M}'-]*$/u;
/** Abjads and Brahmic scripts: their romanization lacks (short) vowels. */
const VOWELS_LEFT_OUT =
  /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}]/u;

export function latinKey(text: string): string {
  return transliterate(text.normalize('NFC'))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/([a-z])\1+/g, '$1')
    .trim();
}

export function skeletonOf(latin: string): string {
  return latin
    .split(' ')
    .map((word) => word.replace(/[aeiouy]/g, '').replace(/([a-z])\1+/g, '$1'))
    .filter((word) => word.length > 0)
    .join(' ');
}

export function isLatinScript(text: string): boolean {
  return LATIN_ONLY.test(text);
}

/** Keys of a name, for a document or a query alike. */
export function nameKeys(text: string): NameKeys {
  const latin = latinKey(text);
  const latinScript = isLatinScript(text);
  return {
    latin,
    skeleton: latinScript || VOWELS_LEFT_OUT.test(text) ? skeletonOf(latin) : '',
    latinScript,
  };
}
