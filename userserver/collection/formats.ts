/** Bar code formats by their BarcodeDetector names, as a person calls them (the page and the scanner's new rows). */
export const FORMAT_NAMES: Record<string, string> = {
  qr_code: "QR code",
  ean_13: "EAN-13",
  ean_8: "EAN-8",
  upc_a: "UPC-A",
  upc_e: "UPC-E",
  code_128: "Code 128",
  code_39: "Code 39",
  data_matrix: "Data Matrix",
  pdf417: "PDF417",
  itf: "ITF",
  aztec: "Aztec",
};
