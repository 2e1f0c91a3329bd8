/**
 * The data section of a trial config for `loadData`: data set `name`, no subsetting and no
 * binarisation unless `more` says otherwise.
 */
export function dataConfig<T extends object = object>(name: string, more?: T) {
  return { name, trainSize: null, validSize: null, testSize: null, binarize: 'none' as const, ...more };
}
