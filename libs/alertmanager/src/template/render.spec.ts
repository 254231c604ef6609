import { templateData } from '../template-data';
import { TemplateSet } from './render';

const data = templateData(
  'mail',
  { alertname: '<b>' },
  [
    {
      labels: { alertname: '<b>' },
      annotations: {},
      startsAt: 0,
      endsAt: null,
      generatorURL: '',
      updatedAt: 0,
      timeout: false,
      fingerprint: '0',
    },
  ],
  'http://strata',
  1,
);

describe('TemplateSet.render', () => {
  it('keeps text and HTML escaping apart for the same field, however often it renders', async () => {
    const set = new TemplateSet();
    const field = '<p>{{ .CommonLabels.alertname }}</p><script>x = {{ .Status }}</script>';
    for (let i = 0; i < 3; i++) {
      await expect(set.render(field, data)).resolves.toBe('<p><b></p><script>x = firing</script>');
      await expect(set.render(field, data, { html: true })).resolves.toBe(
        '<p>&lt;b&gt;</p><script>x = "firing"</script>',
      );
    }
  });

  it('refuses an HTML field again on every render', async () => {
    const set = new TemplateSet();
    for (let i = 0; i < 2; i++)
      await expect(
        set.render('<script>`{{ .Status }}`</script>', data, { html: true }),
      ).rejects.toThrow('appears in a JS template literal');
  });
});
