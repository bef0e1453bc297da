/**
 * Index templates of the OpenSearch engine. Requires the `analysis-icu` plugin
 * (bundled with Amazon OpenSearch Service; `opensearch-plugin install analysis-icu`
 * on a self-managed cluster): `icu_tokenizer` splits every script (CJK included) and
 * `icu_folding` folds case, accents and compatibility forms.
 */
const analysis = {
  filter: {
    // Prefixes of 1 to 20 characters: "zo" finds "Zoë" without a wildcard query.
    name_edge_ngram: { type: 'edge_ngram', min_gram: 1, max_gram: 20 },
  },
  analyzer: {
    name_folded: {
      type: 'custom',
      tokenizer: 'icu_tokenizer',
      filter: ['icu_folding'],
    },
    name_prefix: {
      type: 'custom',
      tokenizer: 'icu_tokenizer',
      filter: ['icu_folding', 'name_edge_ngram'],
    },
    // Keys computed by the application (keys.ts) are already lower-case ASCII words.
    key_words: { type: 'custom', tokenizer: 'whitespace', filter: [] },
    key_prefix: {
      type: 'custom',
      tokenizer: 'whitespace',
      filter: ['name_edge_ngram'],
    },
  },
  normalizer: {
    folded: { type: 'custom', filter: ['icu_folding'] },
  },
};

const nameField = {
  type: 'text',
  analyzer: 'name_folded',
  fields: {
    prefix: {
      type: 'text',
      analyzer: 'name_prefix',
      search_analyzer: 'name_folded',
    },
    // The whole name folded: an exact match of the whole query ranks first.
    exact: { type: 'keyword', normalizer: 'folded' },
  },
};
const keyField = {
  type: 'text',
  analyzer: 'key_words',
  fields: {
    prefix: {
      type: 'text',
      analyzer: 'key_prefix',
      search_analyzer: 'key_words',
    },
    exact: { type: 'keyword' },
  },
};

export interface RegistrantsTemplateOptions {
  /**
   * Primary shards of each registrant index version: 1 by default (small environments),
   * 12 in production (docs/search.md, "Sizing OpenSearch for 100 million registrants").
   */
  shards?: number;
}

export function registrantsTemplate(
  alias: string,
  { shards = 1 }: RegistrantsTemplateOptions = {},
) {
  return {
    index_patterns: [`${alias}-v*`],
    template: {
      settings: {
        number_of_shards: shards,
        number_of_replicas: 1,
        refresh_interval: '1s',
        analysis,
      },
      mappings: {
        dynamic: 'strict',
        properties: {
          id: { type: 'keyword' },
          fullName: nameField,
          latinKey: keyField,
          skeletonKey: { type: 'text', analyzer: 'key_words' },
          latinScript: { type: 'boolean' },
          sortName: { type: 'keyword', normalizer: 'folded' },
          birthYear: { type: 'integer' },
          region: { type: 'keyword' },
          phoneSuffix: { type: 'keyword' },
          version: { type: 'integer' },
          sourceEventAt: { type: 'date' },
        },
      },
    },
  };
}

const centerName = (analyzer: string) => ({
  type: 'text',
  analyzer,
  fields: {
    folded: { type: 'text', analyzer: 'name_folded' },
    prefix: {
      type: 'text',
      analyzer: 'name_prefix',
      search_analyzer: 'name_folded',
    },
  },
});

export function centersTemplate(alias: string) {
  return {
    index_patterns: [`${alias}-v*`],
    template: {
      settings: { number_of_shards: 1, number_of_replicas: 1, analysis },
      mappings: {
        dynamic: 'strict',
        properties: {
          id: { type: 'keyword' },
          // Each name with its language's stemmer, and folded for the other languages' users.
          names: {
            properties: {
              en: centerName('english'),
              es: centerName('spanish'),
              fr: centerName('french'),
              hi: centerName('hindi'),
              ar: centerName('arabic'),
            },
          },
          latinKey: keyField,
          locality: {
            type: 'text',
            analyzer: 'name_folded',
            fields: {
              prefix: {
                type: 'text',
                analyzer: 'name_prefix',
                search_analyzer: 'name_folded',
              },
            },
          },
          region: { type: 'keyword' },
          languages: { type: 'keyword' },
          vaccines: {
            properties: {
              id: { type: 'keyword' },
              name: { type: 'text', analyzer: 'name_folded' },
            },
          },
          sortName: { type: 'keyword', normalizer: 'folded' },
          version: { type: 'integer' },
        },
      },
    },
  };
}
