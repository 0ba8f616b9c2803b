import type { Readable } from 'node:stream';
import { type ImportSource, InvalidDataError } from '@mathnet/lms-sdk';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

function openZip(source: ImportSource): Promise<ZipFile> {
  const options = { lazyEntries: true, autoClose: false, decodeStrings: true };
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, zip: ZipFile) => (error ? reject(error) : resolve(zip));
    if (source.kind === 'file') yauzl.open(source.path, options, done);
    else
      yauzl.fromBuffer(
        Buffer.from(source.data.buffer, source.data.byteOffset, source.data.byteLength),
        options,
        done,
      );
  });
}

function readEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

/** The last path segment of a zip entry name. */
function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/**
 * A OneRoster CSV archive opened for random access: the central directory is
 * read once (names and sizes only), each file is streamed when asked for.
 * Files may sit at the root or in one folder (some SIS exports zip a folder);
 * macOS resource forks (`__MACOSX/`) are ignored.
 */
export class ZipArchive {
  private constructor(
    private readonly zip: ZipFile,
    private readonly files: Map<string, Entry>,
  ) {}

  /** Opens the archive; a file that is not a readable zip makes the import invalid. */
  static async open(source: ImportSource): Promise<ZipArchive> {
    let zip: ZipFile;
    let entries: Entry[];
    try {
      zip = await openZip(source);
      entries = await readEntries(zip);
    } catch (error) {
      throw new InvalidDataError({
        entity: 'archive',
        reason: `not a readable zip archive (${(error as Error).message})`,
      });
    }
    const files = new Map<string, Entry>();
    for (const entry of entries) {
      if (entry.fileName.endsWith('/') || entry.fileName.startsWith('__MACOSX/')) continue;
      const name = baseName(entry.fileName);
      const existing = files.get(name);
      // A file at the root wins over one in a folder.
      if (!existing || entry.fileName.length < existing.fileName.length) files.set(name, entry);
    }
    return new ZipArchive(zip, files);
  }

  /** Whether the archive holds a file of this name (e.g. `users.csv`). */
  has(name: string): boolean {
    return this.files.has(name);
  }

  /** Streams one file's bytes (decompressed). */
  openStream(name: string): Promise<Readable> {
    const entry = this.files.get(name);
    if (!entry)
      return Promise.reject(new InvalidDataError({ entity: 'archive', file: name, reason: 'missing' }));
    return new Promise((resolve, reject) => {
      this.zip.openReadStream(entry, (error, stream) => {
        if (error) {
          reject(
            new InvalidDataError({
              entity: 'archive',
              file: name,
              reason: `cannot be read (${error.message})`,
            }),
          );
        } else resolve(stream);
      });
    });
  }

  /** Releases the file handle. */
  close(): void {
    if (this.zip.isOpen) this.zip.close();
  }
}
