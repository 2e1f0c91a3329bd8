import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuffers } from '../../src/nn/batch-buffers.ts';

test('BatchBuffers: one set per batch size, made on first use; dispose frees every matrix of every set, later fields included, and nothing else', () => {
  const freed: string[] = [];
  const m = (name: string) => ({ name, dispose: () => void freed.push(name) });
  let made = 0;
  const b = new BatchBuffers((batch: number) => {
    made++;
    return { y: m(`y${batch}`), view: m(`view${batch}`), argmax: new Int32Array(batch), g: { outH: 1 }, dx: null as null | ReturnType<typeof m> };
  });
  const ten = b.get(10);
  assert.equal(b.get(10), ten, 'the same set again');
  b.get(3).dx = m('dx3');
  assert.equal(made, 2);
  b.dispose();
  assert.deepEqual(freed.sort(), ['dx3', 'view10', 'view3', 'y10', 'y3']);
  b.dispose();
  assert.equal(freed.length, 5, 'disposing twice frees nothing twice');
  b.get(10);
  assert.equal(made, 3, 'a new set after dispose');
});
