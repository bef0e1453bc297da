import { fireEvent, screen, within } from '@testing-library/react';
import { json, renderWithApp, stubFetch } from '../testing/render';
import { CitizenArea } from './citizen-area';
import { LEO, TOKENS, ZOE, problem } from './test-fixtures';

const REG = '/api/registration/v1';

describe('the household', { timeout: 20_000 }, () => {
  it('lists its people and says how many more fit', async () => {
    stubFetch(() => json(200, { items: [ZOE, LEO] }));
    await renderWithApp(<CitizenArea />, { path: '/household', citizen: TOKENS });
    const list = await screen.findByRole('list', { name: 'Your household' });
    expect(within(list).getAllByRole('heading').map((h) => h.textContent)).toEqual([ZOE.fullName, LEO.fullName]);
    expect(screen.getByText('2 of 4 people registered.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Add a person' })).toBeTruthy();
  });

  it('shows the service’s refusal when the household is already full', async () => {
    const calls = stubFetch((url, init) =>
      init?.method === 'POST'
        ? json(409, problem(409, 'A household has at most 4 people.', [{ path: 'body', message: 'household is full' }]), 'application/problem+json')
        : json(404, problem(404, 'Not Found')),
    );
    const { history } = await renderWithApp(<CitizenArea />, { path: '/household/add', citizen: TOKENS });
    fireEvent.change(await screen.findByLabelText('Full name'), { target: { value: 'Ana Ångström' } });
    fireEvent.change(screen.getByLabelText('Date of birth'), { target: { value: '2015-02-03' } });
    fireEvent.change(screen.getByLabelText('Region'), { target: { value: 'fr-idf' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add to household' }));

    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('A household has at most 4 people.')).toBeTruthy();
    expect(history.at(-1)).toBe('/household/add');
    const post = calls.find((c) => c.init?.method === 'POST');
    expect(post?.url).toBe(`${REG}/registrants`);
    // The household's contact is the account's: none is sent for a member.
    expect(JSON.parse(String(post?.init?.body))).toEqual({ fullName: 'Ana Ångström', birthDate: '2015-02-03', region: 'FR-IDF', preferredLanguage: 'en', sex: 'unknown' });
    expect(new Headers(post?.init?.headers).get('authorization')).toBe(`Bearer ${TOKENS.accessToken}`);
  });

  it('adds a person and announces it on the household list', async () => {
    const people = [ZOE];
    stubFetch((url, init) => {
      if (init?.method === 'POST') {
        people.push(LEO);
        return json(201, { registrant: LEO });
      }
      return json(200, { items: people });
    });
    await renderWithApp(<CitizenArea />, { path: '/household/add', citizen: TOKENS });
    fireEvent.change(await screen.findByLabelText('Full name'), { target: { value: LEO.fullName } });
    fireEvent.change(screen.getByLabelText('Date of birth'), { target: { value: LEO.birthDate } });
    fireEvent.change(screen.getByLabelText('Region'), { target: { value: LEO.region } });
    fireEvent.click(screen.getByRole('button', { name: 'Add to household' }));

    expect(await screen.findByText(`${LEO.fullName} was added to your household.`)).toBeTruthy();
    expect(await screen.findByText('2 of 4 people registered.')).toBeTruthy();
  });

  it('sends only what changed, and says when nothing did', async () => {
    const calls = stubFetch((url, init) =>
      init?.method === 'PATCH' ? json(200, { ...LEO, fullName: 'Léo Martin', version: 2 }) : json(200, { items: [ZOE, LEO] }),
    );
    await renderWithApp(<CitizenArea />, { path: `/household/${LEO.id}`, citizen: TOKENS });
    const name = await screen.findByLabelText('Full name');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Change at least one detail before saving.')).toBeTruthy();
    expect(calls.some((c) => c.init?.method === 'PATCH')).toBe(false);

    fireEvent.change(name, { target: { value: 'Léo Martin' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('The details of Léo Martin were saved.')).toBeTruthy();
    const patch = calls.find((c) => c.init?.method === 'PATCH');
    expect(patch?.url).toBe(`${REG}/registrants/${LEO.id}`);
    expect(JSON.parse(String(patch?.init?.body))).toEqual({ fullName: 'Léo Martin' });
  });

  it('shows the service’s field error next to the field it names', async () => {
    stubFetch((url, init) =>
      init?.method === 'PATCH'
        ? json(400, problem(400, 'The request is invalid.', [{ path: 'body.birthDate', message: 'must be a real date in the past' }]), 'application/problem+json')
        : json(200, { items: [ZOE, LEO] }),
    );
    await renderWithApp(<CitizenArea />, { path: `/household/${LEO.id}`, citizen: TOKENS });
    fireEvent.change(await screen.findByLabelText('Date of birth'), { target: { value: '2011-06-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByText('must be a real date in the past')).id).toBe('edit-birthDate-error');
    expect(screen.getByLabelText('Date of birth').getAttribute('aria-invalid')).toBe('true');
  });
});
