/** Types of asl-validator 4 (it ships none): a CommonJS function export. */
declare module 'asl-validator' {
  interface ValidationResult {
    readonly isValid: boolean;
    errorsText(separator?: string): string;
  }
  function validator(definition: unknown, options?: { readonly checkPaths?: boolean; readonly checkArn?: boolean }): ValidationResult;
  export default validator;
}
