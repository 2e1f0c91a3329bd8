/**
 * The page's pictures, drawn on canvases: image grids (filters, inputs, reconstructions; made in
 * the worker, `image-grid.ts`, so the page only scales a bitmap), error curves, the seeds' spread
 * and the confusion matrix. Plain canvas 2D: nothing to load.
 */

/** A canvas 2D context; the page's canvases always have one. */
export function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser gives no 2D canvas');
  return ctx;
}

/** Draws `picture` scaled to fit `canvas` (nearest neighbour: pixels stay square), then frees it. */
export function drawPicture(canvas: HTMLCanvasElement, picture: ImageBitmap): void {
  const ctx = context(canvas);
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const scale = Math.min(canvas.width / picture.width, canvas.height / picture.height);
  ctx.drawImage(picture, 0, 0, picture.width * scale, picture.height * scale);
  picture.close();
}

/** One line of a chart: its points (x, y), colour and whether it is faint (other seeds). */
export interface Series {
  points: [number, number][];
  color: string;
  faint?: boolean;
  label?: string;
}

/** Line chart of `series` with y from 0 to the largest value (errors as percentages). */
export function drawCurves(canvas: HTMLCanvasElement, series: Series[], xLabel: string, yLabel: string): void {
  const ctx = context(canvas), W = canvas.width, H = canvas.height;
  const m = { l: 46, r: 10, t: 10, b: 30 };
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map((p) => p[0]));
  const yMax = Math.max(1e-9, ...all.map((p) => p[1])) * 1.05;
  const X = (x: number) => m.l + ((x - 1) / Math.max(1, xMax - 1)) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - (y / yMax) * (H - m.t - m.b);
  axes(ctx, W, H, m, xLabel, yLabel, yMax, xMax);
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.globalAlpha = s.faint ? 0.35 : 1;
    ctx.lineWidth = s.faint ? 1 : 2;
    ctx.beginPath();
    s.points.forEach(([x, y], i) => (i ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
    ctx.stroke();
    if (s.points.length === 1) ctx.fillRect(X(s.points[0]![0]) - 2, Y(s.points[0]![1]) - 2, 4, 4);
  }
  ctx.globalAlpha = 1;
  let ly = m.t + 4;
  for (const s of series.filter((s) => s.label)) {
    ctx.fillStyle = s.color;
    ctx.fillRect(W - m.r - 130, ly, 10, 10);
    ctx.fillStyle = '#222';
    ctx.fillText(s.label!, W - m.r - 115, ly + 9);
    ly += 14;
  }
}

function axes(ctx: CanvasRenderingContext2D, W: number, H: number, m: { l: number; r: number; t: number; b: number }, xLabel: string, yLabel: string, yMax: number, xMax: number): void {
  ctx.strokeStyle = '#888';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(m.l, m.t);
  ctx.lineTo(m.l, H - m.b);
  ctx.lineTo(W - m.r, H - m.b);
  ctx.stroke();
  ctx.fillStyle = '#222';
  ctx.font = '11px sans-serif';
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4, y = H - m.b - (i / 4) * (H - m.t - m.b);
    ctx.fillText(`${(100 * v).toFixed(1)}%`, 2, y + 4);
  }
  if (xMax > 0) {
    ctx.fillText(`1`, m.l, H - m.b + 14);
    ctx.fillText(String(xMax), W - m.r - 12, H - m.b + 14);
  }
  ctx.fillText(xLabel, (W - ctx.measureText(xLabel).width) / 2, H - 4);
  if (yLabel) ctx.fillText(yLabel, m.l + 6, m.t + 8);
}

/** The seeds' test errors as dots per group (a small Figure 2 of Erhan et al. 2010), with each group's mean. */
export function drawSpread(canvas: HTMLCanvasElement, groups: { label: string; color: string; values: number[] }[]): void {
  const ctx = context(canvas), W = canvas.width, H = canvas.height;
  const m = { l: 46, r: 10, t: 10, b: 30 };
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const all = groups.flatMap((g) => g.values);
  const yMax = Math.max(1e-9, ...all) * 1.15;
  const Y = (y: number) => H - m.b - (y / yMax) * (H - m.t - m.b);
  axes(ctx, W, H, m, '', 'test error', yMax, 0);
  const slot = (W - m.l - m.r) / groups.length;
  groups.forEach((g, i) => {
    const cx = m.l + slot * (i + 0.5);
    ctx.fillStyle = g.color;
    g.values.forEach((v, k) => {
      ctx.beginPath();
      ctx.arc(cx + (k - (g.values.length - 1) / 2) * 6, Y(v), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    });
    if (g.values.length) {
      const mean = g.values.reduce((a, b) => a + b, 0) / g.values.length;
      ctx.fillRect(cx - 20, Y(mean) - 1, 40, 2);
    }
    ctx.fillStyle = '#222';
    ctx.fillText(g.label, cx - ctx.measureText(g.label).width / 2, H - 16);
  });
}

/** The confusion matrix as a table (rows: true class, columns: predicted), shaded by count. */
export function confusionTable(confusion: number[][]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'confusion';
  const max = Math.max(1, ...confusion.flat());
  const head = table.insertRow();
  head.insertCell().textContent = 'true \\ predicted';
  confusion.forEach((_, c) => (head.insertCell().textContent = String(c)));
  confusion.forEach((row, r) => {
    const tr = table.insertRow();
    tr.insertCell().textContent = String(r);
    for (const v of row) {
      const td = tr.insertCell();
      td.textContent = String(v);
      td.style.background = `rgba(40, 90, 200, ${(v / max) * 0.8})`;
    }
  });
  return table;
}
