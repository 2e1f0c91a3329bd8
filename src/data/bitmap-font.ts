/**
 * A 3x5 pixel bitmap font for digits and a few symbols, to label example grids without a font
 * library. Each glyph is 5 rows of 3 bits (most significant bit = left column).
 */
const GLYPHS: Record<string, readonly number[]> = {
  '0': [0b111, 0b101, 0b101, 0b101, 0b111],
  '1': [0b010, 0b110, 0b010, 0b010, 0b111],
  '2': [0b111, 0b001, 0b111, 0b100, 0b111],
  '3': [0b111, 0b001, 0b011, 0b001, 0b111],
  '4': [0b101, 0b101, 0b111, 0b001, 0b001],
  '5': [0b111, 0b100, 0b111, 0b001, 0b111],
  '6': [0b111, 0b100, 0b111, 0b101, 0b111],
  '7': [0b111, 0b001, 0b010, 0b010, 0b010],
  '8': [0b111, 0b101, 0b111, 0b101, 0b111],
  '9': [0b111, 0b101, 0b111, 0b001, 0b111],
  '-': [0b000, 0b000, 0b111, 0b000, 0b000],
  '?': [0b111, 0b001, 0b011, 0b000, 0b010],
  ' ': [0, 0, 0, 0, 0],
};

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;

/** Width in font pixels of `text` (glyphs 3 wide, 1 apart), before scaling. */
export function textWidth(text: string): number {
  return text.length === 0 ? 0 : text.length * (GLYPH_WIDTH + 1) - 1;
}

/**
 * Draws `text` into an RGBA image (`width` pixels wide) with its top-left corner at (x, y), each
 * font pixel a `scale x scale` block of colour `rgb`. Unknown characters are drawn as `?`.
 */
export function drawText(rgba: Uint8Array, width: number, text: string, x: number, y: number, scale: number, rgb: readonly [number, number, number]): void {
  const height = rgba.length / (4 * width);
  for (let k = 0; k < text.length; k++) {
    const g = GLYPHS[text[k]!] ?? GLYPHS['?']!;
    const gx = x + k * (GLYPH_WIDTH + 1) * scale;
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (!((g[r]! >> (GLYPH_WIDTH - 1 - c)) & 1)) continue;
        for (let dy = 0; dy < scale; dy++) {
          const py = y + r * scale + dy;
          if (py < 0 || py >= height) continue;
          for (let dx = 0; dx < scale; dx++) {
            const px = gx + c * scale + dx;
            if (px < 0 || px >= width) continue;
            const p = 4 * (py * width + px);
            rgba[p] = rgb[0];
            rgba[p + 1] = rgb[1];
            rgba[p + 2] = rgb[2];
            rgba[p + 3] = 255;
          }
        }
      }
    }
  }
}
