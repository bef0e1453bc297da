import type { SessionTokens, StaffSessionResponse } from '@jab/contracts';
import { render, type RenderResult } from '@testing-library/react';
import i18next, { type i18n as I18n } from 'i18next';
import { Suspense, type ReactElement } from 'react';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { LANGUAGES, NAMESPACES, type Language } from '../shared/i18n';
import { SessionProvider } from '../shared/session';

const files = import.meta.glob<{ default: Record<string, unknown> }>('../locales/*/*.json', { eager: true });

/** Every locale file, as i18next resources: tests render synchronously in any language. */
export function allResources(): Record<string, Record<string, Record<string, unknown>>> {
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [path, module] of Object.entries(files)) {
    const [, language, namespace] = /locales\/(\w+)\/(\w+)\.json$/.exec(path) ?? [];
    if (language && namespace) (resources[language] ??= {})[namespace] = module.default;
  }
  return resources;
}

export async function testI18n(language: Language = 'en'): Promise<I18n> {
  const i18n = i18next.createInstance();
  await i18n.use(initReactI18next).init({
    lng: language,
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    ns: [...NAMESPACES],
    defaultNS: 'common',
    resources: allResources(),
    interpolation: { escapeValue: false },
  });
  return i18n;
}

export interface RenderOptions {
  language?: Language;
  /** Hash-router path the screen starts at, e.g. `/book/centers`. */
  path?: string;
  citizen?: SessionTokens;
  staff?: StaffSessionResponse;
}

/** Renders a screen as the app does: translations, a router (in memory) and sessions. */
export async function renderWithApp(ui: ReactElement, options: RenderOptions = {}): Promise<RenderResult & { history: string[] }> {
  const i18n = await testI18n(options.language);
  const location = memoryLocation({ path: options.path ?? '/', record: true });
  const result = render(
    <I18nextProvider i18n={i18n}>
      <Router hook={location.hook}>
        <SessionProvider initial={{ citizen: options.citizen, staff: options.staff }}>
          <Suspense fallback={null}>{ui}</Suspense>
        </SessionProvider>
      </Router>
    </I18nextProvider>,
  );
  return Object.assign(result, { history: location.history ?? [] });
}

export function json(status: number, body: unknown, contentType = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType } });
}

export type FetchRoute = (url: string, init: RequestInit | undefined) => Response | Promise<Response>;

/** Stubs fetch (the network edge, nothing else) and records every call. */
export function stubFetch(route: FetchRoute): { url: string; init: RequestInit | undefined }[] {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      calls.push({ url, init });
      return route(url, init);
    }),
  );
  return calls;
}
