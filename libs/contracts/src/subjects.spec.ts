import { Subjects } from './subjects';

describe('Subjects', () => {
  it("names a tenant's ruler alerts by the tenant, as the notification service's consumer filters them", () => {
    expect(Subjects.rulerAlerts('acme')).toBe('strata.ruler.alerts.v1.acme');
  });
});
