// A type-level error that reads as a sentence. Where the builder refuses a misuse, it
// asks for this type instead, so TypeScript's message names it with its text:
// "... is not assignable to parameter of type 'TypeError<".input() takes ...">'".
// Messages quote with ' rather than ", which TypeScript would print escaped (\").

declare const typeError: unique symbol;

/**
 * A type no value has, whose name carries `TMessage`: what the builder asks for in
 * place of a misused argument, so that the compiler's error says what went wrong.
 * Type-only; nothing at run time has it.
 */
export interface TypeError<TMessage extends string> {
  readonly [typeError]: TMessage;
}
