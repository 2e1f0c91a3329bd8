/**
 * Thrown when a loss becomes NaN or infinite. The message names the phase, the layer, the epoch
 * and the last finite value, and what to try (usually a smaller learning rate).
 */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
  constructor(
    readonly phase: 'pretrain' | 'finetune',
    readonly epoch: number,
    readonly lastFinite: number | null,
    readonly layer?: number,
    detail = '',
  ) {
    super(
      `training diverged in ${phase}${layer !== undefined ? ` of layer ${layer + 1}` : ''} at epoch ${epoch}: ` +
        `the loss became NaN or infinite (last finite value: ${lastFinite ?? 'none'}). ` +
        `Try a smaller learning rate${phase === 'pretrain' ? ' (pretrain.lr)' : ' (finetune.lr)'}; ` +
        `the last good checkpoint, if any, is kept.${detail ? ' ' + detail : ''}`,
    );
  }
}
