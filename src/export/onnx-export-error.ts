/**
 * A network that cannot be written as ONNX (a layer kind or activation the exporter does not
 * know, e.g. from a newer version of the lab), or a checkpoint that holds no network. The message
 * names the layer or the file and what to do. Pure: no Node API.
 */
export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
}
