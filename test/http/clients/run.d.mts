// Types for test/http/clients/run.mjs.
export interface FlowStep {
  step: string;
  ok: boolean;
  detail: unknown;
  trace?: string;
}

export declare function runPythonCaldavFlow(url: string, user: string, password: string): Promise<FlowStep[]>;

export interface Vdirsyncer {
  run(...args: string[]): Promise<string>;
  files(): string[];
  read(name: string): string;
  write(name: string, text: string): void;
  remove(name: string): void;
  dispose(): void;
}

export declare function vdirsyncerSetup(url: string, user: string, password: string): Vdirsyncer;
