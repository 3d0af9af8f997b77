import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyMetaError, isRetryableClass, type MetaErrorClass } from '../../src/meta/graph/error-classes.js';

/** One entry per row of reference meta-platform.md §7.2, with every code the row names. */
const ROWS: Array<{ row: string; expected: MetaErrorClass; cases: Array<[code: number, subcode?: number]> }> = [
  {
    row: 'Transient: 1, 2, 131000, 131016, 133004, 131057, 341',
    expected: 'transient',
    cases: [[1], [2], [131000], [131016], [133004], [131057], [341]],
  },
  {
    row: 'Throttling: 4, 17, 32, 613, 80001/80002/80006/80007, 130429, 131056',
    expected: 'throttled',
    cases: [[4], [17], [32], [613], [80001], [80002], [80006], [80007], [130429], [131056]],
  },
  {
    row: 'Quality / spam: 131048, 131049, 130472',
    expected: 'quality',
    cases: [[131048], [131049], [130472]],
  },
  {
    row: 'Auth → reauth: 190 with 458/459/460/463/464/467/492 (and without subcode); 0',
    expected: 'reauth',
    cases: [[190, 458], [190, 459], [190, 460], [190, 463], [190, 464], [190, 467], [190, 492], [190], [0]],
  },
  {
    row: 'Permission: 3, 10, 200–299, 131005; IG 200/2534041',
    expected: 'permission',
    cases: [[3], [10], [200], [230], [299], [131005], [200, 2534041]],
  },
  {
    row: 'Bad request: 100, 131008, 131009, 131021, 33, 135000; IG 100/2534014',
    expected: 'bad_request',
    cases: [[100], [100, 33], [131008], [131009], [131021], [33], [135000], [100, 2534014]],
  },
  {
    row: 'Window: 131047; IG/Messenger 10/2534022',
    expected: 'window',
    cases: [[131047], [10, 2534022]],
  },
  {
    row: 'Person unavailable (usually blocked, not a window error): 551, 551/1545041',
    expected: 'unavailable',
    cases: [[551], [551, 1545041]],
  },
  {
    row: 'Undeliverable / unsupported: 131026, 131051, 131052, 131053',
    expected: 'undeliverable',
    cases: [[131026], [131051], [131052], [131053]],
  },
  {
    row: 'Templates: 132000, 132001, 132005, 132007, 132012, 132015, 132016, 132068, 132069 (and 132xxx)',
    expected: 'template',
    cases: [[132000], [132001], [132005], [132007], [132012], [132015], [132016], [132068], [132069], [132999]],
  },
  {
    row: 'Account / policy / billing: 368, 131031, 131042, 131045, 133010',
    expected: 'policy',
    cases: [[368], [131031], [131042], [131045], [133010]],
  },
  {
    row: 'Ambiguous success: Messenger 1/1357046',
    expected: 'ambiguous',
    cases: [[1, 1357046]],
  },
];

describe('classifyMetaError (reference §7.2, by code and subcode, never HTTP status)', () => {
  for (const { row, expected, cases } of ROWS) {
    it(`${row} → ${expected}`, () => {
      for (const [code, subcode] of cases) {
        assert.equal(classifyMetaError(code, subcode), expected, `code ${code}${subcode === undefined ? '' : `/${subcode}`}`);
      }
    });
  }

  it('lets a subcode override the class of its bare code (1/1357046 is not transient, 10/2534022 is not permission)', () => {
    assert.equal(classifyMetaError(1), 'transient');
    assert.equal(classifyMetaError(1, 1357046), 'ambiguous');
    assert.equal(classifyMetaError(10), 'permission');
    assert.equal(classifyMetaError(10, 2534022), 'window');
    assert.equal(classifyMetaError(10, 999), 'permission');
  });

  it('answers unknown for codes outside the table and for a missing code', () => {
    assert.equal(classifyMetaError(104), 'unknown');
    assert.equal(classifyMetaError(2500), 'unknown');
    assert.equal(classifyMetaError(131999), 'unknown');
    assert.equal(classifyMetaError(133000), 'unknown');
    assert.equal(classifyMetaError(300), 'unknown');
    assert.equal(classifyMetaError(undefined), 'unknown');
    assert.equal(classifyMetaError(Number.NaN), 'unknown');
  });

  it('retries only the transient and throttled classes', () => {
    const all: MetaErrorClass[] = ['transient', 'throttled', 'quality', 'reauth', 'permission', 'bad_request', 'window', 'unavailable', 'undeliverable', 'template', 'policy', 'ambiguous', 'unknown'];
    assert.deepEqual(all.filter(isRetryableClass), ['transient', 'throttled']);
  });
});
