/**
 * HTML helpers and the report's inline stylesheet (the page loads nothing from the network).
 *
 * Every string that reaches the page goes through `html`: a tagged template that escapes each
 * interpolated value unless it is already `Html` (markup built by `html` itself, or marked trusted
 * with `trustedHtml`). Experiment ids, descriptions, factor values, data names (a user's file paths),
 * CPU names: all are user-supplied, so escaping is the default and markup is the exception.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and (quoted) attribute values: `& < > " '`. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Markup that is safe to insert as is (the result of `html`, or `trustedHtml`). */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

/**
 * Marks markup our own code produced as safe to insert unescaped: the SVG that Plot renders
 * through linkedom (which escapes the text and attribute values it serialises), or fixed markup.
 * Never pass a user-supplied string.
 */
export function trustedHtml(markup: string): Html {
  return new Html(markup);
}

function part(v: unknown): string {
  if (v instanceof Html) return v.markup;
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(part).join('');
  return esc(v);
}

/**
 * Builds markup from a template: every interpolated value is escaped unless it is `Html`; arrays
 * are joined (each item by the same rule); `null`, `undefined` and `false` are left out.
 * ```ts
 * html`<p class="desc">${exp.description}</p>` // a <script> in the description is text
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1]!;
  return new Html(out);
}

export const REPORT_CSS = `
:root { --fg: #1d2433; --muted: #5b6475; --line: #e3e6ec; --accent: #00798c; --bg: #fbfbfd; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 940px; margin: 0 auto; padding: 28px 24px 64px; }
header h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
header .paper { color: var(--accent); font-weight: 600; margin: 0; }
header .desc { margin: 6px 0 10px; }
.meta { color: var(--muted); font-size: 13px; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.meta b { color: var(--fg); font-weight: 600; }
section { background: white; border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; margin: 18px 0; }
section h2 { font-size: 18px; margin: 0 0 10px; }
figure { margin: 0; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; }
td.num, th.num { text-align: right; }
tr.better td { background: #eef8f6; }
td.better { background: #eef8f6; } td.worse { background: #fbeeee; } td.diff { white-space: nowrap; }
.note { color: var(--muted); font-size: 13px; }
.warn { color: #8a5a00; background: #fff6e0; border: 1px solid #f1dca7; border-radius: 8px; padding: 8px 12px; font-size: 14px; }
.filters { display: grid; gap: 18px; }
.filter-pair h3 { font-size: 14px; margin: 0 0 6px; }
.filter-arms { display: grid; grid-template-columns: repeat(var(--arms, 2), minmax(0, 1fr)); gap: 16px; }
.filters img { width: 100%; image-rendering: pixelated; border: 1px solid var(--line); border-radius: 6px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f2f4f7; padding: 1px 4px; border-radius: 4px; }
details summary { cursor: pointer; color: var(--accent); }
`;
