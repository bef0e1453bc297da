import { describe, expect, it } from 'vitest';
import { nameKeys } from './keys.js';

describe('name keys', () => {
  it('gives a consonant skeleton to names in Latin letters and in scripts that leave vowels out', () => {
    expect(nameKeys('Mohammed Ali').skeleton).toBe('mhmd l');
    expect(nameKeys('محمد علي').skeleton).toBe('mhmd l');
    expect(nameKeys('प्रिया शर्मा').skeleton).toBe('pr shrm');
  });

  it('gives none to names whose romanization keeps its vowels: Cyrillic, Greek, kana, kanji', () => {
    for (const name of ['Иван Петров', 'Γιώργος Παπαδόπουλος', 'やまだ たろう', '瞳 内藤'])
      expect(nameKeys(name), name).toMatchObject({ skeleton: '', latinScript: false });
    expect(nameKeys('瞳 内藤').latin).toBe('tong nei teng');
  });
});
