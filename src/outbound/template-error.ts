/** A template that is missing or cannot be compiled; names the file at fault. */
export class TemplateError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`template ${file}: ${detail}`);
    this.name = 'TemplateError';
  }
}
