import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { beforeEach, describe, expect, it } from 'vitest';
import { addFlag, addFlagAnswer, flagConcerns, listFlags } from '../src/index.js';

/**
 * Flags and answers as the library keeps them: write-once records read back as threads, with the status the
 * answers give, and bad input refused naming the field before anything is stored.
 */
describe('flags', () => {
  let locker: Locker;
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cw-flags-'));
    locker = new Locker(new FsObjectStore(path.join(dir, 'locker')));
  });

  async function stored(): Promise<string[]> {
    const keys: string[] = [];
    for await (const object of locker.store.list('controls/')) keys.push(object.key);
    return keys;
  }

  it('reads back each flag with its answers, oldest first, open until the first answer', async () => {
    const first = await addFlag(
      locker,
      'CHG-01',
      {
        item: 'github.pull_request.approval~x',
        comment: 'Who approved this?',
        from: '2026-02-01',
        to: '2026-03-01',
      },
      { by: 'Q1 auditor (key:aaaa)', at: new Date('2026-03-10T10:00:00Z') },
    );
    expect(first).toMatchObject({
      control: 'CHG-01',
      from: '2026-02-01T00:00:00.000Z',
      to: '2026-03-01T00:00:00.000Z',
      at: '2026-03-10T10:00:00.000Z',
    });
    const second = await addFlag(
      locker,
      'ACC-02',
      { item: 'period:2026-02', comment: 'No review this month?' },
      { by: 'Q1 auditor (key:aaaa)', at: new Date('2026-03-10T11:00:00Z') },
    );
    const later = await addFlagAnswer(
      locker,
      'CHG-01',
      first.id,
      { type: 'justification', text: 'Emergency change, reviewed after.' },
      { by: 'ciso', at: new Date('2026-03-12T09:00:00Z') },
    );
    const earlier = await addFlagAnswer(
      locker,
      'CHG-01',
      first.id,
      { type: 'remediation', text: 'Re-reviewed by bob.' },
      { by: 'eng lead', at: new Date('2026-03-11T09:00:00Z') },
    );
    const threads = await listFlags(locker);
    expect(threads.map((t) => [t.id, t.status, t.answers.map((a) => a.id)])).toEqual([
      [first.id, 'answered', [earlier.id, later.id]],
      [second.id, 'open', []],
    ]);
    expect(threads[0]!.answers[0]).toEqual(earlier);
    expect((await listFlags(locker, { control: 'ACC-02' })).map((t) => t.id)).toEqual([second.id]);
    expect(await listFlags(locker, { control: 'NONE-1' })).toEqual([]);
  });

  it('refuses bad input naming the field, and stores nothing', async () => {
    const cases: [Parameters<typeof addFlag>[2], string][] = [
      [{ item: '', comment: 'x' }, 'flag.item'],
      [{ item: 'a\nb', comment: 'x' }, 'flag.item'],
      [{ item: 'x', comment: '' }, 'flag.comment'],
      [{ item: 'x', comment: 'c'.repeat(4001) }, 'flag.comment'],
      [{ item: 'x', comment: 'x', from: 'yesterday' }, 'flag.from'],
      [{ item: 'x', comment: 'x', from: '2026-03-01', to: '2026-02-01' }, 'flag.to'],
      [{ item: 'x', comment: 'x', extra: 1 } as never, 'flag'],
    ];
    for (const [input, where] of cases) {
      await expect(addFlag(locker, 'CHG-01', input, { by: 'a' }), where).rejects.toMatchObject({
        code: 'CW_INPUT_INVALID',
        where,
      });
    }
    await expect(addFlag(locker, '../x', { item: 'x', comment: 'x' }, { by: 'a' })).rejects.toMatchObject({
      code: 'CW_INPUT_INVALID',
      where: 'control',
    });
    const flag = await addFlag(locker, 'CHG-01', { item: 'x', comment: 'x' }, { by: 'a' });
    await expect(
      addFlagAnswer(locker, 'CHG-01', flag.id, { type: 'other' as never, text: 'x' }, { by: 'b' }),
    ).rejects.toMatchObject({ code: 'CW_INPUT_INVALID', where: 'answer.type' });
    await expect(
      addFlagAnswer(locker, 'CHG-01', flag.id, { type: 'remediation', text: '' }, { by: 'b' }),
    ).rejects.toMatchObject({ code: 'CW_INPUT_INVALID', where: 'answer.text' });
    // A flag of another control, or none at all, cannot be answered here.
    for (const [control, id] of [
      ['ACC-02', flag.id],
      ['CHG-01', '00000000-0000-4000-8000-000000000000'],
      ['CHG-01', '../../remediations'],
    ] as const) {
      await expect(
        addFlagAnswer(locker, control, id, { type: 'remediation', text: 'x' }, { by: 'b' }),
      ).rejects.toMatchObject({ code: 'CW_NOT_FOUND', where: 'flag' });
    }
    expect(await stored()).toEqual([`controls/flags/CHG-01/${flag.id}/flag.json`]);
  });

  it('never overwrites: the same key written twice keeps the first record', async () => {
    const flag = await addFlag(locker, 'CHG-01', { item: 'x', comment: 'first' }, { by: 'a' });
    const key = `controls/flags/CHG-01/${flag.id}/flag.json`;
    expect(await locker.createOnce(key, Buffer.from('{"tampered":true}'))).toBe('exists');
    expect((await listFlags(locker))[0]).toMatchObject({ comment: 'first' });
  });

  it('says so when a stored flag is not readable, naming the object', async () => {
    const flag = await addFlag(locker, 'CHG-01', { item: 'x', comment: 'x' }, { by: 'a' });
    // Something else wrote an object of the wrong shape where an answer goes.
    await locker.createOnce(`controls/flags/CHG-01/${flag.id}/answers/bad.json`, Buffer.from('{"not":1}'));
    await expect(listFlags(locker)).rejects.toMatchObject({
      code: 'CW_LOCKER_CORRUPT',
      where: `controls/flags/CHG-01/${flag.id}/answers/bad.json`,
    });
  });

  it('concerns a window when its own overlaps it, or when it names none', () => {
    const flag = { from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' };
    const of = (f: Partial<typeof flag>) =>
      ({ id: '', control: '', item: '', comment: '', by: '', at: '', from: null, to: null, ...f }) as const;
    const q1 = { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };
    const q2 = { from: '2026-04-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' };
    expect(flagConcerns(of(flag), q1)).toBe(true);
    expect(flagConcerns(of(flag), q2)).toBe(false);
    expect(flagConcerns(of({ from: '2026-03-01T00:00:00.000Z' }), q1)).toBe(true);
    expect(flagConcerns(of({ to: '2026-04-01T00:00:00.000Z' }), q2)).toBe(false);
    expect(flagConcerns(of({}), q2)).toBe(true);
  });
});
