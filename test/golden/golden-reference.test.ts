import { createReferenceBackend } from '../../src/backends/reference/index.ts';
import { goldenSuite } from './trials.ts';

goldenSuite('reference-float32', async () => createReferenceBackend('float32'));
