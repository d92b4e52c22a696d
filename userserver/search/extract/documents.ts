/** PDF (unpdf's build of PDF.js) and DOCX (mammoth) → text. */
import { extractText, getDocumentProxy } from "unpdf";
import mammoth from "mammoth";
import { ExtractLimitError } from "./limits.ts";

export async function pdfText(bytes: Uint8Array, maxPages: number): Promise<{ text: string; pages: number }> {
  const pdf = await getDocumentProxy(bytes);
  try {
    if (pdf.numPages > maxPages) {
      throw new ExtractLimitError(`has ${pdf.numPages} pages; the indexer reads at most ${maxPages}`);
    }
    const { text } = await extractText(pdf, { mergePages: true });
    return { text, pages: pdf.numPages };
  } finally {
    await pdf.cleanup();
  }
}

export async function docxText(bytes: Uint8Array): Promise<string> {
  const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
  return value;
}

export function isPdf(type: string, name: string): boolean {
  return type === "application/pdf" || /\.pdf$/i.test(name);
}

export function isDocx(type: string, name: string): boolean {
  return type === "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
    /\.docx$/i.test(name);
}
