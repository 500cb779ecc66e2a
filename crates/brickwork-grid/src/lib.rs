//! brickwork-grid: cut N-d arrays into a grid of chunks and back, encode chunks in parallel, and keep
//! them in Zarr stores (v2 and v3).
//!
//! * [`grid`]: the chunk grid (fastremap's Fortran-order enumeration, edge modes, overflow checks);
//! * [`layout`]: strided layouts validated against their buffers;
//! * [`tobytes()`] / [`assemble_into`]: fastremap's `tobytes` in N dimensions and its inverse;
//! * [`selection`]: the part of an array a partial read or write touches (ranges or lists of indices per
//!   axis);
//! * [`zarr`]: Zarr stores: whole arrays, regions, orthogonal and point selections, resizing, groups;
//! * [`parallel`]: the `threads` convention shared by every parallel call.
//!
//! ```
//! use brickwork_grid::{assemble_into, tobytes, ChunkGrid, Edge, Layout};
//! use brickwork_core::Order;
//! let data: Vec<u8> = (0..16).collect();
//! let layout = Layout::contiguous(&[4, 4], 1, Order::C).unwrap();
//! let grid = ChunkGrid::new(&[4, 4], &[2, 2], Edge::Exact).unwrap();
//! let chunks = tobytes(&data, &layout, &grid, Order::C, &[], None).unwrap();
//! assert_eq!(chunks[1], vec![8, 9, 12, 13]); // the second chunk along the first axis
//! let refs: Vec<&[u8]> = chunks.iter().map(|c| c.as_slice()).collect();
//! let mut back = vec![0u8; 16];
//! assemble_into(&refs, &grid, Order::C, &mut back, &layout, None).unwrap();
//! assert_eq!(back, data);
//! ```

pub mod assemble;
mod copy;
pub mod encode;
pub mod fill;
pub mod grid;
pub mod layout;
pub mod parallel;
pub mod rectilinear;
pub mod selection;
pub mod tobytes;
pub mod zarr;

pub use assemble::assemble_into;
pub use encode::{decode_chunks, encode_chunks};
pub use grid::{AxisChunks, ChunkGrid, Edge, MAX_NDIM};
pub use layout::Layout;
pub use selection::{Indices, Selection};
pub use tobytes::{tobytes, tobytes_into};
pub use zarr::{ZarrArray, ZarrOptions};
