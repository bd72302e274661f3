import { TextDecoder } from 'node:util';

/**
 * Bytes → text for statements of unknown encoding, chunk by chunk. A byte-order mark decides
 * (UTF-8, UTF-16); otherwise the text is read as UTF-8 until a byte sequence UTF-8 cannot hold
 * appears, and from there as Windows-1252 (which Latin-1 files also decode correctly), because
 * a file that is valid UTF-8 so far and then is not was written by a Windows program.
 */
export class StatementTextDecoder {
  private decoder: TextDecoder | undefined;
  private carry: Buffer = Buffer.alloc(0);
  private started = false;
  /** The encoding used (the last one, for a file that switched). */
  encoding: string;

  constructor(private readonly requested?: string) {
    this.encoding = requested ?? 'utf-8';
    if (requested) this.decoder = new TextDecoder(requested);
  }

  decode(chunk: Buffer): string {
    let bytes = chunk;
    if (!this.started) {
      this.started = true;
      bytes = this.readBom(bytes);
    }
    if (this.decoder) return this.decoder.decode(bytes, { stream: true });
    return this.decodeUtf8OrFallBack(bytes);
  }

  end(): string {
    if (this.decoder) return this.decoder.decode();
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    return rest.length ? this.decodeUtf8OrFallBack(rest, true) : '';
  }

  private readBom(bytes: Buffer): Buffer {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      this.encoding = this.requested ?? 'utf-8';
      return bytes.subarray(3);
    }
    if (!this.requested && bytes[0] === 0xff && bytes[1] === 0xfe) {
      this.encoding = 'utf-16le';
      this.decoder = new TextDecoder('utf-16le');
      return bytes.subarray(2);
    }
    if (!this.requested && bytes[0] === 0xfe && bytes[1] === 0xff) {
      this.encoding = 'utf-16be';
      this.decoder = new TextDecoder('utf-16be');
      return bytes.subarray(2);
    }
    return bytes;
  }

  private decodeUtf8OrFallBack(chunk: Buffer, final = false): string {
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = final ? bytes.length : completeUtf8Length(bytes);
    this.carry = bytes.subarray(cut);
    const whole = bytes.subarray(0, cut);
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(whole);
    } catch {
      this.encoding = 'windows-1252';
      this.decoder = new TextDecoder('windows-1252');
      const rest = this.carry;
      this.carry = Buffer.alloc(0);
      return this.decoder.decode(Buffer.concat([whole, rest]), { stream: true });
    }
  }
}

/** Bytes up to the last complete UTF-8 sequence (a multi-byte character split by the chunk waits for the next). */
function completeUtf8Length(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** True when TextDecoder knows the encoding name (for validating the `encoding` option). */
export function isKnownEncoding(name: string): boolean {
  try {
    new TextDecoder(name);
    return true;
  } catch {
    return false;
  }
}
