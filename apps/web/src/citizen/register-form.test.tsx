import { fireEvent, screen, within } from '@testing-library/react';
import { json, renderWithApp, stubFetch } from '../testing/render';
import { CitizenArea } from './citizen-area';
import { ZOE, problem } from './test-fixtures';

function fillIn() {
  fireEvent.change(screen.getByLabelText('Full name'), { target: { value: 'Zoë Ångström' } });
  fireEvent.change(screen.getByLabelText('Date of birth'), { target: { value: '1990-04-12' } });
  fireEvent.change(screen.getByLabelText('Region'), { target: { value: 'in-mh' } });
  fireEvent.change(screen.getByLabelText('Preferred language'), { target: { value: 'fr' } });
  fireEvent.change(screen.getByLabelText('Email address'), { target: { value: 'zoe@example.org' } });
  fireEvent.click(screen.getByRole('button', { name: 'Register' }));
}

describe('first registration, without an account', { timeout: 20_000 }, () => {
  it('shows each problem+json field error of the service next to its field', async () => {
    stubFetch(() =>
      json(
        400,
        {
          ...problem(400, 'The request body is invalid.'),
          errors: [
            { path: ['region'], message: 'Use an ISO 3166-2 region code, like IN-MH.' },
            { path: 'contact.address', message: 'Enter a valid email address.' },
            { path: ['body', 'birthDate'], message: 'Birth date cannot be in the future.' },
          ],
        },
        'application/problem+json',
      ),
    );
    await renderWithApp(<CitizenArea />);
    await screen.findByRole('heading', { name: 'Register for vaccination' });
    fillIn();

    expect(await screen.findByText('Use an ISO 3166-2 region code, like IN-MH.')).toBeTruthy();
    const region = screen.getByLabelText('Region');
    expect(region.getAttribute('aria-invalid')).toBe('true');
    expect(region.getAttribute('aria-describedby')).toContain('region-error');
    expect(document.getElementById('region-error')?.textContent).toBe('Use an ISO 3166-2 region code, like IN-MH.');
    expect(document.getElementById('contactAddress-error')?.textContent).toBe('Enter a valid email address.');
    expect(document.getElementById('birthDate-error')?.textContent).toBe('Birth date cannot be in the future.');
    expect(screen.getByLabelText('Full name').getAttribute('aria-invalid')).toBe('false');
    expect(within(screen.getByRole('alert')).getByText('The request body is invalid.')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'You are registered' })).toBeNull();
  });

  it('checks the form with the contract’s schema and sends nothing while it is wrong', async () => {
    const calls = stubFetch(() => json(500, {}));
    await renderWithApp(<CitizenArea />, { language: 'es' });
    fireEvent.change(await screen.findByLabelText('Nombre completo'), { target: { value: 'Z' } });
    fireEvent.change(screen.getByLabelText('Región'), { target: { value: 'Madrid' } });
    fireEvent.change(screen.getByLabelText('Dirección de correo electrónico'), { target: { value: 'zoe@' } });
    fireEvent.click(screen.getByRole('button', { name: 'Registrarse' }));

    expect(await screen.findByText('Corrija los campos señalados.')).toBeTruthy();
    expect(document.getElementById('fullName-error')?.textContent).toBe('Escriba el nombre completo (al menos 2 caracteres).');
    expect(document.getElementById('region-error')?.textContent).toBe('Escriba un código de región como ES-MD.');
    expect(document.getElementById('birthDate-error')?.textContent).toBe('Escriba una fecha de nacimiento real y pasada.');
    expect(document.getElementById('contactAddress-error')?.textContent).toBe('Escriba una dirección de correo válida, como nombre@ejemplo.es.');
    expect(calls).toHaveLength(0);
  });

  it('offers sign-in when the contact already has an account', async () => {
    stubFetch(() =>
      json(
        409,
        problem(409, 'An account with this contact already exists: sign in with a one-time code to add people to it.', [
          { path: 'body.contact.address', message: 'already has an account: sign in with a one-time code' },
        ]),
        'application/problem+json',
      ),
    );
    await renderWithApp(<CitizenArea />);
    await screen.findByRole('heading', { name: 'Register for vaccination' });
    fillIn();
    expect((await screen.findByText('This contact already has an account.')).id).toBe('contactAddress-error');
    const link = screen.getByRole('link', { name: /sign in with a one-time code to add people/i });
    expect(link.getAttribute('href')).toBe('/sign-in');
  });

  it('says in the reader’s language that a national ID is already registered, and how a registered person signs in', async () => {
    stubFetch(() =>
      json(
        409,
        problem(409, 'A person with this national ID is already registered.', [{ path: 'body.nationalId', message: 'is already registered' }]),
        'application/problem+json',
      ),
    );
    await renderWithApp(<CitizenArea />, { language: 'fr' });
    fireEvent.change(await screen.findByLabelText('Nom complet'), { target: { value: 'Zoë Ångström' } });
    fireEvent.change(screen.getByLabelText('Date de naissance'), { target: { value: '1990-04-12' } });
    fireEvent.change(screen.getByLabelText('Région'), { target: { value: 'FR-IDF' } });
    fireEvent.change(screen.getByLabelText('Adresse e-mail'), { target: { value: 'zoe@example.org' } });
    fireEvent.change(screen.getByLabelText('Numéro d’identité nationale (facultatif)'), { target: { value: 'FR123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'S’inscrire' }));
    expect(await screen.findByText('Ce numéro d’identité est déjà inscrit.')).toBeTruthy();
    expect(document.getElementById('nationalId-error')?.textContent).toBe('Ce numéro d’identité est déjà inscrit.');
    const link = screen.getByRole('link', { name: 'S’il s’agit de vous, connectez-vous avec un code à usage unique envoyé au contact donné à l’inscription.' });
    expect(link.getAttribute('href')).toBe('/sign-in');
  });

  it('asks to wait when registrations from this address or for this contact are rate-limited (429)', async () => {
    stubFetch(() => json(429, problem(429, 'Too many attempts; try again later.'), 'application/problem+json'));
    await renderWithApp(<CitizenArea />);
    await screen.findByRole('heading', { name: 'Register for vaccination' });
    fillIn();
    expect(await screen.findByText('Too many attempts. Please wait a moment and try again.')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'You are registered' })).toBeNull();
  });

  it('registers, signs the household in and follows the welcome message until it is sent', async () => {
    const calls = stubFetch((url, init) => {
      if (url === '/api/registration/v1/registrants' && init?.method === 'POST')
        return json(201, { registrant: { ...ZOE, region: 'IN-MH' }, accessToken: 'citizen-token' });
      if (url === '/api/notifications/v1/messages')
        return json(200, {
          items: [{ id: '0193b6c2-0000-7000-8000-000000000001', template: 'welcome', channel: 'email', status: 'sent', createdAt: '2025-01-01T10:00:01.000Z', sentAt: '2025-01-01T10:00:02.000Z' }],
        });
      return json(404, problem(404, 'Not Found'));
    });
    const { history } = await renderWithApp(<CitizenArea />);
    await screen.findByRole('heading', { name: 'Register for vaccination' });
    fillIn();

    expect(await screen.findByRole('heading', { name: 'You are registered' })).toBeTruthy();
    expect(history.at(-1)).toBe('/welcome');
    expect(screen.getByTestId('registrant-id').textContent).toBe(ZOE.id);
    const messages = await screen.findByRole('list', { name: 'Your messages' });
    expect(within(messages).getByRole('listitem').textContent).toMatch(/Welcome message by email: sent/);
    expect((await screen.findByText('Your welcome message has been sent.')).getAttribute('role')).toBe('status');

    const post = calls.find((c) => c.init?.method === 'POST');
    expect(JSON.parse(String(post?.init?.body))).toEqual({
      fullName: 'Zoë Ångström',
      birthDate: '1990-04-12',
      region: 'IN-MH',
      preferredLanguage: 'fr',
      sex: 'unknown',
      contact: { channel: 'email', address: 'zoe@example.org' },
    });
    const get = calls.find((c) => c.url === '/api/notifications/v1/messages');
    expect(new Headers(get?.init?.headers).get('authorization')).toBe('Bearer citizen-token');
  });
});
