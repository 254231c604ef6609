import { SyslogDeframer } from './framing';

const frames = (d: SyslogDeframer, ...chunks: string[]) =>
  chunks
    .flatMap((c) => d.push(Buffer.from(c)))
    .map((f) => (f.kind === 'frame' ? f.bytes.toString() : `<${f.bytes}>`));

describe('SyslogDeframer', () => {
  it('splits octet-counted frames across chunk boundaries, newlines inside a frame included', () => {
    const d = new SyslogDeframer(100);
    expect(frames(d, '11 <13>1 a\nb c', '5 he', 'llo')).toEqual(['<13>1 a\nb c', 'hello']);
  });

  it('splits LF frames, dropping CR, and mixes both framings per frame', () => {
    const d = new SyslogDeframer(100);
    expect(frames(d, '<13>first\r\n3 abc<14>second\n', '<15>thi', 'rd\n')).toEqual([
      '<13>first',
      'abc',
      '<14>second',
      '<15>third',
    ]);
  });

  it('skips an oversized frame whole and stays in step', () => {
    const d = new SyslogDeframer(10);
    expect(frames(d, '20 aaaaaaaaaa', 'aaaaaaaaaa3 ok!')).toEqual(['<20>', 'ok!']);
    expect(frames(d, 'x'.repeat(15), 'yy\nshort\n')).toEqual(['<15>', 'short']);
  });

  it('yields the last unterminated frame at the end of the connection', () => {
    const d = new SyslogDeframer(100);
    expect(frames(d, '<13>tail')).toEqual([]);
    expect(d.end().map((f) => (f.kind === 'frame' ? f.bytes.toString() : ''))).toEqual([
      '<13>tail',
    ]);
  });
});
