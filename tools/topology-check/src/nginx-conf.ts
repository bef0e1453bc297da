/**
 * A small nginx configuration reader: enough of nginx's grammar (directives, blocks,
 * comments, quoted strings, `${var}`) to check routing, and a model of how nginx picks a
 * `location` for a request path.
 */
export interface Directive {
  name: string;
  args: string[];
  /** Present for block directives (`http { … }`, `location / { … }`). */
  block?: Directive[];
  line: number;
}

type Token = { kind: 'word'; value: string; line: number } | { kind: '{' | '}' | ';'; line: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '\n') line++;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text.charAt(i) !== '\n') i++;
    } else if (c === '{' || c === '}' || c === ';') {
      tokens.push({ kind: c, line });
      i++;
    } else if (c === '"' || c === "'") {
      let value = '';
      const start = line;
      i++;
      while (i < text.length && text.charAt(i) !== c) {
        let ch = text.charAt(i++);
        if (ch === '\n') line++;
        // nginx unescapes \" \' \\ and turns \n \r \t into control characters.
        if (ch === '\\' && i < text.length) {
          const next = text.charAt(i++);
          ch = ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[next] ?? next;
        }
        value += ch;
      }
      if (i >= text.length) throw new Error(`line ${start}: unterminated string`);
      i++;
      tokens.push({ kind: 'word', value, line: start });
    } else {
      let value = '';
      while (i < text.length && !/[\s;{}]/.test(text.charAt(i))) {
        // `${name}` is one word, braces included.
        if (text.startsWith('${', i)) {
          const end = text.indexOf('}', i);
          if (end < 0) throw new Error(`line ${line}: unterminated \${`);
          value += text.slice(i, end + 1);
          i = end + 1;
        } else {
          value += text.charAt(i++);
        }
      }
      tokens.push({ kind: 'word', value, line });
    }
  }
  return tokens;
}

/** Parses an nginx configuration into its directive tree; throws on unbalanced braces. */
export function parseNginxConf(text: string): Directive[] {
  const tokens = tokenize(text);
  let pos = 0;

  function list(nested: boolean): Directive[] {
    const out: Directive[] = [];
    for (;;) {
      const first = tokens[pos];
      if (!first) {
        if (nested) throw new Error('unexpected end of file: missing "}"');
        return out;
      }
      if (first.kind === '}') {
        if (!nested) throw new Error(`line ${first.line}: unexpected "}"`);
        pos++;
        return out;
      }
      if (first.kind !== 'word') throw new Error(`line ${first.line}: unexpected "${first.kind}"`);
      const words: string[] = [];
      let token: Token | undefined = first;
      while (token?.kind === 'word') {
        words.push(token.value);
        token = tokens[++pos];
      }
      if (!token) throw new Error(`line ${first.line}: directive "${first.value}" is not terminated`);
      pos++;
      const [name = '', ...args] = words;
      if (token.kind === ';') out.push({ name, args, line: first.line });
      else if (token.kind === '{') out.push({ name, args, block: list(true), line: first.line });
      else throw new Error(`line ${token.line}: unexpected "}" in directive "${name}"`);
    }
  }

  return list(false);
}

export function children(directives: readonly Directive[], name: string): Directive[] {
  return directives.filter((d) => d.name === name);
}

export interface Location {
  modifier: '=' | '^~' | '~' | '~*' | '';
  path: string;
  body: Directive[];
}

export function locationsOf(server: Directive): Location[] {
  return children(server.block ?? [], 'location').map((d) => {
    const [a = '', b] = d.args;
    const hasModifier = b !== undefined;
    return {
      modifier: (hasModifier ? a : '') as Location['modifier'],
      path: hasModifier ? b : a,
      body: d.block ?? [],
    };
  });
}

/** The location nginx uses for `path`, following nginx's documented order. */
export function selectLocation(locations: readonly Location[], path: string): Location | undefined {
  const exact = locations.find((l) => l.modifier === '=' && l.path === path);
  if (exact) return exact;
  const prefixes = locations
    .filter((l) => (l.modifier === '' || l.modifier === '^~') && path.startsWith(l.path))
    .sort((a, b) => b.path.length - a.path.length);
  const longest = prefixes[0];
  if (longest?.modifier === '^~') return longest;
  const regex = locations.find(
    (l) => (l.modifier === '~' || l.modifier === '~*') && new RegExp(l.path, l.modifier === '~*' ? 'i' : '').test(path),
  );
  return regex ?? longest;
}

/**
 * `proxy_set_header` is inherited from the enclosing level only when the current level
 * defines none, so the effective set is that of the innermost level that has any.
 */
export function effectiveProxyHeaders(levels: readonly (readonly Directive[])[]): Map<string, string> {
  for (const level of [...levels].reverse()) {
    const set = children(level, 'proxy_set_header');
    if (set.length > 0) return new Map(set.map((d) => [(d.args[0] ?? '').toLowerCase(), d.args[1] ?? '']));
  }
  return new Map();
}
