//! Byte compressors: each takes bytes and gives bytes back.

pub mod zlib;
