/**
 * The text layer of a PDF, as Mozilla's pdf.js extracts it (e-filed PTRs are encrypted with an empty password,
 * which pdf.js opens): items joined with a space, a newline where an item ends its line, pages apart. A scan
 * gives (almost) nothing. pdf.js is loaded on the first PDF: a process that never reads one never loads it.
 */
export async function pdfText(data: Uint8Array, maxPages = 60): Promise<{ text: string; pages: number }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data: new Uint8Array(data), disableFontFace: true, useSystemFonts: false, verbosity: 0 });
  try {
    const doc = await task.promise;
    let text = '';
    for (let p = 1; p <= Math.min(doc.numPages, maxPages); p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str + (item.hasEOL ? '\n' : ' ');
      }
      text += '\n';
      page.cleanup();
    }
    return { text, pages: doc.numPages };
  } finally {
    await task.destroy();
  }
}

/** Whether bytes are a PDF at all (a dead link often answers an HTML page with 200). */
export const looksLikePdf = (data: Uint8Array): boolean => Buffer.from(data.subarray(0, 1024)).includes('%PDF-');
