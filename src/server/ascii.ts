/** Whether a string is plain ASCII: a stream's frames of such text are written without a UTF-8 length scan. */

export function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 127) return false;
  return true;
}
