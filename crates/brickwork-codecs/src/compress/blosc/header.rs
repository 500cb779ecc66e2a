//! The Blosc 1.x chunk header, `bstarts` and the per-block stream layout, validated before any work.
//!
//! Every size in a chunk is untrusted. [`Chunk::parse`] checks the 16-byte header against the buffer and
//! the caller's limits, and [`Chunk::streams`] walks one block's streams checking each offset and `csize`
//! against `cbytes`; [`Chunk::validate_layout`] runs that walk over every block before the decoder
//! allocates its output. The checks are c-blosc 1.21's (`blosc_run_decompression_with_context`,
//! `blosc_d`), plus the ones c-blosc leaves to trust: `cbytes` must fit in the buffer, a split block must
//! be a whole number of items, and a compressed stream must be able to hold its block (a per-codec
//! maximum compression ratio).

use brickwork_core::{Error, Limits, Result};

use super::ID;

/// Header length (`BLOSC_MIN_HEADER_LENGTH` / `BLOSC_MAX_OVERHEAD`).
pub(crate) const HEADER_LEN: usize = 16;
/// The only format version Blosc 1.x writes (`BLOSC_VERSION_FORMAT`).
pub(crate) const VERSION_FORMAT: u8 = 2;
/// Flag bit 0: byte shuffle.
pub(crate) const FLAG_SHUFFLE: u8 = 0x01;
/// Flag bit 1: the payload is the raw input.
pub(crate) const FLAG_MEMCPYED: u8 = 0x02;
/// Flag bit 2: bit shuffle.
pub(crate) const FLAG_BITSHUFFLE: u8 = 0x04;
/// Flag bit 3: reserved; c-blosc rejects chunks that set it.
pub(crate) const FLAG_RESERVED: u8 = 0x08;
/// Flag bit 4: blocks are not split into typesize streams.
pub(crate) const FLAG_DONT_SPLIT: u8 = 0x10;
/// `BLOSC_MAX_BLOCKSIZE` of c-blosc 1.21.
pub(crate) const MAX_BLOCKSIZE: usize = (i32::MAX as usize - 255 * 4) / 3;
/// `MAX_SPLITS`: blocks of items wider than this are never split.
const MAX_SPLITS: usize = 16;
/// `MIN_BUFFERSIZE`: a block is split only if it holds at least this many items.
const MIN_BUFFERSIZE: usize = 128;

/// The inner compressor of a chunk (flag bits 5–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inner {
    /// BloscLZ (code 0).
    BloscLz,
    /// LZ4 or LZ4HC block format (code 1).
    Lz4,
    /// Raw Snappy (code 2).
    Snappy,
    /// zlib stream (code 3).
    Zlib,
    /// zstd frame (code 4).
    Zstd,
}

impl Inner {
    fn from_code(code: u8) -> Option<Inner> {
        Some(match code {
            0 => Inner::BloscLz,
            1 => Inner::Lz4,
            2 => Inner::Snappy,
            3 => Inner::Zlib,
            4 => Inner::Zstd,
            _ => return None,
        })
    }

    /// The most bytes a stream of `csize` bytes of this codec can decode to (generous upper bounds of
    /// each format's best compression ratio; real data never comes near them).
    fn max_decoded(self, csize: usize) -> usize {
        let ratio = match self {
            // one extension byte adds at most 255 to a match length
            Inner::BloscLz | Inner::Lz4 => 256,
            // a 3-byte copy op writes at most 64 bytes
            Inner::Snappy => 32,
            // deflate's limit is 1032:1
            Inner::Zlib => 1040,
            // a 4-byte RLE block writes at most 128 KiB
            Inner::Zstd => 1 << 16,
        };
        csize.saturating_mul(ratio).saturating_add(1024)
    }
}

/// A parsed and checked chunk header, with the chunk bytes (`cbytes` of them, trailing bytes dropped).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chunk<'a> {
    /// The chunk, `cbytes` long.
    pub bytes: &'a [u8],
    /// Header flags.
    pub flags: u8,
    /// Item size (1–255).
    pub typesize: usize,
    /// Decoded size.
    pub nbytes: usize,
    /// Block size (1..=nbytes when nbytes > 0).
    pub blocksize: usize,
    /// Number of blocks.
    pub nblocks: usize,
    /// The inner codec; `None` for a memcpy'd chunk.
    pub inner: Option<Inner>,
}

/// One stream of a block: where its bytes are, and how many bytes it decodes to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stream<'a> {
    /// The stream bytes (`csize` of them).
    pub data: &'a [u8],
    /// The decoded size (`neblock`); `data.len() == len` means stored raw.
    pub len: usize,
}

fn read_u32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn corrupt(reason: impl std::fmt::Display) -> Error {
    Error::corrupt(ID, reason)
}

impl<'a> Chunk<'a> {
    /// Parses and checks the header of `buf` (the decoded size is checked separately, by
    /// [`Chunk::check_limits`] or against the caller's `out`).
    pub(crate) fn parse(buf: &'a [u8]) -> Result<Chunk<'a>> {
        if buf.len() < HEADER_LEN {
            return Err(corrupt(format!(
                "a Blosc chunk starts with a {HEADER_LEN}-byte header, got only {} bytes",
                buf.len()
            )));
        }
        let version = buf[0];
        let versionlz = buf[1];
        let flags = buf[2];
        let typesize = usize::from(buf[3]);
        let field = |at: usize, name: &str| -> Result<usize> {
            let v = read_u32(buf, at).unwrap_or(u32::MAX);
            if v > i32::MAX as u32 {
                return Err(corrupt(format!(
                    "header field {name} = {v} is larger than Blosc's limit of {}",
                    i32::MAX
                )));
            }
            Ok(v as usize)
        };
        if version != VERSION_FORMAT {
            return Err(corrupt(format!(
                "Blosc format version {version} is not supported (Blosc 1.x writes version {VERSION_FORMAT}; \
                 versions 3+ are Blosc2, which numcodecs' `blosc` codec does not read)"
            )));
        }
        if flags & FLAG_RESERVED != 0 {
            return Err(corrupt(format!(
                "header flags {flags:#04x} set the reserved bit 0x08 (a format from a future Blosc)"
            )));
        }
        let nbytes = field(4, "nbytes")?;
        let blocksize = field(8, "blocksize")?;
        let cbytes = field(12, "cbytes")?;
        if cbytes < HEADER_LEN || cbytes > buf.len() {
            return Err(corrupt(format!(
                "header says the chunk is {cbytes} bytes long but {} bytes were given (a chunk is at least \
                 {HEADER_LEN} bytes and at most the buffer's length)",
                buf.len()
            )));
        }
        let bytes = &buf[..cbytes];
        if nbytes == 0 {
            return Ok(Chunk {
                bytes,
                flags,
                typesize: typesize.max(1),
                nbytes,
                blocksize,
                nblocks: 0,
                inner: None,
            });
        }
        if typesize == 0 {
            return Err(corrupt("header typesize is 0; it must be 1 to 255"));
        }
        if blocksize == 0 || blocksize > nbytes || blocksize > MAX_BLOCKSIZE {
            return Err(corrupt(format!(
                "header blocksize {blocksize} is out of range: it must be 1 to nbytes ({nbytes}) and at most \
                 {MAX_BLOCKSIZE}"
            )));
        }
        let nblocks = nbytes.div_ceil(blocksize);
        if flags & FLAG_MEMCPYED != 0 {
            if cbytes != nbytes + HEADER_LEN {
                return Err(corrupt(format!(
                    "a memcpy'd chunk of {nbytes} bytes must be {} bytes long, header says {cbytes}",
                    nbytes + HEADER_LEN
                )));
            }
            return Ok(Chunk {
                bytes,
                flags,
                typesize,
                nbytes,
                blocksize,
                nblocks,
                inner: None,
            });
        }
        let code = flags >> 5;
        let inner = Inner::from_code(code).ok_or_else(|| {
            corrupt(format!(
                "unknown inner compressor code {code} (known: 0 blosclz, 1 lz4/lz4hc, 2 snappy, 3 zlib, 4 zstd)"
            ))
        })?;
        if versionlz != 1 {
            return Err(corrupt(format!(
                "inner compressor format version {versionlz} is not supported (only 1 exists)"
            )));
        }
        if nblocks > (cbytes - HEADER_LEN) / 4 {
            return Err(corrupt(format!(
                "{nblocks} blocks need {} bytes of block offsets, but the chunk has only {} bytes after its header",
                nblocks * 4,
                cbytes - HEADER_LEN
            )));
        }
        Ok(Chunk {
            bytes,
            flags,
            typesize,
            nbytes,
            blocksize,
            nblocks,
            inner: Some(inner),
        })
    }

    /// Checks the decoded size against `limits` before anything is allocated for it.
    pub(crate) fn check_limits(&self, limits: &Limits) -> Result<()> {
        limits.check_declared(ID, self.nbytes as u64).map(|_| ())
    }

    /// The decoded size of block `j`.
    pub(crate) fn block_len(&self, j: usize) -> usize {
        let start = j * self.blocksize;
        self.blocksize.min(self.nbytes.saturating_sub(start))
    }

    /// Byte shuffle applies to this chunk's blocks (flag bit 0 and typesize > 1).
    pub(crate) fn byte_shuffled(&self) -> bool {
        self.flags & FLAG_SHUFFLE != 0 && self.typesize > 1
    }

    /// Bit shuffle applies to a block of `bsize` bytes.
    pub(crate) fn bit_shuffled(&self, bsize: usize) -> bool {
        self.flags & FLAG_BITSHUFFLE != 0 && bsize >= self.typesize
    }

    /// Number of streams block `j` is split into (c-blosc's decoder rule, which also covers chunks
    /// written before the dont-split flag existed).
    fn nsplits(&self, j: usize, bsize: usize) -> usize {
        let leftover_block = j + 1 == self.nblocks && !self.nbytes.is_multiple_of(self.blocksize);
        if self.flags & FLAG_DONT_SPLIT == 0
            && self.typesize <= MAX_SPLITS
            && bsize / self.typesize >= MIN_BUFFERSIZE
            && !leftover_block
        {
            self.typesize
        } else {
            1
        }
    }

    /// The streams of block `j` (`j < nblocks`, chunk not memcpy'd), each checked against the chunk.
    pub(crate) fn streams(&self, j: usize) -> Result<BlockStreams<'a>> {
        let inner = self
            .inner
            .ok_or_else(|| corrupt("a memcpy'd chunk has no streams"))?;
        let bytes = self.bytes;
        let bsize = self.block_len(j);
        let at = HEADER_LEN + 4 * j;
        let start = read_u32(bytes, at).ok_or_else(|| corrupt(format!("block {j} has no offset")))?;
        let nsplits = self.nsplits(j, bsize);
        let neblock = bsize / nsplits;
        if neblock * nsplits != bsize {
            return Err(corrupt(format!(
                "block {j} of {bsize} bytes cannot be split into {nsplits} equal streams"
            )));
        }
        Ok(BlockStreams {
            bytes,
            inner,
            block: j,
            offset: start as usize,
            left: nsplits,
            neblock,
        })
    }

    /// Walks every block's streams once, so that a chunk whose offsets or sizes point outside it, or
    /// whose streams could not hold the declared data, is rejected before the output is allocated.
    pub(crate) fn validate_layout(&self) -> Result<()> {
        if self.inner.is_none() {
            return Ok(());
        }
        for j in 0..self.nblocks {
            for s in self.streams(j)? {
                s?;
            }
        }
        Ok(())
    }
}

/// Iterator over the streams of one block.
pub(crate) struct BlockStreams<'a> {
    bytes: &'a [u8],
    inner: Inner,
    block: usize,
    offset: usize,
    left: usize,
    neblock: usize,
}

impl<'a> Iterator for BlockStreams<'a> {
    type Item = Result<Stream<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let j = self.block;
        let cbytes = self.bytes.len();
        let Some(csize) = read_u32(self.bytes, self.offset) else {
            self.left = 0;
            return Some(Err(corrupt(format!(
                "a stream of block {j} starts at offset {} but the chunk is only {cbytes} bytes long",
                self.offset
            ))));
        };
        let data_at = self.offset + 4;
        let csize = csize as usize;
        let Some(data) = self.bytes.get(data_at..data_at.saturating_add(csize)) else {
            self.left = 0;
            return Some(Err(corrupt(format!(
                "a stream of block {j} at offset {data_at} claims {csize} bytes, past the chunk's end at {cbytes}"
            ))));
        };
        if csize != self.neblock && self.inner.max_decoded(csize) < self.neblock {
            self.left = 0;
            return Some(Err(corrupt(format!(
                "a {csize}-byte {:?} stream of block {j} cannot decode to the {} bytes the header implies",
                self.inner, self.neblock
            ))));
        }
        self.offset = data_at + csize;
        Some(Ok(Stream {
            data,
            len: self.neblock,
        }))
    }
}
