/**
 * Renders an Observable Plot chart on the server: jsdom supplies the document, the result is the
 * SVG markup, inlined into the report (no scripts, no network).
 */
import * as Plot from '@observablehq/plot';
import { JSDOM } from 'jsdom';

let doc: Document | null = null;

/** Plot.plot with a jsdom document; returns the outer HTML of the SVG (or figure). */
export function plotToSvg(options: Plot.PlotOptions): string {
  doc ??= new JSDOM('<!DOCTYPE html><html><body></body></html>').window.document as unknown as Document;
  const el = Plot.plot({ ...options, document: doc });
  return (el as unknown as Element).outerHTML;
}
