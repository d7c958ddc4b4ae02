/**
 * The one name the @jsquash codec typings use without declaring it (their emscripten-types.d.ts is
 * not part of our build): an Emscripten module factory. ./codecs.ts types the rest itself.
 */
declare namespace EmscriptenWasm {
  type ModuleFactory<T extends Module = Module> = (moduleOverrides?: object) => Promise<T>;
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- extended by each codec's module type
  interface Module {}
}
