/**
 * Fuzzing the CSV reader: any text, and numeric grids written every way a spreadsheet or a script
 * might (quoting, CR / LF / CRLF, a BOM, blank lines, a header, ragged rows, junk cells), give
 * examples with consistent shapes, integer labels and finite features, or a DataFileError naming
 * the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCsv, type CsvExamples, type CsvOptions } from '../../src/data/csv.ts';
import { DataFileError } from '../../src/data/data-error.ts';
import { assertFiniteIn, assertLabels, fuzzParams, memoryBound, validOrTyped } from './fuzz-check.ts';

const FILE = 'fuzz-case.csv';

function checkExamples(c: CsvExamples): void {
  assert.equal(c.y.length, c.n);
  assert.equal(c.x.length, c.n * c.dim);
  assert.ok(c.n >= 1 && c.dim >= 1, `n = ${c.n}, dim = ${c.dim}`);
  assertLabels(c.y, 'y');
  assert.ok(c.y.every((v) => v < 2 ** 31), 'labels fit the label type');
  assertFiniteIn(c.x, 'x');
  if (c.header) assert.equal(c.header.length, c.dim + 1);
}

const options: fc.Arbitrary<CsvOptions> = fc.record(
  { label: fc.oneof(fc.nat(5), fc.constantFrom('label', 'y', 'class', '0', '1')), scale: fc.constantFrom('auto' as const, 'none' as const, '255' as const) },
  { requiredKeys: [] },
);

/** Cells of a grid: mostly numbers (8-bit pixels and labels), sometimes junk a user may have. */
const cell = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 255 }).map(String) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, min: -1e40, max: 1e40 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'NaN', 'Infinity', '-0', '1e999', '0x1F', '3.', '.5', 'a', '"', 'x,y', '1e20', '-1', '2.5') },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);

/** One way of writing a cell: as is, quoted, quoted with spaces inside. */
const quoting = fc.constantFrom((s: string) => s, (s: string) => `"${s.replaceAll('"', '""')}"`, (s: string) => ` "${s.replaceAll('"', '""')} " `);

/** A CSV file written from a grid of cells with random line ends, quoting, BOM, blank lines, header and raggedness. */
const gridCsv = fc
  .record({
    rows: fc.integer({ min: 0, max: 8 }),
    cols: fc.integer({ min: 1, max: 5 }),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
    header: fc.option(fc.constantFrom('label', 'y', 'pixel', 'x'), { nil: undefined }),
    blankEvery: fc.integer({ min: 0, max: 4 }),
    trailingEol: fc.boolean(),
  })
  .chain((g) =>
    fc.record({
      g: fc.constant(g),
      cells: fc.array(fc.array(fc.tuple(cell, quoting), { minLength: g.cols, maxLength: g.cols }), { minLength: g.rows, maxLength: g.rows }),
      ragged: fc.array(fc.tuple(fc.nat(20), fc.integer({ min: -2, max: 2 })), { maxLength: 2 }),
    }),
  )
  .map(({ g, cells, ragged }) => {
    const lines = cells.map((r) => r.map(([c, q]) => q(c)));
    for (const [i, d] of ragged) {
      const r = lines[i % Math.max(1, lines.length)];
      if (!r) continue;
      if (d > 0) for (let k = 0; k < d; k++) r.push('0');
      else r.splice(r.length + d, -d);
    }
    if (g.header) lines.unshift([g.header, ...Array.from({ length: g.cols - 1 }, (_, j) => `p${j}`)]);
    const out: string[] = [];
    lines.forEach((r, i) => {
      out.push(r.join(','));
      if (g.blankEvery > 0 && i % g.blankEvery === 0) out.push('');
    });
    return (g.bom ? '\uFEFF' : '') + out.join(g.eol) + (g.trailingEol ? g.eol : '');
  });

/** A clean grid of 8-bit pixels with a label column first, written with random line ends and quoting. */
const pixelCsv = fc
  .record({
    rows: fc.array(fc.tuple(fc.nat(9), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 3, maxLength: 3 })), { minLength: 1, maxLength: 8 }),
    eol: fc.constantFrom('\n', '\r\n'),
    quote: quoting,
  })
  .map(({ rows, eol, quote }) => ({ rows, text: ['label,a,b,c', ...rows.map(([y, xs]) => [y, ...xs].map((v) => quote(String(v))).join(','))].join(eol) + eol }));

test('parseCsv(any text) gives consistent examples or a DataFileError naming the file', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: fc.constantFrom('0', '1', '9', ',', '"', '\n', '\r', ' ', '.', 'e', '-', 'a', '\uFEFF'), maxLength: 80 })), options, (text, opts) => {
      const c = validOrTyped(() => parseCsv(text, FILE, opts), [DataFileError], [FILE], memoryBound(text.length * 2, 64));
      if (c) checkExamples(c);
    }),
    fuzzParams(500),
  );
});

test('parseCsv(numeric grids with quoting, CR/LF/CRLF, BOM, blank lines, header, ragged rows) gives consistent examples or a DataFileError', () => {
  fc.assert(
    fc.property(gridCsv, options, (text, opts) => {
      const c = validOrTyped(() => parseCsv(text, FILE, opts), [DataFileError], [FILE], memoryBound(text.length * 2, 64));
      if (c) checkExamples(c);
    }),
    fuzzParams(500),
  );
});

test('parseCsv(8-bit pixels with a label column) keeps every row, its label, and scales pixels into [0, 1]', () => {
  fc.assert(
    fc.property(pixelCsv, ({ rows, text }) => {
      const c = parseCsv(text, FILE);
      checkExamples(c);
      assert.equal(c.n, rows.length);
      assert.deepEqual([...c.y], rows.map(([y]) => y));
      const scaled = rows.some(([, xs]) => xs.some((v) => v > 1));
      assertFiniteIn(c.x, 'x', 0, scaled ? 1 : 255);
      const want = rows.flatMap(([, xs]) => xs.map((v) => Math.fround(scaled ? v / 255 : v)));
      assert.deepEqual([...c.x], want);
    }),
    fuzzParams(200),
  );
});

test('a CSV feature beyond the float32 range (1e39) is a bad-value error naming the line, not an Infinity feature (found by fuzzing)', () => {
  assert.throws(() => parseCsv('label,a\n0,1\n1,1e39\n', FILE), (e: Error) => e instanceof DataFileError && e.code === 'bad-value' && /fuzz-case\.csv: line 3, column 2 \(a\)/.test(e.message));
});
