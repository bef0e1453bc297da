import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CenterDocument,
  RegistrantDocument,
  RegistrantQuery,
  SearchEngine,
} from '../engines/engine.js';

/**
 * The behaviour every engine must show, with names in Latin with diacritics,
 * Cyrillic, Greek, Arabic, Devanagari and CJK. Cross-script expectations follow what
 * the romanization (`transliteration`) yields: kana romanize to Japanese readings
 * ("やまだ" → "yamada"), kanji to Chinese ones ("山田" → "shan tian"), so "Yamada"
 * finds the kana spelling and not the kanji one, which is found in its own script.
 */
export interface EngineUnderTest {
  engine: SearchEngine;
  cleanup(): Promise<void>;
}

const at = '2025-01-01T00:00:00.000Z';
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
/** A registrant document with a fresh id (unique within the test process). */
export const person = (
  fullName: string,
  region: string,
  birthYear: number,
  phoneSuffix?: string,
): RegistrantDocument => ({
  id: uuid(),
  fullName,
  region,
  birthYear,
  ...(phoneSuffix ? { phoneSuffix } : {}),
  version: 1,
  sourceEventAt: at,
});

export const people = {
  zoe: person('Zoë Ångström', 'SE-AB', 1990),
  zoeLarsen: person('Zoe Angstrom-Larsen', 'SE-AB', 1985),
  jose: person('José Martínez', 'ES-MD', 1978, '1234'),
  francois: person('François Lefèvre', 'FR-IDF', 1965),
  nguyen: person('Nguyễn Văn An', 'VN-HN', 1999),
  ivan: person('Иван Петров', 'RU-MOW', 1980),
  giorgos: person('Γιώργος Παπαδόπουλος', 'GR-I', 1972),
  mohammed: person('محمد علي', 'EG-C', 1991),
  priya: person('प्रिया शर्मा', 'IN-MH', 1995, '5678'),
  priyaPatel: person('Priya Patel', 'IN-GJ', 1993),
  yamadaKana: person('やまだ たろう', 'JP-13', 1988),
  yamadaKanji: person('山田 太郎', 'JP-13', 1960),
  grace: person('Grace Okafor', 'NG-LA', 1970),
};

const VACCINES = {
  comirnaty: { id: '10000000-0000-4000-8000-000000000001', name: 'Comirnaty' },
  covishield: {
    id: '10000000-0000-4000-8000-000000000002',
    name: 'Covishield',
  },
};
const center = (
  doc: Omit<CenterDocument, 'id' | 'version'>,
): CenterDocument => ({ id: uuid(), version: 1, ...doc });
export const centers = {
  paris: center({
    names: {
      en: 'City Vaccination Centre',
      fr: 'Centre de vaccination de la Ville',
    },
    locality: 'Paris 11e',
    region: 'FR-IDF',
    languages: ['fr', 'en'],
    vaccines: [VACCINES.comirnaty],
  }),
  mumbai: center({
    names: { en: 'Lilavati Hospital', hi: 'लीलावती अस्पताल' },
    locality: 'Mumbai',
    region: 'IN-MH',
    languages: ['hi', 'en'],
    vaccines: [VACCINES.covishield],
  }),
  cairo: center({
    names: { en: 'Cairo Health Unit', ar: 'وحدة صحة القاهرة' },
    locality: 'القاهرة',
    region: 'EG-C',
    languages: ['ar', 'en'],
    vaccines: [VACCINES.comirnaty, VACCINES.covishield],
  }),
  madrid: center({
    names: { en: 'Central Hospital', es: 'Hospital Central Peñalver' },
    locality: 'Móstoles',
    region: 'ES-MD',
    languages: ['es'],
    vaccines: [VACCINES.comirnaty],
  }),
};

export function engineConformance(
  makeEngine: () => Promise<EngineUnderTest>,
  label = 'engine',
): void {
  describe(`${label}: search engine conformance`, () => {
    let under: EngineUnderTest;
    let engine: SearchEngine;
    const search = (
      text: string | undefined,
      extra: Partial<RegistrantQuery> = {},
    ) =>
      engine.searchRegistrants({
        text,
        sort: 'relevance',
        limit: 20,
        ...extra,
      });
    const names = async (text: string, extra: Partial<RegistrantQuery> = {}) =>
      (await search(text, extra)).items.map((i) => i.fullName);
    const centerNames = async (text: string | undefined, extra: object = {}) =>
      (await engine.searchCenters({ text, limit: 20, ...extra })).items.map(
        (c) => c.names.en,
      );

    beforeAll(async () => {
      under = await makeEngine();
      engine = under.engine;
      await engine.init();
      await engine.bulkIndexRegistrants(Object.values(people));
      for (const c of Object.values(centers)) await engine.indexCenter(c);
      await engine.refresh();
    });
    afterAll(async () => {
      await under?.cleanup();
    });

    describe('registrants', () => {
      it('finds a name typed without accents: the exact match first, then the prefix match', async () => {
        expect(await names('zoe angstrom')).toEqual([
          'Zoë Ångström',
          'Zoe Angstrom-Larsen',
        ]);
      });
      it('folds accents of French and Vietnamese names', async () => {
        expect((await names('francois lefevre'))[0]).toBe('François Lefèvre');
        expect((await names('Nguyen Van An'))[0]).toBe('Nguyễn Văn An');
      });
      it('tolerates a typo', async () => {
        expect((await names('Jose Martinex'))[0]).toBe('José Martínez');
        expect((await names('Grace Okafr'))[0]).toBe('Grace Okafor');
      });
      it('does not return unrelated people', async () => {
        expect(await names('Grace Okafor')).toEqual(['Grace Okafor']);
      });
      it('finds a Cyrillic name in its own script, in Latin letters, and with a typo', async () => {
        expect(await names('Петров')).toContain('Иван Петров');
        expect((await names('Ivan Petrov'))[0]).toBe('Иван Петров');
        expect((await names('Ivan Petrof'))[0]).toBe('Иван Петров');
      });
      it('finds a Greek name typed in Latin letters', async () => {
        expect((await names('Giorgos Papadopoulos'))[0]).toBe(
          'Γιώργος Παπαδόπουλος',
        );
      });
      it('finds an Arabic name from its usual Latin spelling', async () => {
        expect((await names('Mohammed Ali'))[0]).toBe('محمد علي');
      });
      it('finds a Devanagari name typed in Latin letters, and a Latin name typed in Devanagari', async () => {
        expect(await names('Priya Sharma')).toEqual(['प्रिया शर्मा']);
        expect(await names('प्रिया')).toEqual(
          expect.arrayContaining(['प्रिया शर्मा', 'Priya Patel']),
        );
      });
      it('finds a kana name from its romanization and a kanji name in its own script', async () => {
        expect(await names('Yamada Taro')).toContain('やまだ たろう');
        expect(await names('山田')).toContain('山田 太郎');
      });
      it('filters by region, birth year and phone suffix', async () => {
        expect(await names('zoe', { region: 'SE-AB' })).toEqual([
          'Zoë Ångström',
          'Zoe Angstrom-Larsen',
        ]);
        expect(await names('zoe', { region: 'NG-LA' })).toEqual([]);
        expect(await names('zoe', { birthYear: 1985 })).toEqual([
          'Zoe Angstrom-Larsen',
        ]);
        expect(
          (await search(undefined, { phoneSuffix: '5678' })).items.map(
            (i) => i.id,
          ),
        ).toEqual([people.priya.id]);
        expect((await search('Jose', { phoneSuffix: '0000' })).items).toEqual(
          [],
        );
      });
      it('returns the whole document, phone suffix included', async () => {
        const [hit] = (await search('Jose Martinez')).items;
        expect(hit).toMatchObject({
          id: people.jose.id,
          birthYear: 1978,
          region: 'ES-MD',
          phoneSuffix: '1234',
          version: 1,
        });
      });
      it('pages with a cursor through every hit exactly once, in name order and by relevance', async () => {
        for (const sort of ['name', 'relevance'] as const) {
          const seen: string[] = [];
          let cursor: string | undefined;
          for (let i = 0; i < 20; i++) {
            const page = await engine.searchRegistrants({
              text: sort === 'name' ? undefined : 'priya',
              sort,
              limit: 2,
              cursor,
            });
            seen.push(...page.items.map((d) => d.id));
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          const expected = sort === 'name' ? Object.values(people).length : 2;
          expect(seen).toHaveLength(expected);
          expect(new Set(seen).size).toBe(expected);
        }
      });
      it('refuses a cursor issued for another search', async () => {
        const first = await engine.searchRegistrants({
          sort: 'name',
          limit: 1,
        });
        await expect(
          engine.searchRegistrants({
            text: 'zoe',
            sort: 'name',
            limit: 1,
            cursor: first.nextCursor ?? '',
          }),
        ).rejects.toThrow(/cursor/);
      });
      it('never lets an older version overwrite a newer one, and honours deletions', async () => {
        const id = uuid();
        expect(
          await engine.indexRegistrant({
            ...people.grace,
            id,
            fullName: 'Adaeze Nwosu',
            version: 3,
          }),
        ).toBe(true);
        expect(
          await engine.indexRegistrant({
            ...people.grace,
            id,
            fullName: 'Adaeze Stale',
            version: 2,
          }),
        ).toBe(false);
        await engine.refresh();
        expect(await names('Adaeze')).toEqual(['Adaeze Nwosu']);
        await engine.deleteRegistrant(id, 4);
        await engine.refresh();
        expect(await names('Adaeze')).toEqual([]);
      });
      it('ranks every prefix match before fuzzy ones, across pages, each hit once', async () => {
        // Their own region keeps these out of the other tests' results.
        const region = 'PT-11';
        const prefixed = ['Mariana Silva', 'Mariana Costa', 'Maria Santos', 'Marianela Duarte'].map((name) => person(name, region, 1980));
        const fuzzy = [person('Mario Rossi', region, 1980), person('Marta Reis', region, 1980)];
        await engine.bulkIndexRegistrants([...prefixed, ...fuzzy]);
        await engine.refresh();
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 10; i++) {
          const page = await engine.searchRegistrants({ text: 'Maria', region, sort: 'relevance', limit: 2, cursor });
          seen.push(...page.items.map((d) => d.fullName));
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen[0]).toBe('Maria Santos');
        expect(seen.slice(0, prefixed.length).sort()).toEqual(prefixed.map((d) => d.fullName).sort());
        expect(seen.slice(prefixed.length).every((name) => fuzzy.some((d) => d.fullName === name))).toBe(true);
      });
    });

    describe('centers', () => {
      it('finds a center by a word of its name in any of its languages, stemmed', async () => {
        expect(await centerNames('vaccinations')).toEqual([
          'City Vaccination Centre',
        ]);
        expect(await centerNames('लीलावती')).toEqual(['Lilavati Hospital']);
        expect(await centerNames('Penalver')).toEqual(['Central Hospital']);
      });
      it('finds a center by its locality, with accents or a typo', async () => {
        expect(await centerNames('Mostoles')).toEqual(['Central Hospital']);
        expect(await centerNames('Mumbay')).toEqual(['Lilavati Hospital']);
        expect(await centerNames('القاهرة')).toEqual(['Cairo Health Unit']);
      });
      it('filters by language spoken, vaccine and region', async () => {
        expect(await centerNames(undefined, { language: 'ar' })).toEqual([
          'Cairo Health Unit',
        ]);
        expect(
          (
            await centerNames(undefined, { vaccine: VACCINES.covishield.id })
          ).sort(),
        ).toEqual(['Cairo Health Unit', 'Lilavati Hospital']);
        expect(await centerNames('hospital', { region: 'ES-MD' })).toEqual([
          'Central Hospital',
        ]);
      });
      it('finds a center by the vaccine it gives', async () => {
        expect((await centerNames('covishield')).sort()).toEqual([
          'Cairo Health Unit',
          'Lilavati Hospital',
        ]);
      });
    });
  });
}
