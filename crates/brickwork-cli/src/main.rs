//! The `brickwork` command-line tool.
fn main() {}
