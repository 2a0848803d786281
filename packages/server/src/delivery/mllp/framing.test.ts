import { describe, expect, it } from 'vitest';
import { encodeFrame, type FrameEvent, MllpDecoder } from './framing.ts';

const frames = (events: FrameEvent[]) => events.filter((e) => e.kind === 'frame').map((e) => (e as { payload: Buffer }).payload.toString('utf8'));

describe('MLLP framing', () => {
  it('wraps a message in 0x0B … 0x1C 0x0D', () => {
    expect([...encodeFrame(Buffer.from('AB'))]).toEqual([0x0b, 0x41, 0x42, 0x1c, 0x0d]);
  });

  it('reassembles a frame split at every possible byte boundary', () => {
    const msg = 'MSH|^~\\&|A\rMSA|AA|1\r';
    const wire = encodeFrame(Buffer.from(msg));
    for (let cut = 1; cut < wire.length; cut += 1) {
      const d = new MllpDecoder();
      const events = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      expect(frames(events), `cut at ${cut}`).toEqual([msg]);
      expect(events.filter((e) => e.kind !== 'frame')).toEqual([]);
    }
  });

  it('reassembles a frame fed one byte at a time', () => {
    const d = new MllpDecoder();
    const events: FrameEvent[] = [];
    for (const b of encodeFrame(Buffer.from('héllo', 'utf8'))) events.push(...d.push(Uint8Array.of(b)));
    expect(frames(events)).toEqual(['héllo']);
  });

  it('reads several frames from one chunk, with NUL bytes and line breaks between them', () => {
    const wire = Buffer.concat([encodeFrame(Buffer.from('one')), Buffer.from([0, 0, 0x0a]), encodeFrame(Buffer.from('two')), Buffer.from([0x0d, 0]), encodeFrame(Buffer.from('three'))]);
    const events = new MllpDecoder().push(wire);
    expect(frames(events)).toEqual(['one', 'two', 'three']);
    expect(events.filter((e) => e.kind !== 'frame')).toEqual([]);
  });

  it('reports stray bytes between frames instead of gluing them to a message', () => {
    const wire = Buffer.concat([Buffer.from('junk'), encodeFrame(Buffer.from('one'))]);
    const events = new MllpDecoder().push(wire);
    expect(events).toEqual([{ kind: 'stray_bytes', count: 4 }, { kind: 'frame', payload: Buffer.from('one') }]);
  });

  it('abandons a frame restarted by a new start block', () => {
    const wire = Buffer.concat([Buffer.from([0x0b]), Buffer.from('half'), encodeFrame(Buffer.from('whole'))]);
    const events = new MllpDecoder().push(wire);
    expect(events).toEqual([{ kind: 'abandoned_frame', reason: 'restarted', bytes: 4 }, { kind: 'frame', payload: Buffer.from('whole') }]);
  });

  it('takes 0x1C without 0x0D as the end of the frame, and says so', () => {
    const events = new MllpDecoder().push(Buffer.concat([Buffer.from([0x0b]), Buffer.from('x'), Buffer.from([0x1c]), encodeFrame(Buffer.from('y'))]));
    expect(events.map((e) => e.kind)).toEqual(['missing_cr_after_end_block', 'frame', 'frame']);
    expect(frames(events)).toEqual(['x', 'y']);
  });

  it('drops a frame past the size limit and recovers at the next one', () => {
    const d = new MllpDecoder(10);
    const events = d.push(Buffer.concat([encodeFrame(Buffer.alloc(50, 0x41)), encodeFrame(Buffer.from('ok'))]));
    expect(events[0]).toMatchObject({ kind: 'abandoned_frame', reason: 'too_large' });
    expect(frames(events)).toEqual(['ok']);
  });

  it('keeps a partial frame across pushes and reports it as in progress', () => {
    const d = new MllpDecoder();
    expect(d.push(Buffer.from([0x0b, 0x41]))).toEqual([]);
    expect(d.inFrame).toBe(true);
    expect(frames(d.push(Buffer.from([0x1c, 0x0d])))).toEqual(['A']);
    expect(d.inFrame).toBe(false);
  });
});
