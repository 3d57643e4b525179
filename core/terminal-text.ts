// Text from the server (descriptions, names, e-mail addresses, problem details) is printed on a user's
// terminal, where an escape sequence would act instead of showing: OSC retitles the window or writes the
// clipboard (OSC 52), CSI moves the cursor or clears the screen, so a description could rewrite what the
// user sees above it. Everything a terminal acts on is removed before printing: ESC sequences (CSI, OSC,
// DCS, SOS, PM, APC and the two-byte ones), their 8-bit C1 forms, every other C0/C1 control and DEL,
// and the Unicode bidi overrides that reorder a line. Characters that only move to a new column or line
// (tab, line feed, carriage return, form feed, vertical tab, U+2028/2029) become one space, so the text
// stays on its row without words running together.

// A control string (OSC, DCS, SOS, PM, APC) runs to BEL, ST (ESC \ or C1 0x9C), or, unterminated, to
// the end: a terminal would swallow the rest just the same.
const CONTROL_STRING = /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[\s\S]*?(?:\u0007|\u001b\\|\u009c|$)/g;
// CSI: parameter bytes, intermediate bytes, one final byte (ECMA-48 5.4).
const CSI = /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?/g;
// Any other escape sequence: ESC, intermediate bytes, one final byte (ESC c resets the terminal).
const ESCAPE = /\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;
const SPACING = /[\t\n\v\f\r\u2028\u2029]/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without anything a terminal would act on; printable text (any script, emoji) is kept. */
export function stripTerminalControls(text: string): string {
  return text.replace(CONTROL_STRING, '').replace(CSI, '').replace(ESCAPE, '').replace(SPACING, ' ').replace(CONTROL, '');
}
