// wgsl_reflect's package entry point is CommonJS-flavoured and fails to import in Node/vitest ESM, so the engine
// imports its ES module build directly (see ../shared/HEADLESS-WEBGPU.md); this gives that path the package's types.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
