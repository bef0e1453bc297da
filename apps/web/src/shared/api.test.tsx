import { fieldOf } from './api';

describe('fieldOf', () => {
  it('normalizes array, dotted and JSON-pointer paths, dropping the request part', () => {
    expect(fieldOf(['contact', 'address'])).toBe('contact.address');
    expect(fieldOf('contact.address')).toBe('contact.address');
    expect(fieldOf('/contact/address')).toBe('contact.address');
    expect(fieldOf(['body', 'region'])).toBe('region');
    expect(fieldOf([])).toBe('');
    expect(fieldOf(undefined)).toBe('');
  });
});
