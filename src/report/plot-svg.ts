/**
 * Renders an Observable Plot chart on the server: linkedom supplies the document (Plot only needs
 * to create and serialise SVG elements, not a browser: linkedom is a tenth of jsdom's install and
 * loads in a fraction of its time, see BENCHMARKS.md), the result is the SVG markup, inlined into
 * the report (no scripts, no network).
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

let doc: Document | null = null;

/** Plot.plot with a linkedom document; returns the outer HTML of the SVG (or figure). */
export function plotToSvg(options: Plot.PlotOptions): string {
  doc ??= parseHTML('<!DOCTYPE html><html><body></body></html>').document as unknown as Document;
  const el = Plot.plot({ ...options, document: doc });
  return (el as unknown as Element).outerHTML;
}
