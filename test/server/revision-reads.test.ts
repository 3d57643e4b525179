// The reveal path's revision reads on PostgreSQL are gathered into one statement while another is
// running (server/storage/postgres/revision-reads.ts). These tests drive the gatherer with a statement
// they release by hand, to prove the rule a reveal depends on: a read never takes the answer of a
// statement sent before it was asked for. Against a real PostgreSQL the same rule is shown by
// multi-instance.test.ts ("serve through every instance, at once, what another instance acknowledged").
import assert from 'node:assert/strict';
import { RevisionReads, type RevisionOf } from '../../server/storage/postgres/revision-reads.ts';

interface Statement {
  asked: RevisionOf[];
  answer(revisions: Record<string, number>, orgId?: string): void;
  fail(err: Error): void;
}

function harness() {
  const statements: Statement[] = [];
  const reads = new RevisionReads(
    (asked) =>
      new Promise((resolve, reject) => {
        statements.push({
          asked,
          answer: (revisions, orgId = 'org-1') => resolve(new Map(Object.entries(revisions).map(([id, revision]) => [id, { orgId, revision }]))),
          fail: reject,
        });
      }),
  );
  return { reads, statements };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('revision reads gathered on PostgreSQL', () => {
  it('sends a read at once when no statement is running', async () => {
    const { reads, statements } = harness();
    const read = reads.read('org-1', 'env-a');
    assert.equal(statements.length, 1);
    assert.deepEqual(statements[0]!.asked, [{ orgId: 'org-1', environmentId: 'env-a' }]);
    statements[0]!.answer({ 'env-a': 7 });
    assert.equal(await read, 7);
  });

  it('never answers a read with a statement sent before it was asked: it waits for the next one, which carries every read asked meanwhile', async () => {
    const { reads, statements } = harness();
    const early = reads.read('org-1', 'env-a');
    // A write is acknowledged while the first statement runs; reads asked after it must see it.
    const late = [reads.read('org-1', 'env-a'), reads.read('org-1', 'env-a'), reads.read('org-1', 'env-b')];
    assert.equal(statements.length, 1, 'nothing else is sent while a statement runs');
    statements[0]!.answer({ 'env-a': 1 });
    assert.equal(await early, 1);
    await tick();
    assert.equal(statements.length, 2, 'the waiting reads go out as soon as the first statement returns');
    assert.deepEqual(statements[1]!.asked, [{ orgId: 'org-1', environmentId: 'env-a' }, { orgId: 'org-1', environmentId: 'env-b' }], 'one statement for all of them, each environment once');
    statements[1]!.answer({ 'env-a': 2, 'env-b': 5 });
    assert.deepEqual(await Promise.all(late), [2, 2, 5], 'the revision after the write, not the one before');
  });

  it('reads 0 for an environment that is gone or belongs to another organization', async () => {
    const { reads, statements } = harness();
    const gone = reads.read('org-1', 'env-gone');
    statements[0]!.answer({});
    assert.equal(await gone, 0);
    await tick();
    const other = reads.read('org-2', 'env-a');
    statements[1]!.answer({ 'env-a': 9 }, 'org-1');
    assert.equal(await other, 0);
  });

  it('fails the reads of a failed statement, and sends the next reads all the same', async () => {
    const { reads, statements } = harness();
    const first = reads.read('org-1', 'env-a');
    const waiting = reads.read('org-1', 'env-a');
    statements[0]!.fail(new Error('connection lost'));
    await assert.rejects(first, /connection lost/);
    await tick();
    assert.equal(statements.length, 2);
    statements[1]!.answer({ 'env-a': 4 });
    assert.equal(await waiting, 4);
  });
});
