import { describe, expect, it } from 'vitest';
import { Failure, TRUNCATED_CAUSES_TYPE, truncateFailureCauses, type FailureDict } from '@tf/core';

const leaf = (name: string): FailureDict => ({ exception_str: name, traceback_str: '', exc_type_names: ['Exception'] });
const marker = (count: number): FailureDict => ({
  exception_str: `${count} more causes truncated`,
  traceback_str: '',
  exc_type_names: [TRUNCATED_CAUSES_TYPE, 'Exception'],
});

/** A chain `levels` dicts long (the top included), whose last dict has `bottom` as its causes. */
function chain(levels: number, bottom?: unknown[]): FailureDict {
  let dict: FailureDict =
    bottom === undefined ? leaf(`level ${levels - 1}`) : { ...leaf(`level ${levels - 1}`), causes: bottom as FailureDict[] };
  for (let i = levels - 2; i >= 0; i--) dict = { ...leaf(`level ${i}`), causes: [dict] };
  return dict;
}

/** The dict `depth` first causes below `dict`. */
function at(dict: FailureDict, depth: number): FailureDict {
  let d = dict;
  for (let i = 0; i < depth; i++) d = d.causes![0]!;
  return d;
}

describe('truncateFailureCauses', () => {
  it('gives back the very dict it was given when no chain goes past the limit', () => {
    const shallow = chain(3);
    expect(truncateFailureCauses(shallow, 2)).toBe(shallow);
    // Empty causes at the limit are no causes.
    const emptyAtLimit = chain(3, []);
    expect(truncateFailureCauses(emptyAtLimit, 2)).toBe(emptyAtLimit);
  });

  it('cuts at exactly maxDepth levels below the top, into one marker with the singular for one cause', () => {
    const dict = chain(4);
    const cut = truncateFailureCauses(dict, 2);
    expect(cut).not.toBe(dict);
    expect(at(cut, 2).exception_str).toBe('level 2');
    expect(at(cut, 2).causes).toStrictEqual([
      { exception_str: '1 more cause truncated', traceback_str: '', exc_type_names: [TRUNCATED_CAUSES_TYPE, 'Exception'] },
    ]);
    expect(at(dict, 3).exception_str).toBe('level 3');
  });

  it('keeps a marker left by an earlier cut, with its count, and returns the same dict', () => {
    const cutOnce = chain(3, [marker(7)]);
    expect(truncateFailureCauses(cutOnce, 2)).toBe(cutOnce);
    // Beside a branch that must be cut, the earlier marker still keeps its count.
    const both: FailureDict = { ...leaf('top'), causes: [chain(2, [marker(7)]), chain(4)] };
    const cut = truncateFailureCauses(both, 2);
    expect(at(cut, 2).causes).toStrictEqual([marker(7)]);
    expect(cut.causes![1]!.causes![0]!.causes).toStrictEqual([marker(2)]);
  });

  it('re-cuts what only looks like a marker: beside other causes, with causes of its own, or not a dict', () => {
    const withSibling = truncateFailureCauses(chain(3, [marker(7), leaf('x')]), 2);
    expect(at(withSibling, 2).causes).toStrictEqual([marker(2)]);
    const withCauses = truncateFailureCauses(chain(3, [{ ...marker(7), causes: [leaf('y')] }]), 2);
    expect(at(withCauses, 2).causes).toStrictEqual([marker(2)]);
    const notADict = truncateFailureCauses(chain(3, [null]), 2);
    expect(at(notADict, 2).causes).toStrictEqual([truncatedOne()]);
    const namesNotAList = truncateFailureCauses(chain(3, [{ exc_type_names: { 0: TRUNCATED_CAUSES_TYPE } }]), 2);
    expect(at(namesNotAList, 2).causes).toStrictEqual([truncatedOne()]);
  });

  it('counts a cause reached twice once', () => {
    const shared = leaf('shared');
    const cut = truncateFailureCauses(chain(3, [shared, shared]), 2);
    expect(at(cut, 2).causes).toStrictEqual([truncatedOne()]);
  });

  it('copies branches without causes beside the one it cuts, and leaves the input unchanged', () => {
    const dict: FailureDict = { ...leaf('top'), causes: [leaf('short'), chain(4)] };
    const before = structuredClone(dict);
    const cut = truncateFailureCauses(dict, 2);
    expect(cut.causes![0]).toStrictEqual(leaf('short'));
    expect(cut.causes![1]!.causes![0]!.causes).toStrictEqual([marker(2)]);
    expect(dict).toStrictEqual(before);
  });

  it('Failure.fromDict gives excArgs [] to a dict without exc_args', () => {
    expect(Failure.fromDict(leaf('x')).excArgs).toEqual([]);
  });
});

function truncatedOne(): FailureDict {
  return { exception_str: '1 more cause truncated', traceback_str: '', exc_type_names: [TRUNCATED_CAUSES_TYPE, 'Exception'] };
}
