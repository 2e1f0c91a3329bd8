/**
 * Every backend is shape-checked once, by `checkedKernels` (src/tensor/checked-kernels.ts):
 * each one `createBackend` hands out rejects a wrong shape with an error naming the kernel and
 * the argument, before its kernel body (which trusts its inputs) runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, createBackend, isChecked, ShapeError, type Backend } from '../../src/index.ts';

const avail = await availableBackends();

/** Cases: the call, the kernel and the argument the message must name. */
const CASES: [string, (be: Backend) => unknown, RegExp][] = [
  ['copy', (be) => be.copy(be.zeros(2, 3), be.zeros(3, 2)), /^copy: src is \[2, 3\] but dst is \[3, 2\]/],
  ['add', (be) => be.add(be.zeros(2, 3), be.zeros(2, 3), be.zeros(2, 4)), /^add: a is \[2, 3\] but out is \[2, 4\]/],
  ['where', (be) => be.where(be.zeros(1, 3), be.zeros(1, 3), be.zeros(3, 1), be.zeros(1, 3)), /^where: mask is \[1, 3\] but b is \[3, 1\]/],
  ['gemm', (be) => be.gemm(false, true, 1, be.zeros(2, 3), be.zeros(4, 5), 0, be.zeros(2, 4)), /^gemm: op\(A\)=A is \[2, 3\], op\(B\)=B\^T is \[5, 4\]/],
  ['biasActivation', (be) => be.biasActivation('sigmoid', be.zeros(2, 3), be.zeros(1, 4), be.zeros(2, 3)), /^biasActivation: bias must be \[1, 3\]/],
  ['activationBackward', (be) => be.activationBackward('tanh', be.zeros(2, 3), be.zeros(2, 2), be.zeros(2, 3)), /^activationBackward: y is \[2, 3\] but dy is \[2, 2\]/],
  ['colSums', (be) => be.colSums(be.zeros(4, 3), be.zeros(1, 4)), /^colSums: out must be \[1, 3\]/],
  ['argmaxRows', (be) => be.argmaxRows(be.zeros(4, 3), new Int32Array(3)), /^argmaxRows: out has length 3, need 4/],
  ['softmaxCrossEntropy', (be) => be.softmaxCrossEntropy(be.zeros(2, 3), new Int32Array(2), be.zeros(2, 3), be.zeros(3, 2), 1), /^softmaxCrossEntropy: logits is \[2, 3\] but grad is \[3, 2\]/],
  ['sgdUpdate', (be) => be.sgdUpdate(be.zeros(2, 3), be.zeros(2, 3), be.zeros(1, 3), 0.1, 0.9, 0), /^sgdUpdate: param is \[2, 3\] but velocity is \[1, 3\]/],
  ['adamUpdate', (be) => be.adamUpdate(be.zeros(2, 3), be.zeros(2, 3), be.zeros(2, 3), be.zeros(3, 2), 0.1, 0.9, 0.999, 1e-8, 0.1, 0.001, 0, 0), /^adamUpdate: param is \[2, 3\] but v is \[3, 2\]/],
  ['fromArray', (be) => be.fromArray(2, 2, [1, 2, 3]), /^fromArray: 3 values cannot fill \[2, 2\]/],
];

for (const a of avail) {
  const missing = a.available ? false : `backend '${a.name}' unavailable here (${a.reason ?? 'no reason given'}): its checks are NOT tested`;
  test(`createBackend('${a.name}') rejects a wrong shape in every kernel, naming the kernel and the argument`, async (t) => {
    if (missing) {
      if (process.env['CI']) assert.fail(missing);
      t.diagnostic(missing);
      console.warn(`WARNING: ${missing}`);
      t.skip(missing);
      return;
    }
    const be = await createBackend(a.name);
    assert.ok(isChecked(be), `${a.name} comes out of checkedKernels`);
    for (const [kernel, call, re] of CASES) {
      assert.throws(() => call(be), (e: unknown) => e instanceof ShapeError && re.test(e.message), `${a.name}.${kernel}`);
    }
    assert.throws(() => be.zeros(-1, 2), /^RangeError: zeros: shape \[-1, 2\] must be non-negative integers/);
    assert.throws(() => be.softmaxCrossEntropy(be.zeros(2, 3), Int32Array.from([0, 3]), be.zeros(2, 3), null, 1), /label 3 at row 1 is outside \[0, 3\)/);
  });
}

test('createBackend(auto) is checked too', async () => {
  assert.ok(isChecked(await createBackend('auto')));
});
