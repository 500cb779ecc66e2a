//! Byte compressors: each takes bytes and gives bytes back.

pub mod blosc;
pub mod bz2;
pub mod gzip;
pub mod lz4;
pub mod lzma;
pub mod zlib;
pub mod zstd;
