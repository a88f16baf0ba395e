// Types for test/browser/node.mjs.
export declare function screenshotDir(): string;
export declare function chromiumPath(): string;
export declare function runTag(): string;
export declare function requireChromium(): void;
