//! One file per subcommand.

pub mod codecs;
pub mod decode;
pub mod encode;
pub mod info;
pub mod media;
pub mod pack;
pub mod unpack;
