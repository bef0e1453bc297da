import { render, screen, within } from '@testing-library/react';
import { fireEvent } from '@testing-library/react';
import { CitizenArea } from './citizen-area';

type Route = (url: string, init: RequestInit | undefined) => Response;

function json(status: number, body: unknown, contentType = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType } });
}

/** Stubs fetch (the network edge, nothing else) and records what the form sent. */
function stubFetch(route: Route) {
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

function fillIn() {
  fireEvent.change(screen.getByLabelText('Full name'), { target: { value: 'Zoë Ångström' } });
  fireEvent.change(screen.getByLabelText('Date of birth'), { target: { value: '1990-04-12' } });
  fireEvent.change(screen.getByLabelText('Region'), { target: { value: 'in-mh' } });
  fireEvent.change(screen.getByLabelText('Preferred language'), { target: { value: 'fr' } });
  fireEvent.change(screen.getByLabelText('Email address'), { target: { value: 'zoe@example.org' } });
  fireEvent.click(screen.getByRole('button', { name: 'Register' }));
}

describe('citizen registration', () => {
  it('shows each problem+json field error next to its field', async () => {
    stubFetch(() =>
      json(
        400,
        {
          type: 'https://jab.example/problems/validation',
          title: 'Bad Request',
          status: 400,
          detail: 'The request body is invalid.',
          errors: [
            { path: ['region'], message: 'Use an ISO 3166-2 region code, like IN-MH.' },
            { path: 'contact.address', message: 'Enter a valid email address.' },
            { path: ['body', 'birthDate'], message: 'Birth date cannot be in the future.' },
          ],
        },
        'application/problem+json',
      ),
    );
    render(<CitizenArea />);
    fillIn();

    const region = screen.getByLabelText('Region');
    expect(await screen.findByText('Use an ISO 3166-2 region code, like IN-MH.')).toBeTruthy();
    expect(region.getAttribute('aria-invalid')).toBe('true');
    expect(region.getAttribute('aria-describedby')).toContain('region-error');
    expect(document.getElementById('region-error')?.textContent).toBe('Use an ISO 3166-2 region code, like IN-MH.');
    expect(document.getElementById('contactAddress-error')?.textContent).toBe('Enter a valid email address.');
    expect(document.getElementById('birthDate-error')?.textContent).toBe('Birth date cannot be in the future.');
    expect(screen.getByLabelText('Full name').getAttribute('aria-invalid')).toBe('false');
    expect(within(screen.getByRole('alert')).getByText('The request body is invalid.')).toBeTruthy();
    // Still on the form, ready for a correction.
    expect(screen.getByRole('button', { name: 'Register' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'You are registered' })).toBeNull();
  });

  it('confirms the registration with its id and lists the welcome message', async () => {
    const calls = stubFetch((url, init) => {
      if (url === '/api/registration/v1/registrants' && init?.method === 'POST') {
        return json(201, {
          registrant: {
            id: '0193b6c2-7d1e-7c4a-9a55-1e2f3a4b5c6d',
            fullName: 'Zoë Ångström',
            birthDate: '1990-04-12',
            region: 'IN-MH',
            preferredLanguage: 'fr',
            createdAt: '2025-01-01T10:00:00.000Z',
          },
          accessToken: 'citizen-token',
        });
      }
      if (url === '/api/notifications/v1/messages') {
        return json(200, {
          items: [
            {
              id: 'm1',
              template: 'welcome',
              channel: 'email',
              status: 'sent',
              createdAt: '2025-01-01T10:00:01.000Z',
              sentAt: '2025-01-01T10:00:02.000Z',
            },
          ],
        });
      }
      return json(404, { title: 'Not Found', status: 404 });
    });
    render(<CitizenArea />);
    fillIn();

    expect(await screen.findByRole('heading', { name: 'You are registered' })).toBeTruthy();
    expect(screen.getByText('0193b6c2-7d1e-7c4a-9a55-1e2f3a4b5c6d')).toBeTruthy();
    const messages = await screen.findByRole('list', { name: 'Your messages' });
    expect(within(messages).getByRole('listitem').textContent).toMatch(/Welcome message by email: sent/);
    expect((await screen.findByText('Your welcome message has been sent.')).getAttribute('role')).toBe('status');

    const post = calls.find((c) => c.init?.method === 'POST');
    expect(JSON.parse(String(post?.init?.body))).toEqual({
      fullName: 'Zoë Ångström',
      birthDate: '1990-04-12',
      region: 'IN-MH',
      preferredLanguage: 'fr',
      contact: { channel: 'email', address: 'zoe@example.org' },
    });
    const get = calls.find((c) => c.url === '/api/notifications/v1/messages');
    expect(new Headers(get?.init?.headers).get('authorization')).toBe('Bearer citizen-token');
  });
});
