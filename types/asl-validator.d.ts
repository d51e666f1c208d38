// asl-validator 4.0.0 ships no types. A static import (not createRequire) lets esbuild bundle it
// into the register-dag Lambda, which has no node_modules at run time.
declare module 'asl-validator' {
  export default function aslValidator(
    definition: unknown,
    options: { checkPaths: boolean; checkArn: boolean },
  ): { isValid: boolean; errorsText: (separator?: string) => string };
}
