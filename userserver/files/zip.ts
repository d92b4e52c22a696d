/**
 * A streamed ZIP writer: entries are stored (no compression: photos and videos do not shrink,
 * and the stream stays as fast as the disk), each followed by a data descriptor, so nothing is
 * buffered and no temp file of the whole archive exists. ZIP64 records are written when a size,
 * an offset or the entry count needs them. Names are UTF-8 (flag bit 11).
 */
export interface ZipEntry {
  /** Path inside the archive, `/`-separated; folders end with `/`. */
  path: string;
  mtime: number;
  /** Exact size (known from the store), so the local header can announce ZIP64 when needed. */
  size: number;
  /** Absent for folders. */
  open?: () => ReadableStream<Uint8Array>;
}

const MAX32 = 0xffffffff;
const enc = new TextEncoder();

class Bytes {
  #buf: Uint8Array;
  #view: DataView;
  #off = 0;
  constructor(n: number) {
    this.#buf = new Uint8Array(n);
    this.#view = new DataView(this.#buf.buffer);
  }
  u16(v: number): this {
    this.#view.setUint16(this.#off, v, true);
    this.#off += 2;
    return this;
  }
  u32(v: number): this {
    this.#view.setUint32(this.#off, v >>> 0, true);
    this.#off += 4;
    return this;
  }
  u64(v: number): this {
    this.#view.setBigUint64(this.#off, BigInt(v), true);
    this.#off += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.#buf.set(b, this.#off);
    this.#off += b.length;
    return this;
  }
  get value(): Uint8Array {
    return this.#buf.subarray(0, this.#off);
  }
}

function dosTime(ms: number): { time: number; date: number } {
  const d = new Date(ms);
  const year = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107);
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

interface Written {
  name: Uint8Array;
  crc: number;
  size: number;
  offset: number;
  time: number;
  date: number;
  dir: boolean;
}

/** The archive as a stream; entries are pulled one at a time as the reader consumes. */
export function zipStream(entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>): ReadableStream<Uint8Array> {
  const written: Written[] = [];
  let offset = 0;
  async function* generate(): AsyncGenerator<Uint8Array> {
    for await (const e of entries) {
      const name = enc.encode(e.path);
      const dir = e.path.endsWith("/");
      const { time, date } = dosTime(e.mtime);
      const zip64 = e.size >= MAX32;
      const local = new Bytes(30 + name.length + (zip64 ? 20 : 0))
        .u32(0x04034b50).u16(zip64 ? 45 : 20).u16(0x0808).u16(0).u16(time).u16(date)
        .u32(0).u32(zip64 ? MAX32 : 0).u32(zip64 ? MAX32 : 0).u16(name.length).u16(zip64 ? 20 : 0)
        .bytes(name);
      if (zip64) local.u16(0x0001).u16(16).u64(0).u64(0);
      const start = offset;
      yield local.value;
      offset += local.value.length;
      let crc = 0;
      let size = 0;
      if (!dir && e.open) {
        for await (const chunk of e.open()) {
          crc = Bun.hash.crc32(chunk, crc);
          size += chunk.length;
          yield chunk;
        }
      }
      if (size !== e.size) throw new Error(`Zip entry "${e.path}" was ${size} bytes, expected ${e.size}`);
      offset += size;
      const desc = zip64
        ? new Bytes(24).u32(0x08074b50).u32(crc).u64(size).u64(size)
        : new Bytes(16).u32(0x08074b50).u32(crc).u32(size).u32(size);
      yield desc.value;
      offset += desc.value.length;
      written.push({ name, crc, size, offset: start, time, date, dir });
    }
    const cdStart = offset;
    for (const w of written) {
      const needSize = w.size >= MAX32;
      const needOff = w.offset >= MAX32;
      const extraLen = needSize || needOff ? 4 + (needSize ? 16 : 0) + (needOff ? 8 : 0) : 0;
      const cd = new Bytes(46 + w.name.length + extraLen)
        .u32(0x02014b50).u16((3 << 8) | 45).u16(extraLen ? 45 : 20).u16(0x0808).u16(0).u16(w.time).u16(w.date)
        .u32(w.crc).u32(needSize ? MAX32 : w.size).u32(needSize ? MAX32 : w.size)
        .u16(w.name.length).u16(extraLen).u16(0).u16(0).u16(0)
        .u32(w.dir ? ((0o40755 << 16) | 0x10) : (0o100644 << 16)).u32(needOff ? MAX32 : w.offset)
        .bytes(w.name);
      if (extraLen) {
        cd.u16(0x0001).u16(extraLen - 4);
        if (needSize) cd.u64(w.size).u64(w.size);
        if (needOff) cd.u64(w.offset);
      }
      yield cd.value;
      offset += cd.value.length;
    }
    const cdSize = offset - cdStart;
    const n = written.length;
    if (n >= 0xffff || cdStart >= MAX32 || cdSize >= MAX32) {
      const eocd64At = offset;
      yield new Bytes(56).u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(n).u64(n).u64(cdSize)
        .u64(cdStart).value;
      yield new Bytes(20).u32(0x07064b50).u32(0).u64(eocd64At).u32(1).value;
    }
    yield new Bytes(22).u32(0x06054b50).u16(0).u16(0).u16(Math.min(n, 0xffff)).u16(Math.min(n, 0xffff))
      .u32(Math.min(cdSize, MAX32)).u32(Math.min(cdStart, MAX32)).u16(0).value;
  }
  const it = generate();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await it.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await it.return(undefined);
    },
  }, { highWaterMark: 0 });
}
