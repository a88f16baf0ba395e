// Vite's `?raw` imports: fixture files bundled as strings (workerd tests cannot read files at run time).
declare module "*?raw" {
  const text: string;
  export default text;
}
