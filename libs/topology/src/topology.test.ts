import { describe, expect, it } from 'vitest';
import { apiBase, edgePatternTakes, routeFor, serviceList, services, web } from './index.js';

describe('topology', () => {
  it('names every service once with a distinct port and path prefix', () => {
    const list = serviceList();
    expect(list.map((s) => s.name)).toEqual(['registration', 'notifications', 'search', 'analytics']);
    expect(new Set([...list.map((s) => s.port), web.port]).size).toBe(list.length + 1);
    expect(new Set(list.map((s) => s.pathPrefix)).size).toBe(list.length);
    expect(services.registration.port).toBe(3001);
    expect(services.analytics.port).toBe(3004);
  });

  it('routes a request path to the service owning its prefix, and everything else to web', () => {
    expect(routeFor('/api/search/v1/registrants')?.name).toBe('search');
    expect(routeFor('/api/registration')?.name).toBe('registration');
    expect(routeFor('/api/registrationx/v1')).toBeUndefined();
    expect(routeFor('/staff')).toBeUndefined();
    expect(apiBase('notifications')).toBe('/api/notifications/v1');
  });

  it('keeps scaling bounds sane for every role', () => {
    for (const s of serviceList()) {
      for (const scaling of [s.api, s.worker].filter((x) => x !== undefined)) {
        expect(scaling.minTasks).toBeGreaterThanOrEqual(1);
        expect(scaling.maxTasks).toBeGreaterThan(scaling.minTasks);
      }
      expect(s.roles.includes('worker')).toBe(s.worker !== undefined);
    }
  });
});

describe('edge path patterns', () => {
  it("read as CloudFront reads them: '*' any characters, nothing else special", () => {
    expect(edgePatternTakes('/api/registration/v1/centers/*/availability', '/api/registration/v1/centers/{centerId}/availability')).toBe(true);
    expect(edgePatternTakes('/api/registration/v1/centers/*/availability', '/api/registration/v1/centers/{centerId}/availability/stream')).toBe(false);
    expect(edgePatternTakes('/api/search/v1/centers', '/api/search/v1/centers')).toBe(true);
    expect(edgePatternTakes('/api/search/v1/centers', '/api/search/v1/centersX')).toBe(false);
    expect(edgePatternTakes('/a.b', '/aXb')).toBe(false);
  });
});
