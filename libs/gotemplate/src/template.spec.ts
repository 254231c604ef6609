import {
  BUILTINS,
  GoMap,
  GoSlice,
  TemplateExecError,
  TemplateParseError,
  executeTemplate,
  parseTemplate,
  type GoValue,
} from './index';

async function render(text: string, data: GoValue): Promise<string> {
  const t = parseTemplate('t', text, (n) => BUILTINS.has(n));
  return executeTemplate(t, data, { funcs: BUILTINS });
}

describe('the Go template engine', () => {
  it('ranges over a slice with Go’s loop variables and printf', async () => {
    const data = new GoMap(
      'interface {}',
      new Map([['xs', new GoSlice('[]string', 'string', ['a', 'b'])]]),
    );
    await expect(
      render('{{range $i, $x := .xs}}{{printf "%d=%q " $i $x}}{{end}}', data),
    ).resolves.toBe('0="a" 1="b" ');
  });

  it('calls define’d templates by name, as Alertmanager’s template sets do', async () => {
    const text = '{{define "greet"}}hi {{.}}{{end}}{{template "greet" "x"}}';
    await expect(render(text, null)).resolves.toBe('hi x');
  });

  it('refuses an unknown function at parse time with Go’s wording', () => {
    expect(() => parseTemplate('t', '{{ nope }}', (n) => BUILTINS.has(n))).toThrow(
      new TemplateParseError('template: t:1: function "nope" not defined'),
    );
  });

  it('reports execution failures with the position', async () => {
    await expect(
      render(
        '{{index .xs 5}}',
        new GoMap('interface {}', new Map([['xs', new GoSlice('[]string', 'string', [])]])),
      ),
    ).rejects.toThrow(TemplateExecError);
  });
});
