// The mnist package ships one JSON file per digit: { data: number[] } holding n × 784 grey levels.
declare module 'mnist/src/digits/*.json' {
  const value: { data: number[] };
  export default value;
}
